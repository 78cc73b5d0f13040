"""Copy every table of the warehouse's `marts` schema into a new, private serving DuckDB file.

One in-memory DuckDB session attaches the warehouse READ_ONLY and the new file, so every mart
comes from the same committed state of the warehouse, and writes the Parquet files of the build
from the copied tables. Nothing here touches a file a reader can see: `publish.py` swaps.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.serving.names import check_mart_name
from warehouse.settings import Settings

PUBLICATION_TABLE = "_publication"


class MartsNotFoundError(RuntimeError):
    """The warehouse has no table in schema `marts` (dbt has not built them)."""


@dataclass(frozen=True)
class MartSnapshot:
    """What the new serving file holds: per mart its row count and (column, DuckDB type) list."""

    row_counts: dict[str, int]
    columns: dict[str, list[tuple[str, str]]]

    @property
    def marts(self) -> list[str]:
        return list(self.row_counts)


def sql_literal(value: str | Path) -> str:
    """A single-quoted SQL string literal (paths go into ATTACH and COPY, which take no params)."""
    return "'" + str(value).replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's entries') bytes to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_serving_file(
    settings: Settings,
    target: Path,
    parquet_dir: Path,
    build_id: str,
    published_at: datetime,
) -> MartSnapshot:
    """Write `target` (a new DuckDB file) and `parquet_dir/<mart>.parquet` from the warehouse marts.

    `target` gets one table per mart in its default schema (opened as `marts.duckdb` its catalog is
    `marts`, so `marts.<mart>` works for readers) plus `_publication`: build_id, published_at,
    mart_name, row_count, one row per mart. The file is checkpointed, closed and fsynced.
    """
    warehouse_path = settings.warehouse_path
    if not warehouse_path.exists():
        raise MartsNotFoundError(f"warehouse file {warehouse_path} does not exist")
    con = duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit})
    try:
        # DuckDB 2.0 refuses TimeZone in the connect config (ICU loads after it), so set it here
        con.execute("set TimeZone = 'UTC'")
        try:
            con.execute(f"attach {sql_literal(warehouse_path)} as warehouse (read_only)")
        except duckdb.Error as error:
            raise RuntimeError(
                f"cannot open {warehouse_path} read-only ({error}); publish_marts runs after dbt, "
                "when no connection in this or another process holds the warehouse open"
            ) from error
        con.execute(
            f"attach {sql_literal(target)} as serving "
            f"(storage_version {sql_literal(settings.serving_duckdb_storage_version)})"
        )
        snapshot = _copy_marts(con)
        _write_publication_table(con, snapshot, build_id, published_at)
        for table in [*snapshot.marts, PUBLICATION_TABLE]:
            parquet_file = parquet_dir / f"{table}.parquet"
            con.execute(
                f"copy serving.main.{quote_identifier(table)} to {sql_literal(parquet_file)} "
                "(format parquet, compression zstd)"
            )
        con.execute("checkpoint serving")
        con.execute("detach serving")
    finally:
        con.close()
    fsync_path(target)
    return snapshot


def _copy_marts(con: duckdb.DuckDBPyConnection) -> MartSnapshot:
    names = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'warehouse' and schema_name = 'marts' order by table_name"
        ).fetchall()
    ]
    if not names:
        raise MartsNotFoundError("the warehouse has no table in schema marts: run dbt build first")
    row_counts: dict[str, int] = {}
    columns: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        table = quote_identifier(check_mart_name(name))
        con.execute(f"create table serving.main.{table} as select * from warehouse.marts.{table}")
        count = con.execute(f"select count(*) from serving.main.{table}").fetchone()
        row_counts[name] = int(count[0]) if count else 0
        columns[name] = [
            (str(column), str(data_type))
            for column, data_type in con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = 'serving' and table_name = ? order by column_index",
                [name],
            ).fetchall()
        ]
    return MartSnapshot(row_counts=row_counts, columns=columns)


def _write_publication_table(
    con: duckdb.DuckDBPyConnection, snapshot: MartSnapshot, build_id: str, published_at: datetime
) -> None:
    con.execute(
        f"create table serving.main.{PUBLICATION_TABLE} ("
        "build_id varchar not null, published_at timestamp with time zone not null, "
        "mart_name varchar not null, row_count bigint not null)"
    )
    con.executemany(
        f"insert into serving.main.{PUBLICATION_TABLE} values (?, ?, ?, ?)",
        [[build_id, published_at, mart, n] for mart, n in snapshot.row_counts.items()],
    )
