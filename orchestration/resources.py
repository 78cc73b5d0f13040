"""Resources every asset, check and sensor gets by key: `duckdb` (the warehouse) and `dbt`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb as duckdb_module
from dagster_dbt import DbtCliResource
from pydantic import Field

from orchestration import warehouse
from orchestration.project import DBT_EXECUTABLE, WAREHOUSE_DBT


def _from_repo(path: str) -> Path:
    """Relative paths are read from the repository root, like orchestration.warehouse does."""
    resolved = Path(path)
    return resolved if resolved.is_absolute() else warehouse.REPO_ROOT / resolved


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse file and the landing folder stores drop files into.

    Unset fields fall back to $DUCKDB_PATH / $LANDING_DIR at run time (orchestration.warehouse),
    the same variables dbt's profile reads, so Python steps and dbt always share one file.
    """

    path: str | None = Field(
        default=None, description="DuckDB file; default $DUCKDB_PATH or data/warehouse.duckdb"
    )
    landing_dir: str | None = Field(
        default=None, description="Landing folder; default $LANDING_DIR or data/landing"
    )

    def database_path(self) -> Path:
        return _from_repo(self.path) if self.path else warehouse.duckdb_path()

    def landing_path(self) -> Path:
        return _from_repo(self.landing_dir) if self.landing_dir else warehouse.landing_dir()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb_module.DuckDBPyConnection]:
        """Open the warehouse for one step and close it again (DuckDB has one writer)."""
        with warehouse.connect(self.database_path(), read_only=read_only) as con:
            yield con


def _env_or_default(name: str) -> dg.EnvVar | None:
    # an EnvVar shows its source in the UI, but fails when unset: then fall back at run time
    return dg.EnvVar(name) if os.environ.get(name) else None


def build_resources() -> dict[str, dg.ConfigurableResource]:
    """The resources of the Definitions, keyed as assets and checks ask for them."""
    return {
        "duckdb": WarehouseResource(
            path=_env_or_default("DUCKDB_PATH"), landing_dir=_env_or_default("LANDING_DIR")
        ),
        "dbt": DbtCliResource(project_dir=WAREHOUSE_DBT, dbt_executable=DBT_EXECUTABLE),
    }


RESOURCES = build_resources()
