"""Ingestion assets: stage each source's new landing files, then merge the gated batch into raw.

Per source there are two steps with the gate between them:

    landing/<source>_batch  --(landing_<source>_batch_meets_suite, blocking)-->  raw table asset(s)

Keys and names come from warehouse/sources.py. The landing asset parses new files into
`<raw>.<table>__staged` (batch id = source + run id), the
blocking gate in orchestration/checks.py validates that batch, and only when it passes does the
raw asset merge the batch into the raw tables that dbt reads as sources.
"""

from typing import Any

import dagster as dg
from duckdb import DuckDBPyConnection

from orchestration.assets.retries import TRANSIENT_RETRY, fail_fast_unless_transient
from warehouse.connection import open_warehouse
from warehouse.ingestion import LoadReport, ensure_raw_schema, merge_staged, stage_new_files
from warehouse.settings import Settings
from warehouse.sources import ORDERS, SOURCES

INGESTION_GROUP = "ingestion"
OWNERS = ["team:data-platform"]


def landing_key(source: str) -> dg.AssetKey:
    """landing/<source>_batch: the staged batch of one source's new files."""
    return dg.AssetKey(SOURCES[source].landing_asset_path)


def raw_keys(source: str) -> list[dg.AssetKey]:
    """The raw table assets one source's merge writes (orders: orders, lines, history)."""
    return [dg.AssetKey(path) for path in SOURCES[source].raw_asset_paths]


def raw_table_name(source: str, key: dg.AssetKey) -> str:
    """["shop", "orders"] of source orders -> raw_shop.orders."""
    return SOURCES[source].qualified(key.path[-1])


def current_batch_id(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext, source: str
) -> str:
    """The batch the latest landing/<source> materialization staged.

    Read from the instance rather than recomputed from this run's id, so a run re-executed from
    a failed gate or merge works on the batch its parent run staged.
    """
    event = context.instance.get_latest_materialization_event(landing_key(source))
    materialization = event.asset_materialization if event else None
    if materialization is not None and "batch_id" in materialization.metadata:
        return str(materialization.metadata["batch_id"].value)
    return SOURCES[source].batch_id(context.run.run_id)


def table_row_count(con: DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"select count(*) from {table}").fetchone()
    return int(row[0]) if row else 0


def _landing_asset(source: str) -> dg.AssetsDefinition:
    spec = SOURCES[source]
    formats = ", ".join(spec.formats)
    folder = spec.landing_folder

    @dg.asset(
        key=landing_key(source),
        group_name=INGESTION_GROUP,
        kinds={"duckdb"},
        owners=OWNERS,
        description=(
            f"New {source} files from the landing folder {folder}/ ({formats}), parsed into "
            f"{spec.staged_table}; parse defects go to {spec.quarantine_table}."
        ),
        metadata={"landing_folder": folder, "staged_table": spec.staged_table},
        retry_policy=TRANSIENT_RETRY,
    )
    def _stage(
        context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.MaterializeResult:
        batch_id = spec.batch_id(context.run.run_id)
        with fail_fast_unless_transient(f"staging {source}"), open_warehouse(settings) as con:
            ensure_raw_schema(con)
            report = stage_new_files(con, source, settings.landing_dir, batch_id)
        for conflict in report.conflicts:
            context.log.warning(
                f"{source}: {conflict.file_name} changed after it was loaded and is not loaded "
                f"again ({conflict.message}); put corrections in a new file"
            )
        for rejected in report.rejected_files:
            context.log.warning(f"{source}: {rejected.file_name} rejected ({rejected.message})")
        context.log.info(
            f"{source} batch {batch_id}: {len(report.staged_files)} new file(s), "
            f"{report.rows_read} rows read, {report.rows_staged} staged, "
            f"{report.rows_quarantined} quarantined, {report.rows_duplicate} duplicates"
        )
        return dg.MaterializeResult(
            metadata={**report.as_metadata(), "landing_dir": str(settings.landing_dir)}
        )

    return _stage


def _raw_metadata(report: LoadReport, row_count: int, settings: Settings) -> dict[str, Any]:
    return {
        **report.as_metadata(),
        "dagster/row_count": row_count,
        "max_file_age_warn_hours": settings.freshness_warn_after_hours,
        "max_file_age_error_hours": settings.freshness_error_after_hours,
    }


def _merge(
    context: dg.AssetExecutionContext, settings: Settings, source: str
) -> tuple[LoadReport, dict[dg.AssetKey, int]]:
    batch_id = current_batch_id(context, source)
    keys = raw_keys(source)
    with fail_fast_unless_transient(f"merging {source}"), open_warehouse(settings) as con:
        report = merge_staged(con, source, batch_id)
        counts = {key: table_row_count(con, raw_table_name(source, key)) for key in keys}
    context.log.info(
        f"{source} batch {batch_id}: {report.rows_loaded} rows loaded from "
        f"{len(report.files)} file(s), {report.rows_quarantined} quarantined, "
        f"{report.rows_duplicate} duplicates"
    )
    return report, counts


def _raw_asset(source: str) -> dg.AssetsDefinition:
    """One raw table fed by one source (referral codes, referral events, messages)."""
    spec = SOURCES[source]
    (key,) = raw_keys(source)

    @dg.asset(
        key=key,
        deps=[landing_key(source)],
        group_name=INGESTION_GROUP,
        kinds={"duckdb"},
        owners=OWNERS,
        description=(
            f"{spec.raw_table}: the gated {source} batches merged ({spec.merge}), read by dbt as "
            f"source {'.'.join(key.path)}."
        ),
        metadata={"table": spec.raw_table},
        retry_policy=TRANSIENT_RETRY,
    )
    def _load(
        context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.MaterializeResult:
        report, counts = _merge(context, settings, source)
        return dg.MaterializeResult(metadata=_raw_metadata(report, counts[key], settings))

    return _load


def _orders_asset() -> dg.AssetsDefinition:
    """Orders feed three raw tables in one merge: current orders, their lines and the history."""
    spec = ORDERS
    orders_key, lines_key, history_key = raw_keys(spec.name)
    descriptions = {
        orders_key: f"{spec.raw_table}: one row per order, its latest version (dbt shop.orders).",
        lines_key: f"{spec.raw_lines_table}: the line items of each order's current version.",
        history_key: f"{spec.raw_history_table}: every accepted order version, append-only.",
    }

    @dg.multi_asset(
        name=f"{spec.system}__{spec.table}_merge",
        specs=[
            dg.AssetSpec(
                key,
                deps=[landing_key(spec.name)],
                group_name=INGESTION_GROUP,
                kinds={"duckdb"},
                owners=OWNERS,
                description=description,
                metadata={"table": raw_table_name(spec.name, key)},
            )
            for key, description in descriptions.items()
        ],
        retry_policy=TRANSIENT_RETRY,
    )
    def _load(context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]):
        report, counts = _merge(context, settings, spec.name)
        yield dg.MaterializeResult(
            asset_key=orders_key, metadata=_raw_metadata(report, counts[orders_key], settings)
        )
        for key in (lines_key, history_key):
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "batch_id": report.batch_id,
                    "current_rows_changed": report.current_rows_changed,
                    "dagster/row_count": counts[key],
                },
            )

    return _load


LANDING_ASSETS = [_landing_asset(source) for source in SOURCES]
RAW_ASSETS = [
    _orders_asset(),
    *(_raw_asset(source) for source in SOURCES if source != ORDERS.name),
]
INGESTION_ASSETS = [*LANDING_ASSETS, *RAW_ASSETS]
