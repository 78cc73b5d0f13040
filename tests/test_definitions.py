"""The Definitions load, hold the documented assets, checks and jobs, and draw the lineage
landing -> raw -> staging -> intermediate -> marts -> serving."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt_models import in_dependency_order, one_result_per_check
from orchestration.assets.retries import fail_fast_unless_transient, is_transient
from orchestration.checks import freshness_result
from orchestration.definitions import defs
from orchestration.jobs import WAREHOUSE_WRITER_TAG
from orchestration.project import WAREHOUSE_DBT, manifest_is_stale
from warehouse.paths import REPO_ROOT
from warehouse.sources import SOURCES

LANDING = [dg.AssetKey(spec.landing_asset_path) for spec in SOURCES.values()]
RAW = [
    dg.AssetKey(path)
    for path in (
        ["shop", "orders"],
        ["shop", "order_lines"],
        ["referrals", "referral_codes"],
        ["referrals", "referral_events"],
        ["messaging", "message_events"],
    )
]
# docs/architecture.md, "dbt layers"
LAYERS = {
    "staging": [
        "stg_shop__orders",
        "stg_shop__order_lines",
        "stg_referrals__referral_codes",
        "stg_referrals__referral_events",
        "stg_messaging__message_events",
    ],
    "intermediate": [
        "int_emails_resolved_to_customers",
        "int_orders_numbered_per_customer",
        "int_orders_counted_as_of_date",
        "int_customers_acquired",
        "int_months_enumerated",
        "int_referral_codes_resolved_to_referrers",
        "int_orders_joined_to_referrals",
        "int_referral_asks_joined_to_orders",
        "int_customer_months_accumulated",
        "int_customer_months_scored",
    ],
    "marts": [
        "customer_lifetime_value",
        "cohort_retention_monthly",
        "cohort_repeat_purchase_rates",
        "customer_rfm_segments",
        "customer_rfm_segments_monthly",
        "referral_linked_purchases",
        "referral_funnel_monthly",
    ],
}
PUBLISHED = dg.AssetKey(["serving", "published_marts"])


@pytest.fixture(scope="module")
def asset_graph():
    return defs.resolve_asset_graph()


def _upstream(asset_graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in asset_graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)


def test_landing_and_raw_assets_are_in_the_ingestion_group(asset_graph):
    for key in [*LANDING, *RAW]:
        node = asset_graph.get(key)
        assert node.group_name == "ingestion", key
        assert node.is_executable, key


def test_every_documented_dbt_model_is_an_asset_in_its_layer_group(asset_graph):
    for group, models in LAYERS.items():
        for model in models:
            assert asset_graph.get(dg.AssetKey(model)).group_name == group, model


def test_dbt_sources_are_the_raw_assets_so_staging_reads_from_ingestion(asset_graph):
    # source shop.orders -> ["shop", "orders"], defined by the ingestion multi-asset, not dbt
    assert (
        dg.AssetKey(["shop", "orders"])
        in asset_graph.get(dg.AssetKey("stg_shop__orders")).parent_keys
    )
    assert (
        dg.AssetKey(["shop", "order_lines"])
        in asset_graph.get(dg.AssetKey("stg_shop__order_lines")).parent_keys
    )
    assert (
        dg.AssetKey(["messaging", "message_events"])
        in asset_graph.get(dg.AssetKey("stg_messaging__message_events")).parent_keys
    )
    # no dbt source is left dangling as an external asset nobody materializes
    external = [
        key for key in asset_graph.get_all_asset_keys() if not asset_graph.get(key).is_executable
    ]
    assert external == []


def test_lineage_runs_from_every_landing_folder_to_the_published_marts(asset_graph):
    upstream_of_ltv = _upstream(asset_graph, dg.AssetKey("customer_lifetime_value"))
    orders_batch = dg.AssetKey(["landing", "orders_batch"])
    assert {orders_batch, dg.AssetKey(["shop", "orders"])} <= upstream_of_ltv
    assert dg.AssetKey("stg_shop__orders") in upstream_of_ltv
    assert dg.AssetKey("int_orders_numbered_per_customer") in upstream_of_ltv
    upstream_of_funnel = _upstream(asset_graph, dg.AssetKey("referral_funnel_monthly"))
    assert {
        dg.AssetKey(["landing", "messages_batch"]),
        dg.AssetKey(["landing", "referral_events_batch"]),
    } <= upstream_of_funnel
    published_from = asset_graph.get(PUBLISHED).parent_keys
    assert {dg.AssetKey(mart) for mart in LAYERS["marts"]} <= published_from
    assert set(LANDING) <= _upstream(asset_graph, PUBLISHED)


def test_every_landing_asset_has_a_blocking_gate_that_runs_before_its_merge(asset_graph):
    for source in SOURCES:
        key = dg.AssetCheckKey(
            dg.AssetKey(["landing", f"{source}_batch"]), f"landing_{source}_batch_meets_suite"
        )
        assert key in asset_graph.asset_check_keys
        assert asset_graph.get_check_spec(key).blocking
    # the merge depends on the landing asset, so the blocking gate stops it
    assert dg.AssetKey(["landing", "orders_batch"]) in asset_graph.get(RAW[0]).parent_keys


def test_every_raw_source_has_a_freshness_check(asset_graph):
    names = {key.name for key in asset_graph.asset_check_keys}
    assert {
        "shop_orders_is_fresh",
        "referrals_referral_codes_is_fresh",
        "referrals_referral_events_is_fresh",
        "messaging_message_events_is_fresh",
    } <= names


def test_dbt_tests_are_asset_checks(asset_graph):
    checks = {(key.asset_key, key.name) for key in asset_graph.asset_check_keys}
    assert (dg.AssetKey("stg_shop__orders"), "unique_stg_shop__orders_order_id") in checks
    # source tests run by dbt build show on the raw assets
    assert (dg.AssetKey(["shop", "orders"]), "source_unique_shop_orders_order_id") in checks


def test_marts_rebuild_declaratively_when_their_inputs_change(asset_graph):
    for mart in LAYERS["marts"]:
        assert asset_graph.get(dg.AssetKey(mart)).automation_condition is not None, mart


def test_warehouse_job_runs_everything_one_step_at_a_time_as_the_only_writer():
    job = defs.resolve_job_def("warehouse_job")
    assert job.executor_def.name == "in_process"
    selected = job.asset_layer.selected_asset_keys
    assert {*LANDING, *RAW, PUBLISHED, dg.AssetKey("customer_lifetime_value")} <= selected
    assert job.run_tags.get(WAREHOUSE_WRITER_TAG) == "writer"


def test_the_instance_queues_runs_so_only_one_writes_duckdb_at_a_time(tmp_path: Path):
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        assert queue.max_concurrent_runs == 1
        assert {"key": WAREHOUSE_WRITER_TAG, "limit": 1} in [
            dict(limit) for limit in queue.tag_concurrency_limits
        ]
        assert not instance.telemetry_enabled


def test_one_dbt_test_name_per_model_so_each_check_gets_one_result():
    manifest = json.loads(WAREHOUSE_DBT.manifest_path.read_text())
    seen: dict[tuple[str, str], str] = {}
    duplicates = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        key = (node["attached_node"], node["name"])
        if key in seen:
            duplicates.append(f"{node['name']} ({seen[key]} and {unique_id})")
        seen[key] = unique_id
    # Dagster keys a check by model and test name; give one of each pair its own `name:`
    assert duplicates == []


def test_duplicate_dbt_test_names_report_the_worst_result():
    key = dg.AssetKey("cohort_retention_monthly")
    events = [
        dg.AssetCheckResult(asset_key=key, check_name="same_name", passed=True),
        dg.MaterializeResult(asset_key=key),
        dg.AssetCheckResult(
            asset_key=key,
            check_name="same_name",
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
        ),
    ]
    out = list(one_result_per_check(events))
    checks = [event for event in out if isinstance(event, dg.AssetCheckResult)]
    assert len(out) == 2
    assert [check.passed for check in checks] == [False]


def test_model_outputs_are_yielded_after_the_models_they_read_whatever_order_dbt_finished_in():
    """The asset graph (parsed without --vars) is what Dagster checks the order against."""
    source, spine, orders, mart = (dg.AssetKey(name) for name in ("raw", "spine", "orders", "mart"))
    deps = {orders: {source}, spine: {orders}, mart: {spine, orders}}
    keys = {"orders": orders, "spine": spine, "mart": mart}
    check = dg.AssetCheckResult(asset_key=mart, check_name="not_null", passed=True)
    finished = [dg.Output(None, "spine"), check, dg.Output(None, "mart"), dg.Output(None, "orders")]
    ordered = in_dependency_order(finished, keys, deps)
    # orders (reads only the raw source) -> spine (reads orders) -> mart; the check after them
    assert [getattr(event, "output_name", "check") for event in ordered] == [
        "orders",
        "spine",
        "mart",
        "check",
    ]


def test_manifest_is_stale_when_a_model_is_newer_than_it(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "dbt_project", project / "dbt_project")
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copyfile(REPO_ROOT / name, project / name)
    from dagster_dbt import DbtProject

    copy = DbtProject(project_dir=project, profiles_dir=project)
    assert manifest_is_stale(copy)  # no target/manifest.json yet
    copy.manifest_path.parent.mkdir(parents=True)
    copy.manifest_path.write_text("{}")
    assert not manifest_is_stale(copy)
    model = next((project / "dbt_project" / "models").rglob("*.sql"))
    os.utime(model, (copy.manifest_path.stat().st_mtime + 10,) * 2)
    assert manifest_is_stale(copy)


@pytest.mark.integration
def test_a_fresh_clone_builds_its_manifest_without_dbt_on_path_then_loads_the_definitions(
    tmp_path: Path,
):
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copyfile(REPO_ROOT / name, clone / name)
    for folder in ("dbt_project", "seeds", "orchestration", "warehouse", "expectations"):
        shutil.copytree(
            REPO_ROOT / folder, clone / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "DBT_TARGET_PATH", "DBT_PROFILES_DIR")
    }
    # a PATH without the virtualenv: project.py must find the dbt next to the interpreter
    env["PATH"] = "/usr/bin:/bin"
    env["DUCKDB_PATH"] = str(tmp_path / "warehouse.duckdb")
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            # what `make install` runs, then what `dagster` loads
            "from orchestration.project import build_manifest_if_stale; build_manifest_if_stale(); "
            "from orchestration.definitions import defs; "
            "print(len(defs.resolve_asset_graph().get_all_asset_keys()))",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert (clone / "target" / "manifest.json").exists()
    assert int(completed.stdout.strip().splitlines()[-1]) > 20


def test_freshness_passes_then_warns_then_fails_as_files_stop_arriving():
    now = datetime(2025, 3, 10, 12, 0)
    warn, error = timedelta(hours=26), timedelta(hours=74)
    assert freshness_result(now - timedelta(hours=2), warn, error, now).passed
    late = freshness_result(now - timedelta(hours=30), warn, error, now)
    assert not late.passed and late.severity == dg.AssetCheckSeverity.WARN
    stopped = freshness_result(now - timedelta(days=4), warn, error, now)
    assert not stopped.passed and stopped.severity == dg.AssetCheckSeverity.ERROR
    never = freshness_result(None, warn, error, now)
    assert not never.passed and never.severity == dg.AssetCheckSeverity.ERROR


def test_only_a_duckdb_lock_conflict_is_retried():
    locked = duckdb.IOException('Could not set lock on file "w.duckdb": Conflicting lock is held')
    assert is_transient(locked)
    assert not is_transient(duckdb.CatalogException("Table with name orders does not exist"))
    with pytest.raises(dg.Failure) as failure, fail_fast_unless_transient("merging orders"):
        raise ValueError("rows do not add up")
    assert failure.value.allow_retries is False
    with pytest.raises(duckdb.IOException), fail_fast_unless_transient("merging orders"):
        raise locked
