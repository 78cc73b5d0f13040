"""landing_files_sensor: one run per tick for all new files, none for files already seen; a run
started the way the sensor starts it loads a small store all the way to the marts."""

import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import build_definitions, defs
from orchestration.sensors import landing_files_sensor
from tests.settings_helpers import settings_for
from warehouse.connection import open_warehouse
from warehouse.settings import Settings


def _tick(landing: Path, cursor: str | None = None) -> tuple[list[dg.RunRequest], str | None]:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"settings": Settings(landing_dir=landing)}
    )
    data = landing_files_sensor.evaluate_tick(context)
    return list(data.run_requests or []), data.cursor


def _drop(landing: Path, folder: str, name: str, text: str = '{"order_id": "o1"}\n') -> Path:
    path = landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_an_empty_landing_folder_starts_no_run(tmp_path: Path):
    requests, _ = _tick(tmp_path)
    assert requests == []


def test_a_new_file_starts_exactly_one_run_and_the_same_file_again_none(tmp_path: Path):
    _drop(tmp_path, "orders", "orders_2025-03-01.jsonl")
    requests, cursor = _tick(tmp_path)
    assert len(requests) == 1
    assert requests[0].run_key
    again, cursor_again = _tick(tmp_path, cursor)
    assert again == []
    assert cursor_again == cursor


def test_two_new_files_in_one_tick_start_one_run(tmp_path: Path):
    _drop(tmp_path, "orders", "orders_2025-03-01.jsonl")
    _, cursor = _tick(tmp_path)
    _drop(tmp_path, "orders", "orders_2025-03-02.jsonl")
    _drop(tmp_path, "messages", "messages_2025-03-02.jsonl", '{"event_id": "e1"}\n')
    requests, cursor = _tick(tmp_path, cursor)
    assert len(requests) == 1
    assert requests[0].tags["ltv_warehouse/new_landing_files"] == "2"
    assert _tick(tmp_path, cursor)[0] == []


def test_a_file_rewritten_under_the_same_name_starts_a_run_with_another_key(tmp_path: Path):
    path = _drop(tmp_path, "referral_codes", "referral_codes_2025-03-01.csv", "referral_code\nA\n")
    first, cursor = _tick(tmp_path)
    path.write_text("referral_code\nA\nB\n")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    second, _ = _tick(tmp_path, cursor)
    assert len(second) == 1
    assert second[0].run_key != first[0].run_key


def test_files_the_loader_ignores_do_not_start_runs(tmp_path: Path):
    _drop(tmp_path, "orders", "_generation_report.json", "{}")
    _drop(tmp_path, "orders", ".orders_2025-03-01.jsonl.part")
    (tmp_path / "_generation_report.json").write_text("{}")
    assert _tick(tmp_path)[0] == []


def test_the_sensor_targets_the_warehouse_job():
    assert landing_files_sensor.job_name == "warehouse_job"
    assert defs.resolve_sensor_def("landing_files_sensor") is not None


@pytest.mark.integration
def test_a_run_started_like_the_sensor_does_materializes_landing_raw_and_marts(tmp_path: Path):
    from demo_store import generate_store

    settings = settings_for(tmp_path)
    generate_store(settings.landing_dir, orders=300, seed=7)

    (tmp_path / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        context = dg.build_sensor_context(instance=instance, resources={"settings": settings})
        data = landing_files_sensor.evaluate_tick(context)
        (request,) = data.run_requests or []
        result = (
            build_definitions(settings)
            .resolve_job_def("warehouse_job")
            .execute_in_process(instance=instance, tags=request.tags, raise_on_error=False)
        )
        assert result.success, [e.step_key for e in result.get_step_failure_events()]
        materialized = {event.asset_key for event in result.get_asset_materialization_events()}
        for key in (
            ["landing", "orders_batch"],
            ["landing", "messages_batch"],
            ["shop", "orders"],
            ["shop", "order_lines"],
            ["referrals", "referral_codes"],
            ["referrals", "referral_events"],
            ["messaging", "message_events"],
            ["stg_shop__orders"],
            ["int_orders_numbered_per_customer"],
            ["customer_lifetime_value"],
            ["referral_linked_purchases"],
            ["serving", "published_marts"],
        ):
            assert dg.AssetKey(key) in materialized, key
        # every dbt model reports the row count of its table, counted independently here
        by_key = {e.asset_key: e for e in result.get_asset_materialization_events()}
        metadata = by_key[dg.AssetKey(["customer_lifetime_value"])].materialization.metadata
        with open_warehouse(settings, read_only=True) as con:
            (customers,) = con.execute(
                "select count(*) from marts.customer_lifetime_value"
            ).fetchall()[0]
        assert metadata["dagster/row_count"].value == customers > 0
        schema = metadata["dagster/column_schema"]
        assert isinstance(schema, dg.TableSchemaMetadataValue)
        assert "net_revenue_amount" in {column.name for column in schema.schema.columns}
        gates = {
            evaluation.check_name: evaluation
            for evaluation in result.get_asset_check_evaluations()
            if evaluation.check_name.endswith("_batch_meets_suite")
        }
        assert len(gates) == 4
        # the same files on the next tick start nothing
        context = dg.build_sensor_context(
            instance=instance, cursor=data.cursor, resources={"settings": settings}
        )
        assert not landing_files_sensor.evaluate_tick(context).run_requests
