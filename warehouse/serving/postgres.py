"""Publish the marts to PostgreSQL: load a new schema, then swap it in, all in one transaction.

    begin
      create schema marts_<build>; create table ... (typed from DuckDB); copy ... from stdin (csv)
      savepoint; set local lock_timeout
        lock table marts._publication, marts.<every mart> in access exclusive mode
        drop schema marts_previous cascade; alter schema marts rename to marts_previous
        alter schema marts_<build> rename to marts
      (on lock timeout or deadlock: rollback to savepoint, wait, try again)
    commit

Readers never see a mix: until the commit, `marts` is the old schema; the exclusive locks make the
swap wait for queries (and transactions) still reading old tables, and queries that arrive during
the swap wait for the commit, then resolve `marts.<table>` to the new tables.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import errors, sql

from warehouse.connection import connect
from warehouse.serving.snapshot import (
    PUBLICATION_TABLE,
    MartSnapshot,
    quote_identifier,
    sql_literal,
)
from warehouse.settings import Settings

LIVE_SCHEMA = "marts"
PREVIOUS_SCHEMA = "marts_previous"
SWAP_ATTEMPTS = 5

_SIMPLE_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "HUGEINT": "numeric(39,0)",
    "UHUGEINT": "numeric(39,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIME WITH TIME ZONE": "timetz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "jsonb",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


def postgres_column(column: str, duckdb_type: str) -> tuple[str, str]:
    """(PostgreSQL type, DuckDB expression whose CSV text PostgreSQL parses as that type)."""
    name = quote_identifier(column)
    upper = duckdb_type.upper()
    if upper in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[upper], name
    if decimal := _DECIMAL.match(upper):
        return f"numeric({decimal[1]},{decimal[2]})", name
    if upper in {"TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}:
        return "timestamp", f"cast({name} as timestamp)"
    if upper == "BLOB":
        return "bytea", f"'\\x' || hex({name})"
    if upper.endswith("]") or upper.startswith(("STRUCT", "MAP", "UNION")):
        return "jsonb", f"to_json({name})"
    return "text", f"cast({name} as varchar)"


def schema_for_build(build_id: str) -> str:
    return f"{LIVE_SCHEMA}_{build_id.lower().replace('-', '_')}"


def export_csv(serving_file: Path, snapshot: MartSnapshot, csv_dir: Path) -> dict[str, Path]:
    """One header-less CSV per mart from the (closed, private) new serving file."""
    files: dict[str, Path] = {}
    with connect(serving_file, read_only=True) as con:
        for mart, columns in snapshot.columns.items():
            expressions = ", ".join(postgres_column(name, kind)[1] for name, kind in columns)
            files[mart] = csv_dir / f"{mart}.csv"
            con.execute(
                f"copy (select {expressions} from main.{quote_identifier(mart)}) "
                f"to {sql_literal(files[mart])} (format csv, header false)"
            )
    return files


def publish_to_postgres(
    settings: Settings,
    build_id: str,
    published_at: datetime,
    snapshot: MartSnapshot,
    csv_files: dict[str, Path],
) -> str:
    """Load the build into `marts_<build>` and make it `marts`, in one transaction; returns the
    target as `host:port/dbname schema marts` (no password) for the publication record."""
    staging = schema_for_build(build_id)
    dsn = str(settings.serving_pg_dsn)
    with psycopg.connect(dsn, autocommit=True, application_name="ltv-warehouse publish") as conn:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(staging)))
            cur.execute(sql.SQL("create schema {}").format(sql.Identifier(staging)))
            for mart, columns in snapshot.columns.items():
                _load_table(cur, staging, mart, columns, csv_files[mart], snapshot.row_counts[mart])
            _write_publication_table(cur, staging, build_id, published_at, snapshot)
            if role := settings.serving_pg_read_role:
                _grant_read(cur, staging, role)
            _swap_with_retries(conn, cur, staging, settings.serving_pg_lock_timeout_seconds)
        info = conn.info
        return f"{info.host}:{info.port}/{info.dbname} schema {LIVE_SCHEMA}"


def _load_table(
    cur: psycopg.Cursor,
    schema: str,
    mart: str,
    columns: list[tuple[str, str]],
    csv_file: Path,
    expected_rows: int,
) -> None:
    table = sql.Identifier(schema, mart)
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(postgres_column(name, kind)[0]))
        for name, kind in columns
    )
    cur.execute(sql.SQL("create table {} ({})").format(table, definitions))
    with (
        cur.copy(sql.SQL("copy {} from stdin (format csv)").format(table)) as copy,
        csv_file.open("rb") as source,
    ):
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    cur.execute(sql.SQL("select count(*) from {}").format(table))
    loaded = cur.fetchone()
    if not loaded or loaded[0] != expected_rows:
        raise RuntimeError(f"{schema}.{mart}: loaded {loaded} rows, expected {expected_rows}")
    cur.execute(sql.SQL("analyze {}").format(table))


def _write_publication_table(
    cur: psycopg.Cursor, schema: str, build_id: str, published_at: datetime, snapshot: MartSnapshot
) -> None:
    table = sql.Identifier(schema, PUBLICATION_TABLE)
    cur.execute(
        sql.SQL(
            "create table {} (build_id text not null, published_at timestamptz not null, "
            "mart_name text not null, row_count bigint not null)"
        ).format(table)
    )
    cur.executemany(
        sql.SQL("insert into {} values (%s, %s, %s, %s)").format(table),
        [(build_id, published_at, mart, n) for mart, n in snapshot.row_counts.items()],
    )


def _grant_read(cur: psycopg.Cursor, schema: str, role: str) -> None:
    schema_id, role_id = sql.Identifier(schema), sql.Identifier(role)
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema_id, role_id))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema_id, role_id))


def _swap_with_retries(
    conn: psycopg.Connection, cur: psycopg.Cursor, staging: str, lock_timeout_seconds: float
) -> None:
    """The swap under a savepoint: a lock timeout or deadlock (a long BI query) retries it."""
    timeout_ms = int(lock_timeout_seconds * 1000)
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        try:
            with conn.transaction():
                cur.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(timeout_ms)))
                _swap(cur, staging)
            return
        except (errors.LockNotAvailable, errors.DeadlockDetected):
            if attempt == SWAP_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)


def _swap(cur: psycopg.Cursor, staging: str) -> None:
    # `_publication` first: readers that open a transaction with it hold it, and the swap waits
    cur.execute(
        "select tablename from pg_tables where schemaname = %s order by tablename <> %s, tablename",
        (LIVE_SCHEMA, PUBLICATION_TABLE),
    )
    live_tables = [row[0] for row in cur.fetchall()]
    if live_tables:
        cur.execute(
            sql.SQL("lock table {} in access exclusive mode").format(
                sql.SQL(", ").join(sql.Identifier(LIVE_SCHEMA, t) for t in live_tables)
            )
        )
    cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PREVIOUS_SCHEMA)))
    cur.execute("select 1 from pg_namespace where nspname = %s", (LIVE_SCHEMA,))
    if cur.fetchone():
        cur.execute(
            sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(LIVE_SCHEMA), sql.Identifier(PREVIOUS_SCHEMA)
            )
        )
    cur.execute(
        sql.SQL("alter schema {} rename to {}").format(
            sql.Identifier(staging), sql.Identifier(LIVE_SCHEMA)
        )
    )
