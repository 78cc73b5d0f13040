"""Shared set-up of the mart tests: a hand-computed fixture store built by `dbt build`, and reads.

Each mart test module loads its own tests/fixtures/marts/*.sql into a fresh DuckDB file once
(a module-scoped fixture calling build_fixture_warehouse), then reads the models back as plain
values.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.dbt_cli import run_dbt
from warehouse.connection import connect
from warehouse.ingestion import ensure_raw_schema


def build_fixture_warehouse(fixture: Path, folder: Path) -> Path:
    """Load `fixture` into fresh raw tables in `folder`, run a successful `dbt build` on them.

    Returns the DuckDB file. dbt artefacts go to `folder`/target, so parallel builds never share.
    """
    duckdb_file = folder / "warehouse.duckdb"
    with connect(duckdb_file) as con:
        ensure_raw_schema(con)
        con.execute(fixture.read_text())
    run_dbt(["build"], duckdb_file, folder / "target")
    return duckdb_file


def plain(value: Any) -> Any:
    """Decimals and dates as text, so an expected '45.00' also checks the scale."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def fetch_rows(duckdb_file: Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows of `sql` on `duckdb_file` (opened read-only), every value made plain."""
    with connect(duckdb_file, read_only=True) as con:
        return [tuple(plain(value) for value in row) for row in con.execute(sql).fetchall()]


def rows_by_key(duckdb_file: Path, sql: str) -> dict[Any, tuple[Any, ...]]:
    """The first column of each row -> the other columns."""
    return {row[0]: row[1:] for row in fetch_rows(duckdb_file, sql)}
