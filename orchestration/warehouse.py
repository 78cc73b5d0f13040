"""Where the warehouse lives and how every Python step opens it.

A DuckDB file has one writer, and one process cannot open the same file twice with different
settings, so every step opens it through `connect()` with the same settings and closes it
before the next step (dbt runs in its own process).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent


def _project_path(env_var: str, default: str) -> Path:
    """A path from the environment; relative paths are read from the repository root."""
    path = Path(os.environ.get(env_var, default))
    return path if path.is_absolute() else REPO_ROOT / path


def duckdb_path() -> Path:
    """The embedded warehouse file: $DUCKDB_PATH, default data/warehouse.duckdb."""
    return _project_path("DUCKDB_PATH", "data/warehouse.duckdb")


def landing_dir() -> Path:
    """The folder stores drop files into: $LANDING_DIR, default data/landing."""
    return _project_path("LANDING_DIR", "data/landing")


def memory_limit() -> str:
    """DuckDB's memory limit, shared with the dbt profile: $DUCKDB_MEMORY_LIMIT, default 4GB."""
    return os.environ.get("DUCKDB_MEMORY_LIMIT", "4GB")


@contextmanager
def connect(
    path: Path | str | None = None, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (creating its folder), in UTC, and always close it again."""
    target = Path(path) if path is not None else duckdb_path()
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only, config={"memory_limit": memory_limit()})
    try:
        # DuckDB 2.0 refuses TimeZone in the connect config (its ICU extension loads later)
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()
