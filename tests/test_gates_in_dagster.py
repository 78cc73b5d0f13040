"""The Great Expectations gate inside the Dagster job: an error-severity failure stops the merge
and every dbt model (the marts stay as they were), a warning-only batch goes through.

One clean store is loaded once (module fixture); each test copies that warehouse, drops one
crafted orders file built from real order lines, and runs warehouse_job in-process.
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import build_definitions
from tests.settings_helpers import settings_for
from warehouse.sources import ORDERS

pytestmark = pytest.mark.integration

MARTS = ["customer_lifetime_value", "cohort_repeat_purchase_rates", "referral_linked_purchases"]
GATE = ORDERS.gate_check_name
# Dagster's step key of a check: the asset key joined by "__", then the check name
GATE_STEP = "__".join(ORDERS.landing_asset_path) + "_" + GATE


def _run(root: Path) -> dg.ExecuteInProcessResult:
    (root / "dagster_home").mkdir(exist_ok=True)
    job = build_definitions(settings_for(root)).resolve_job_def("warehouse_job")
    with dg.instance_for_test(temp_dir=str(root / "dagster_home")) as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


def _query(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def _marts_fingerprint(root: Path) -> dict[str, tuple]:
    return {
        mart: _query(
            root,
            f"select count(*), md5(string_agg(cast(t as varchar), '|' order by cast(t as varchar)))"
            f" from marts.{mart} as t",
        )[0]
        for mart in MARTS
    }


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clean 300-order store, loaded and built once."""
    from demo_store import generate_store

    root = tmp_path_factory.mktemp("gates_baseline")
    generate_store(root / "landing", orders=300, seed=11, dirty_rate=0.0)
    result = _run(root)
    assert result.success, [event.step_key for event in result.get_step_failure_events()]
    yield root


@pytest.fixture
def store(loaded_store: Path, tmp_path: Path) -> Path:
    """This test's copy of the loaded warehouse and its landing folder."""
    root = tmp_path / "store"
    root.mkdir()
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        if (loaded_store / name).exists():
            shutil.copyfile(loaded_store / name, root / name)
    shutil.copytree(loaded_store / "landing", root / "landing")
    return root


def _drop_orders(root: Path, name: str, count: int, change) -> None:
    """`count` new orders copied from loaded ones (new ids), each passed through `change`."""
    templates = []
    for path in sorted((root / "landing" / "orders").glob("*.jsonl"), reverse=True):
        templates += [json.loads(line) for line in path.read_text().splitlines() if line]
        if len(templates) >= count:
            break
    lines = []
    for index, order in enumerate(templates[:count]):
        order = {**order, "order_id": f"ord_gate_{index:04d}"}
        lines.append(json.dumps(change(index, order)))
    (root / "landing" / "orders" / name).write_text("\n".join(lines) + "\n")


def _raw_orders(root: Path) -> int:
    return _query(root, "select count(*) from raw_shop.orders")[0][0]


def test_a_batch_with_30_percent_negative_totals_is_blocked_and_the_marts_stay(store: Path):
    marts_before = _marts_fingerprint(store)
    orders_before = _raw_orders(store)

    def negative_total(index: int, order: dict) -> dict:
        # 6 of 20 (30%) negative: far past the 2% the total rule tolerates
        return {**order, "total": -abs(float(order["total"]))} if index % 10 < 3 else order

    _drop_orders(store, "orders_2026-11-01.jsonl", 20, negative_total)
    result = _run(store)

    assert not result.success
    assert [event.step_key for event in result.get_step_failure_events()] == [GATE_STEP]
    (gate,) = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == GATE
    ]
    assert not gate.passed
    assert gate.severity == dg.AssetCheckSeverity.ERROR
    assert int(str(gate.metadata["errors_failed"].value)) >= 1
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey(["shop", "orders"]) not in materialized
    assert not materialized & {dg.AssetKey(mart) for mart in MARTS}
    assert dg.AssetKey(["serving", "published_marts"]) not in materialized
    assert _raw_orders(store) == orders_before
    assert _marts_fingerprint(store) == marts_before
    assert _query(
        store,
        "select status from raw_meta.load_log where file_name = 'orders_2026-11-01.jsonl'",
    ) == [("blocked",)]


def test_a_batch_with_only_warnings_goes_through_to_the_marts(store: Path):
    orders_before = _raw_orders(store)

    def unknown_token(index: int, order: dict) -> dict:
        # every order arrives through a referral link nobody issued: a warning-severity rule
        return {**order, "referral_token": f"tok_unknown_{index}"}

    _drop_orders(store, "orders_2026-11-01.jsonl", 20, unknown_token)
    result = _run(store)

    assert result.success, [event.step_key for event in result.get_step_failure_events()]
    (gate,) = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == GATE
    ]
    assert not gate.passed
    assert gate.severity == dg.AssetCheckSeverity.WARN
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert {dg.AssetKey(mart) for mart in MARTS} <= materialized
    assert _raw_orders(store) == orders_before + 20
