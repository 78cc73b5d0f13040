"""The dbt project as Dagster assets: staging -> intermediate -> marts, dbt tests as asset checks.

dbt runs `build` in its own process (DbtCliResource), so no Python step holds the DuckDB file
meanwhile. It gets the warehouse file, the store's currency, time zone and windows from the
`settings` resource as `--vars` (Settings.dbt_vars). Row counts and column schemas are read
afterwards, read-only, from the same file.
"""

import shutil
from collections.abc import Iterable, Iterator, Mapping
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
from warehouse.connection import open_warehouse
from warehouse.settings import Settings

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


def relation_metadata(events: Iterable[Any], settings: Settings) -> Iterator[Any]:
    """Add row counts and column schemas to the models' outputs, read once dbt has exited.

    dagster-dbt's fetch_row_counts() queries while dbt's own process still holds the DuckDB file,
    and such queries fail on its lock; counting afterwards, read-only, never races.
    """
    with open_warehouse(settings, read_only=True) as con:
        schemas = dict(
            con.execute(
                "select table_name, table_schema from information_schema.tables"
                " where table_schema not like 'raw%'"
            ).fetchall()
        )
        columns: dict[str, list[dg.TableColumn]] = {}
        for table, column, data_type in con.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append(dg.TableColumn(column, data_type.lower()))
        for event in events:
            name = str(getattr(event, "output_name", ""))
            if isinstance(event, dg.Output) and name in schemas:
                query = f'select count(*) from "{schemas[name]}"."{name}"'
                count = con.execute(query).fetchall()[0][0]
                event = event.with_metadata(
                    {
                        **event.metadata,
                        "dagster/row_count": dg.MetadataValue.int(count),
                        "dagster/column_schema": dg.TableSchema(columns=columns.get(name, [])),
                    }
                )
            yield event


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


def in_dependency_order(
    events: list[Any], keys_by_output: Mapping[str, dg.AssetKey], deps: Mapping[Any, Any]
) -> list[Any]:
    """The events with every model output after the outputs of the models it reads.

    dbt reports models in the order they finish, and Dagster refuses a multi-asset output yielded
    before one of its dependencies. dbt's DAG is the asset graph's only when both parse alike;
    sorting by depth in the asset graph keeps a step valid even if a var ever changes a ref.
    Outputs come first (stable within a depth), then the other events in their order.
    """
    depth: dict[dg.AssetKey, int] = {}

    def depth_of(key: dg.AssetKey, seen: frozenset[dg.AssetKey] = frozenset()) -> int:
        if key not in depth:
            parents = [dep for dep in deps.get(key, ()) if dep in deps and dep not in seen]
            depth[key] = 1 + max((depth_of(dep, seen | {key}) for dep in parents), default=-1)
        return depth[key]

    outputs = [event for event in events if isinstance(event, dg.Output)]
    others = [event for event in events if not isinstance(event, dg.Output)]
    outputs.sort(
        key=lambda event: (
            depth_of(keys_by_output[event.output_name])
            if event.output_name in keys_by_output
            else 0
        )
    )
    return [*outputs, *others]


def _is_lock_conflict(error: BaseException) -> bool:
    return "could not set lock" in str(error).lower()


@dbt_assets(
    manifest=WAREHOUSE_DBT.manifest_path,
    project=WAREHOUSE_DBT,
    dagster_dbt_translator=TRANSLATOR,
    retry_policy=TRANSIENT_RETRY,
)
def warehouse_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: dg.ResourceParam[Settings]
) -> Iterator[Any]:
    """Build and test every dbt model and seed in dependency order."""
    invocation = dbt.cli(["build", *settings.dbt_cli_args()], context=context)
    # events are held until dbt exits: the metadata reads below need the file to themselves
    events: list[Any] = []
    keys_by_output = context.assets_def.keys_by_output_name
    deps = context.assets_def.asset_deps
    try:
        events.extend(one_result_per_check(invocation.stream()))
    except Exception as error:
        yield from in_dependency_order(events, keys_by_output, deps)
        if _is_lock_conflict(error):
            raise
        # a failing model or test fails the same way on a retry
        raise dg.Failure(description=str(error), allow_retries=False) from error
    yield from relation_metadata(in_dependency_order(events, keys_by_output, deps), settings)
    # a failed build keeps its folder (compiled SQL, dbt.log) for debugging
    _remove_run_artifacts(invocation)
