"""Shared pytest set-up: every test gets its own DuckDB file and landing folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse import connect


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point DUCKDB_PATH and LANDING_DIR at a temporary folder; yields that folder."""
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("LANDING_DIR", str(tmp_path / "landing"))
    (tmp_path / "landing").mkdir()
    yield tmp_path


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the test's own DuckDB file, opened like every pipeline step opens it."""
    with connect(tmp_path / "warehouse.duckdb") as connection:
        yield connection


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """An empty landing folder of the test's own."""
    path = tmp_path / "landing"
    path.mkdir()
    return path
