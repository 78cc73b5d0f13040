"""Ingestion assets: stage each source's new landing files, then merge the gated batch into raw.

Per source there are two steps with the gate between them:

    landing/<source>  --(<source>_batch_meets_suite, blocking)-->  raw table asset(s)

The landing asset parses new files into `<raw>.<table>__staged` (batch id = source + run id), the
blocking gate in orchestration/checks.py validates that batch, and only when it passes does the
raw asset merge the batch into the raw tables that dbt reads as sources.
"""

from datetime import timedelta
from typing import Any

import dagster as dg
from duckdb import DuckDBPyConnection

from orchestration.assets.retries import TRANSIENT_RETRY, fail_fast_unless_transient
from orchestration.ingestion import (
    SOURCES,
    LoadReport,
    SourceSpec,
    ensure_raw_schema,
    merge_staged,
    stage_new_files,
)
from orchestration.resources import WarehouseResource

INGESTION_GROUP = "ingestion"
OWNERS = ["team:data-platform"]

# How long each source may go without a newly loaded file; matches the dbt sources' freshness
# (warn_after 26 h, error_after 74 h): a daily drop may be a couple of hours late, and a whole
# weekend without files is an error. checks.py turns these into freshness checks.
MAX_FILE_AGE: dict[str, tuple[timedelta, timedelta]] = {
    "orders": (timedelta(hours=26), timedelta(hours=74)),
    "referral_codes": (timedelta(hours=26), timedelta(hours=74)),
    "referral_events": (timedelta(hours=26), timedelta(hours=74)),
    "messages": (timedelta(hours=26), timedelta(hours=74)),
}


def landing_key(source: str) -> dg.AssetKey:
    """["landing", <source>]: the staged batch of one source."""
    return dg.AssetKey(["landing", source])


def _raw_key(spec: SourceSpec, table: str) -> dg.AssetKey:
    # raw_shop.orders -> ["shop", "orders"]: the dbt source shop.orders gets the same key
    return dg.AssetKey([spec.schema.removeprefix("raw_"), table])


def raw_keys(source: str) -> list[dg.AssetKey]:
    """The raw table assets one source's merge writes (orders: orders, lines, history)."""
    spec = SOURCES[source]
    tables = [spec.table, spec.lines_table, spec.history_table]
    return [_raw_key(spec, table) for table in tables if table]


def raw_table_name(key: dg.AssetKey) -> str:
    """["shop", "orders"] -> raw_shop.orders."""
    schema, table = key.path
    return f"raw_{schema}.{table}"


def batch_id_for(run_id: str, source: str) -> str:
    """The batch a run stages for one source (a plain token: it names GX runs and logs)."""
    return f"{source}-{run_id}"


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
    return batch_id_for(context.run.run_id, source)


def table_row_count(con: DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"select count(*) from {table}").fetchone()
    return int(row[0]) if row else 0


def _landing_asset(source: str) -> dg.AssetsDefinition:
    spec = SOURCES[source]
    formats = ", ".join(spec.formats)

    @dg.asset(
        key=landing_key(source),
        group_name=INGESTION_GROUP,
        kinds={"duckdb"},
        owners=OWNERS,
        description=(
            f"New {source} files from the landing folder {spec.folder}/ ({formats}), parsed into "
            f"{spec.staged_table}; parse defects go to {spec.quarantine_table}."
        ),
        metadata={"landing_folder": spec.folder, "staged_table": spec.staged_table},
        retry_policy=TRANSIENT_RETRY,
    )
    def _stage(
        context: dg.AssetExecutionContext, duckdb: WarehouseResource
    ) -> dg.MaterializeResult:
        batch_id = batch_id_for(context.run.run_id, source)
        with fail_fast_unless_transient(f"staging {source}"), duckdb.connect() as con:
            ensure_raw_schema(con)
            report = stage_new_files(con, source, duckdb.landing_path(), batch_id)
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
            metadata={**report.as_metadata(), "landing_dir": str(duckdb.landing_path())}
        )

    return _stage


def _raw_metadata(report: LoadReport, row_count: int, source: str) -> dict[str, Any]:
    warn_after, error_after = MAX_FILE_AGE[source]
    return {
        **report.as_metadata(),
        "dagster/row_count": row_count,
        "max_file_age_warn_hours": warn_after / timedelta(hours=1),
        "max_file_age_error_hours": error_after / timedelta(hours=1),
    }


def _merge(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, source: str
) -> tuple[LoadReport, dict[dg.AssetKey, int]]:
    batch_id = current_batch_id(context, source)
    keys = raw_keys(source)
    with fail_fast_unless_transient(f"merging {source}"), warehouse.connect() as con:
        report = merge_staged(con, source, batch_id)
        counts = {key: table_row_count(con, raw_table_name(key)) for key in keys}
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
    def _load(context: dg.AssetExecutionContext, duckdb: WarehouseResource) -> dg.MaterializeResult:
        report, counts = _merge(context, duckdb, source)
        return dg.MaterializeResult(metadata=_raw_metadata(report, counts[key], source))

    return _load


def _orders_asset() -> dg.AssetsDefinition:
    """Orders feed three raw tables in one merge: current orders, their lines and the history."""
    spec = SOURCES["orders"]
    orders_key, lines_key, history_key = raw_keys("orders")
    descriptions = {
        orders_key: f"{spec.raw_table}: one row per order, its latest version (dbt shop.orders).",
        lines_key: f"{spec.raw_lines_table}: the line items of each order's current version.",
        history_key: f"{spec.raw_history_table}: every accepted order version, append-only.",
    }

    @dg.multi_asset(
        name="shop__orders_merge",
        specs=[
            dg.AssetSpec(
                key,
                deps=[landing_key("orders")],
                group_name=INGESTION_GROUP,
                kinds={"duckdb"},
                owners=OWNERS,
                description=description,
                metadata={"table": raw_table_name(key)},
            )
            for key, description in descriptions.items()
        ],
        retry_policy=TRANSIENT_RETRY,
    )
    def _load(context: dg.AssetExecutionContext, duckdb: WarehouseResource):
        report, counts = _merge(context, duckdb, "orders")
        yield dg.MaterializeResult(
            asset_key=orders_key, metadata=_raw_metadata(report, counts[orders_key], "orders")
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
    *(_raw_asset(source) for source in SOURCES if source != "orders"),
]
INGESTION_ASSETS = [*LANDING_ASSETS, *RAW_ASSETS]
