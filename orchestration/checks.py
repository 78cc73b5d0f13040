"""Asset checks: the Great Expectations gate on every staged batch, and raw-source freshness.

`landing_<source>_batch_meets_suite` is a blocking check on landing/<source>_batch (names from
warehouse/sources.py). When an error-severity
expectation fails beyond its tolerance it fails with severity ERROR: the batch is logged as
blocked, and the raw merge plus everything downstream of it (dbt, publication) is skipped in
that run. Warnings fail the check with severity WARN, which blocks nothing.

`<system>_<table>_is_fresh` checks on the raw tables fail when a source's newest loaded row is
older than the freshness settings allow (files stopped arriving, or every new batch was blocked).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
import duckdb as duckdb_module

from orchestration.assets.ingestion import current_batch_id, landing_key, raw_keys
from orchestration.assets.retries import TRANSIENT_RETRY, fail_fast_unless_transient
from warehouse.connection import open_warehouse
from warehouse.gates import GateOutcome, validate_batch
from warehouse.ingestion import record_blocked_batch
from warehouse.settings import Settings
from warehouse.sources import SOURCES


def gate_metadata(outcome: GateOutcome) -> dict[str, Any]:
    """The gate's metadata with its markdown tables and Data Docs page rendered by the UI."""
    metadata: dict[str, Any] = {}
    for name, value in outcome.as_metadata().items():
        if name.endswith("_md"):
            metadata[name.removesuffix("_md")] = dg.MetadataValue.md(str(value))
        elif name == "data_docs_path" and value:
            metadata[name] = dg.MetadataValue.path(str(value))
        else:
            metadata[name] = value
    return metadata


def gate_result(outcome: GateOutcome) -> dg.AssetCheckResult:
    """Blocked -> failed with ERROR; warnings only -> failed with WARN; otherwise passed."""
    if not outcome.success:
        severity = dg.AssetCheckSeverity.ERROR
    elif outcome.has_warnings:
        severity = dg.AssetCheckSeverity.WARN
    else:
        return dg.AssetCheckResult(
            passed=True, metadata=gate_metadata(outcome), description=outcome.summary_line()
        )
    return dg.AssetCheckResult(
        passed=False,
        severity=severity,
        metadata=gate_metadata(outcome),
        description=outcome.summary_line(),
    )


def _gate_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=landing_key(source),
        name=SOURCES[source].gate_check_name,
        blocking=True,
        description=(
            f"Great Expectations suite(s) for {source} on the staged batch: failing rows are "
            "quarantined; an error rule beyond its tolerance blocks the batch and stops the "
            "merge and everything downstream."
        ),
        retry_policy=TRANSIENT_RETRY,
    )
    def _gate(
        context: dg.AssetCheckExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.AssetCheckResult:
        batch_id = current_batch_id(context, source)
        with fail_fast_unless_transient(f"gate {source}"), open_warehouse(settings) as con:
            outcome = validate_batch(con, source, batch_id, settings)
            if not outcome.success:
                record_blocked_batch(con, source, batch_id, outcome.summary_line())
        if outcome.success:
            context.log.info(outcome.summary_line())
        else:
            context.log.error(outcome.summary_line())
        return gate_result(outcome)

    return _gate


def _newest_load(con: duckdb_module.DuckDBPyConnection, table: str) -> datetime | None:
    try:
        row = con.execute(f"select max(_loaded_at) from {table}").fetchone()
    except duckdb_module.CatalogException:  # the raw schema was never created: nothing loaded
        return None
    return row[0] if row and row[0] is not None else None


def freshness_result(
    newest: datetime | None, warn_after: timedelta, error_after: timedelta, now: datetime
) -> dg.AssetCheckResult:
    """Pass when the newest row was loaded within warn_after; WARN, then ERROR past error_after."""
    limits = {
        "warn_after_hours": warn_after / timedelta(hours=1),
        "error_after_hours": error_after / timedelta(hours=1),
    }
    if newest is None:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=limits,
            description="nothing loaded yet",
        )
    age = now - newest
    metadata: dict[str, Any] = {
        **limits,
        "newest_loaded_at": newest.isoformat(),
        "age_hours": round(age / timedelta(hours=1), 2),
    }
    if age <= warn_after:
        return dg.AssetCheckResult(passed=True, metadata=metadata)
    severity = dg.AssetCheckSeverity.ERROR if age > error_after else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        passed=False,
        severity=severity,
        metadata=metadata,
        description=f"no new rows for {metadata['age_hours']} h: have files stopped arriving?",
    )


def _freshness_check(source: str) -> dg.AssetChecksDefinition:
    spec = SOURCES[source]
    table = spec.raw_table

    @dg.asset_check(
        asset=raw_keys(source)[0],
        name=spec.freshness_check_name,
        description=(
            f"Newest row of {table} loaded within FRESHNESS_WARN_AFTER_HOURS (warn) / "
            f"FRESHNESS_ERROR_AFTER_HOURS (error): fails when {source} files stop arriving or "
            "every new batch is blocked."
        ),
        retry_policy=TRANSIENT_RETRY,
    )
    def _fresh(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
        with (
            fail_fast_unless_transient(f"freshness {source}"),
            open_warehouse(settings, read_only=True) as con,
        ):
            newest = _newest_load(con, table)
        # _loaded_at is a naive UTC timestamp (landing contract)
        now = datetime.now(UTC).replace(tzinfo=None)
        warn_after = timedelta(hours=settings.freshness_warn_after_hours)
        error_after = timedelta(hours=settings.freshness_error_after_hours)
        return freshness_result(newest, warn_after, error_after, now)

    return _fresh


GATE_CHECKS = [_gate_check(source) for source in SOURCES]
FRESHNESS_CHECKS = [_freshness_check(source) for source in SOURCES]
INPUT_CHECKS = [*GATE_CHECKS, *FRESHNESS_CHECKS]
