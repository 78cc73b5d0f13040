"""The one Definitions object: `dagster dev -m orchestration.definitions` and `make run` load it.

Asset graph: landing/<source> --gate--> shop/*, referrals/*, messaging/* (raw tables = dbt
sources) -> staging -> intermediate -> marts (dbt) -> serving/published_marts.
"""

from __future__ import annotations

import dagster as dg

from orchestration import checks, jobs, schedules, sensors
from orchestration.assets import dbt_models, ingestion, serving
from orchestration.resources import RESOURCES

defs = dg.Definitions(
    assets=[
        *ingestion.INGESTION_ASSETS,
        dbt_models.warehouse_models,
        # publication of the marts (orchestration/serving): downstream of every mart
        *serving.SERVING_ASSETS,
    ],
    asset_checks=checks.INPUT_CHECKS,
    jobs=jobs.JOBS,
    schedules=schedules.SCHEDULES,
    sensors=sensors.SENSORS,
    resources=RESOURCES,
)
