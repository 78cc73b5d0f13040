"""Daily run of the warehouse job, so freshness checks and marts are evaluated even on a day
without new files (the landing sensor starts a run as soon as files arrive)."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import warehouse_job

# 06:00 UTC: after stores' nightly exports, before the working day in Europe and the Americas
daily_warehouse_schedule = dg.ScheduleDefinition(
    name="daily_warehouse_schedule",
    job=warehouse_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The whole warehouse job every day at 06:00 UTC.",
)

SCHEDULES = [daily_warehouse_schedule]
