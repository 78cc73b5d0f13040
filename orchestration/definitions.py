"""The one Definitions object: `dagster dev -m orchestration.definitions` and `make run` load it.

Asset graph: landing/<source>_batch --gate--> shop/*, referrals/*, messaging/* (raw tables = dbt
sources) -> staging -> intermediate -> marts (dbt) -> serving/published_marts.

`build_definitions(settings)` is what entry points and tests call with their own settings;
`defs` is that for the process environment, read once when Dagster loads this module.
"""

from __future__ import annotations

import dagster as dg

from orchestration import checks, jobs, schedules, sensors
from orchestration.assets import dbt_models, ingestion, serving
from orchestration.resources import build_resources
from warehouse.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor, with resources built from `settings`."""
    return dg.Definitions(
        assets=[
            *ingestion.INGESTION_ASSETS,
            dbt_models.warehouse_models,
            # publication of the marts (warehouse/serving): downstream of every mart
            *serving.SERVING_ASSETS,
        ],
        asset_checks=checks.INPUT_CHECKS,
        jobs=jobs.JOBS,
        schedules=schedules.SCHEDULES,
        sensors=sensors.SENSORS,
        resources=build_resources(settings),
    )


defs = build_definitions(Settings.from_env())
