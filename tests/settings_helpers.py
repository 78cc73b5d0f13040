"""Settings for a test: every file of the test under one folder."""

from __future__ import annotations

from pathlib import Path

from warehouse.serving import Publication, publish_marts
from warehouse.settings import Settings


def settings_for(root: Path, **changes: object) -> Settings:
    """Settings that keep the warehouse, landing, serving and Data Docs folders under `root`."""
    return Settings(
        warehouse_path=root / "warehouse.duckdb",
        landing_dir=root / "landing",
        serving_dir=root / "serving",
        data_docs_dir=root / "gx_docs",
    ).replace(**changes)


def publish(warehouse: Path, serving: Path, build_id: str, **changes: object) -> Publication:
    """publish_marts of the marts in `warehouse` into `serving`, with other settings changed."""
    settings = Settings(warehouse_path=warehouse, serving_dir=serving).replace(**changes)
    return publish_marts(settings, build_id)
