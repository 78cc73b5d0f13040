"""How every Python step opens the warehouse.

A DuckDB file has one writer, and one process cannot open the same file twice with different
settings, so every step opens it through `connect()` with the same settings and closes it
before the next step (dbt runs in its own process).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from warehouse.settings import Settings

DEFAULT_MEMORY_LIMIT = Settings().duckdb_memory_limit


@contextmanager
def connect(
    path: Path | str, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a DuckDB file (creating its folder), in UTC, and always close it again."""
    target = Path(path)
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only, config={"memory_limit": memory_limit})
    try:
        # DuckDB 2.0 refuses TimeZone in the connect config (its ICU extension loads later)
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


@contextmanager
def open_warehouse(
    settings: Settings, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse file of `settings`, with its memory limit."""
    with connect(settings.warehouse_path, read_only, settings.duckdb_memory_limit) as con:
        yield con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises.

    The block's own error is the one that surfaces: when DuckDB has already ended the
    transaction (a full disk invalidates it), the rollback's "no transaction is active" would
    otherwise hide the "No space left on device" that caused it.
    """
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("rollback")
        raise
    con.execute("commit")


def drop_tables(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop a step's work tables on its way out, without hiding the error it may be leaving by."""
    for table in tables:
        with suppress(duckdb.Error):
            con.execute(f"drop table if exists {table}")
