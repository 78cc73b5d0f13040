"""The dbt project as Dagster assets: staging -> intermediate -> marts, dbt tests as asset checks.

dbt runs `build` in its own process (DbtCliResource), so no Python step holds the DuckDB file
meanwhile. Row counts and column schemas are read afterwards through dbt's adapter, read-only.
"""

import json
import shutil
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)

from orchestration.assets.retries import TRANSIENT_RETRY
from orchestration.project import WAREHOUSE_DBT
from orchestration.warehouse import duckdb_path

DBT_LAYERS = ("staging", "intermediate", "marts")
OWNERS = ["team:analytics-engineering"]


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Sources keep the default key [source, table], which is the raw asset's key (shop/orders);
    models and seeds are keyed by their name; groups follow the model folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        key = super().get_asset_key(dbt_resource_props)
        meta = dbt_resource_props.get("config", {}).get("meta", {}) or {}
        if dbt_resource_props["resource_type"] == "source" or "dagster" in meta:
            return key
        # the default prefixes the configured schema (marts/customer_lifetime_value); the
        # architecture keys models by name alone
        return dg.AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if len(fqn) > 2 and fqn[1] in DBT_LAYERS:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return [*(super().get_owners(dbt_resource_props) or []), *OWNERS]

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.AutomationCondition | None:
        # a model rebuilds once whatever it reads changed (e.g. a raw table materialized on its
        # own from the UI); the warehouse job builds everything anyway, so this adds no runs there
        if dbt_resource_props["resource_type"] == "model":
            return dg.AutomationCondition.eager()
        return None


TRANSLATOR = WarehouseDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)


def _release_duckdb(invocation: DbtCliInvocation) -> None:
    """Close the read-only connection dbt-duckdb keeps open after fetching row counts.

    dbt-duckdb caches one DuckDB instance per process; left open, the next Python step in this
    process cannot open the same file read-write ("different configuration").
    """
    adapter = invocation.adapter
    if adapter is None:
        return
    adapter.cleanup_connections()
    manager = type(adapter.connections)
    if not hasattr(manager, "close_all_connections") or not hasattr(manager, "env"):
        return
    try:
        environment = manager.env()
    except Exception:  # no environment was ever created: nothing is open
        return
    manager.close_all_connections()
    environment.close()


@cache
def _manifest_database() -> str | None:
    manifest = json.loads(WAREHOUSE_DBT.manifest_path.read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            return node.get("database")
    return None


def manifest_matches_warehouse() -> bool:
    """dagster-dbt reads row counts with the relation names of the parsed manifest, and DuckDB
    names the database after the file: another file name than at parse time breaks them."""
    return _manifest_database() in (None, duckdb_path().stem)


def _remove_run_artifacts(invocation: DbtCliInvocation) -> None:
    """Drop the per-run target folder dagster-dbt made (target/warehouse_models-<run>-<id>)."""
    folder = invocation.target_path
    if folder.name.startswith("warehouse_models-") and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def _rank(result: dg.AssetCheckResult) -> tuple[bool, bool]:
    # failed ERROR < failed WARN < passed
    return (result.passed, result.severity == dg.AssetCheckSeverity.WARN)


def one_result_per_check(events: Iterable[Any]) -> Iterator[Any]:
    """Pass dbt's events through, with one result per asset check: the worst of its tests.

    dbt lets two tests on one model share a name (two `expression_is_true` on one column), but
    they map to the same Dagster check, which takes one result per run. Results are held back to
    the end (DuckDB makes dagster-dbt emit them after dbt exited anyway), even when dbt failed.
    """
    results: dict[tuple[dg.AssetKey | None, str], dg.AssetCheckResult] = {}

    def hold(result: dg.AssetCheckResult) -> None:
        key = (result.asset_key, result.check_name or "")
        previous = results.get(key)
        if previous is None or _rank(result) < _rank(previous):
            results[key] = result

    try:
        for event in events:
            if isinstance(event, dg.AssetCheckResult):
                hold(event)
            else:
                yield event
    except Exception:
        yield from results.values()
        raise
    yield from results.values()


def _is_lock_conflict(error: BaseException) -> bool:
    return "could not set lock" in str(error).lower()


@dbt_assets(
    manifest=WAREHOUSE_DBT.manifest_path,
    project=WAREHOUSE_DBT,
    dagster_dbt_translator=TRANSLATOR,
    retry_policy=TRANSIENT_RETRY,
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build and test every dbt model and seed in dependency order."""
    invocation = dbt.cli(["build"], context=context)
    try:
        events = invocation.stream()
        if manifest_matches_warehouse():
            events = events.fetch_row_counts().fetch_column_metadata()
        else:
            context.log.warning(
                f"{duckdb_path()} is not the DuckDB database the dbt manifest was parsed for "
                f"({_manifest_database()}): row counts and column metadata are skipped"
            )
        yield from one_result_per_check(events)
        # a failed build keeps its folder (compiled SQL, dbt.log) for debugging
        _remove_run_artifacts(invocation)
    except Exception as error:
        if _is_lock_conflict(error):
            raise
        # a failing model or test fails the same way on a retry
        raise dg.Failure(description=str(error), allow_retries=False) from error
    finally:
        _release_duckdb(invocation)
