"""daily_warehouse_schedule: one warehouse run a day at 06:00 UTC."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.definitions import defs
from orchestration.schedules import daily_warehouse_schedule


def test_the_daily_schedule_requests_one_warehouse_run():
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 2, 6, 0, tzinfo=UTC)
    )
    data = daily_warehouse_schedule.evaluate_tick(context)
    assert len(data.run_requests or []) == 1
    assert daily_warehouse_schedule.job_name == "warehouse_job"


def test_the_daily_schedule_fires_at_six_utc():
    assert daily_warehouse_schedule.cron_schedule == "0 6 * * *"
    assert daily_warehouse_schedule.execution_timezone == "UTC"
    assert defs.resolve_schedule_def("daily_warehouse_schedule") is not None
