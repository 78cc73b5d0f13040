"""The resources every asset, check and sensor gets by key: `settings` and `dbt`.

`settings` is the warehouse's one `Settings` object (warehouse/settings.py), read from the
environment once by the entry point that builds the Definitions. The dbt asset hands the same
object to dbt as `--vars` and `--threads`, so the Python steps and dbt always share one warehouse
file, one currency and one time zone.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.project import DBT_EXECUTABLE, WAREHOUSE_DBT
from warehouse.settings import Settings, settings_table


def settings_resource(settings: Settings) -> dg.ResourceDefinition:
    """`settings` as a Dagster resource; the UI shows where each value comes from."""
    variables = ", ".join(variable for variable, _, _ in settings_table())
    return dg.ResourceDefinition.hardcoded_resource(
        settings, description=f"Warehouse settings, read once from the environment ({variables})"
    )


def build_resources(settings: Settings) -> dict[str, Any]:
    """The resources of the Definitions, keyed as assets and checks ask for them."""
    return {
        "settings": settings_resource(settings),
        "dbt": DbtCliResource(project_dir=WAREHOUSE_DBT, dbt_executable=DBT_EXECUTABLE),
    }
