"""Shared pytest set-up: every test gets its own DuckDB file, landing folder and settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.project import build_manifest_if_stale
from tests.settings_helpers import settings_for
from warehouse.connection import connect
from warehouse.settings import Settings


def pytest_configure(config: pytest.Config) -> None:
    """One `dbt parse` (when the manifest is stale) before any test module loads the Dagster
    definitions, whose dbt assets read the manifest at import."""
    build_manifest_if_stale()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The test's own settings: warehouse, landing, serving and Data Docs under tmp_path."""
    (tmp_path / "landing").mkdir(exist_ok=True)
    return settings_for(tmp_path)


@pytest.fixture
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """For entry points that read the environment themselves (`make run`'s main): point every
    path setting and DAGSTER_HOME at a temporary folder; yields that folder."""
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SERVING_DIR", str(tmp_path / "serving"))
    monkeypatch.setenv("GX_DATA_DOCS_DIR", str(tmp_path / "gx_docs"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
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
    path.mkdir(exist_ok=True)
    return path
