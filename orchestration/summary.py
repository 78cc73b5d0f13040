"""What `make run` prints after the job: what this run loaded, the warehouse totals, the gates,
and one headline per mart. Reads DuckDB read-only after the run (no step holds the file then).

Counts come from raw_meta.load_log, where every loaded file satisfies
rows_read = rows_loaded + rows_quarantined + rows_duplicate; `SourceCounts.adds_up` re-checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import duckdb

from orchestration.ingestion import SOURCES

LOAD_LOG = "raw_meta.load_log"


@dataclass(frozen=True)
class SourceCounts:
    """Rows of the loaded files of one source (one run's batches, or all of them)."""

    source: str
    files: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0

    @property
    def adds_up(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_duplicate


@dataclass(frozen=True)
class FileNote:
    """A file of this run that was not loaded: blocked by a gate, rejected, or a conflict."""

    source: str
    file_name: str
    status: str
    message: str


@dataclass(frozen=True)
class CheckNote:
    """An asset check of the run that did not pass (gate warning or block, freshness, dbt test)."""

    asset: str
    check: str
    severity: str
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepFailure:
    step: str
    message: str


@dataclass(frozen=True)
class RunFindings:
    """What the Dagster run reported: success, failed steps and checks that did not pass."""

    run_id: str
    success: bool
    failed_steps: list[StepFailure] = field(default_factory=list)
    checks: list[CheckNote] = field(default_factory=list)


@dataclass(frozen=True)
class WarehouseSummary:
    this_run: dict[str, SourceCounts]
    totals: dict[str, SourceCounts]
    file_notes: list[FileNote]
    quarantine_by_rule: list[tuple[str, str, int]]
    raw_row_counts: dict[str, int]
    headlines: list[str]


def _counts(
    con: duckdb.DuckDBPyConnection, where: str, params: list[Any]
) -> dict[str, SourceCounts]:
    rows = con.execute(
        f"""
        select source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined),
            sum(rows_duplicate)
        from {LOAD_LOG}
        where status = 'loaded' and {where}
        group by 1
        """,
        params,
    ).fetchall()
    found = {row[0]: SourceCounts(row[0], *(int(value or 0) for value in row[1:])) for row in rows}
    return {source: found.get(source, SourceCounts(source)) for source in SOURCES}


def load_counts(
    con: duckdb.DuckDBPyConnection, batch_ids: Iterable[str] | None = None
) -> dict[str, SourceCounts]:
    """Per source: loaded files and their rows, for the given batches or for all of them."""
    if batch_ids is None:
        return _counts(con, "true", [])
    return _counts(con, "batch_id in (select unnest(?))", [list(batch_ids)])


def file_notes(con: duckdb.DuckDBPyConnection, batch_ids: Iterable[str]) -> list[FileNote]:
    rows = con.execute(
        f"""
        select source, file_name, status, coalesce(message, '')
        from {LOAD_LOG}
        where status != 'loaded' and batch_id in (select unnest(?))
        order by source, file_name
        """,
        [list(batch_ids)],
    ).fetchall()
    return [FileNote(*map(str, row)) for row in rows]


def quarantine_by_rule(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(source, rule, rows) over every quarantine table, largest first."""
    selects = [
        f"select '{name}' as source, rejection_reason as rule, count(*) as row_count "
        f"from {spec.quarantine_table} group by 1, 2"
        for name, spec in SOURCES.items()
    ]
    rows = con.execute(" union all ".join(selects) + " order by 3 desc, 1, 2").fetchall()
    return [(str(source), str(rule), int(count)) for source, rule, count in rows]


def raw_tables() -> list[str]:
    tables = []
    for spec in SOURCES.values():
        tables += [spec.raw_table, spec.raw_lines_table, spec.raw_history_table]
    return [table for table in tables if table]


def raw_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = {}
    for table in raw_tables():
        row = con.execute(f"select count(*) from {table}").fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def _money(value: Any) -> str:
    return "n/a" if value is None else f"${float(value):,.2f}"


def _rate(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"


def _customers(con: duckdb.DuckDBPyConnection) -> str:
    customers, average, repeat = con.execute(
        "select count(*), avg(net_revenue_usd), avg(cast(is_repeat_customer as integer)) "
        "from marts.customer_lifetime_value"
    ).fetchone() or (0, None, None)
    return (
        f"customer_lifetime_value: {customers:,} customers, average net LTV {_money(average)}, "
        f"{_rate(repeat)} ordered more than once"
    )


def _repeat_rate(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        """
        select cohort_month, cohort_size, repeat_purchase_rate_90d
        from marts.cohort_repeat_purchase_rates
        where acquisition_channel = 'all' and repeat_purchase_rate_90d is not null
        order by cohort_month desc
        limit 1
        """
    ).fetchone()
    if row is None:
        return "cohort_repeat_purchase_rates: no cohort has had 90 days yet"
    month, size, rate = row
    return (
        f"cohort_repeat_purchase_rates: latest complete cohort {month:%Y-%m} ({size:,} customers)"
        f" repeat within 90 days: {_rate(rate)}"
    )


def _segments(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "select rfm_segment, count(*) from marts.customer_rfm_segments "
        "group by 1 order by 2 desc, 1 limit 3"
    ).fetchall()
    top = ", ".join(f"{segment} {count:,}" for segment, count in rows) or "no customers"
    return f"customer_rfm_segments: top segments {top}"


def _referrals(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        """
        select order_month, referral_linked_order_count, previous_month_referral_linked_order_count,
            target_referral_linked_order_count, is_target_applicable, is_target_met,
            is_month_complete
        from marts.referral_linked_purchases
        order by order_month desc
        limit 1
        """
    ).fetchone()
    if row is None:
        return "referral_linked_purchases: no referral-linked purchases yet"
    month, orders, previous, target, applicable, met, complete = row
    verdict = (
        "target not applicable yet"
        if not applicable
        else f"target {target} {'met' if met else 'not met'}"
    )
    return (
        f"referral_linked_purchases: {month:%Y-%m}{'' if complete else ' (month running)'} "
        f"{orders:,} referral-linked orders vs {'n/a' if previous is None else f'{previous:,}'} "
        f"the month before; {verdict}"
    )


HEADLINES: list[Callable[[duckdb.DuckDBPyConnection], str]] = [
    _customers,
    _repeat_rate,
    _segments,
    _referrals,
]


def mart_headlines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per mart headline; a mart that is missing or changed shape says so instead."""
    lines = []
    for headline in HEADLINES:
        try:
            lines.append(headline(con))
        except duckdb.Error as error:
            name = headline.__name__.strip("_")
            lines.append(f"{name}: not available ({str(error).splitlines()[0]})")
    return lines


def read_summary(con: duckdb.DuckDBPyConnection, batch_ids: Iterable[str]) -> WarehouseSummary:
    batch_ids = list(batch_ids)
    return WarehouseSummary(
        this_run=load_counts(con, batch_ids),
        totals=load_counts(con),
        file_notes=file_notes(con, batch_ids),
        quarantine_by_rule=quarantine_by_rule(con),
        raw_row_counts=raw_row_counts(con),
        headlines=mart_headlines(con),
    )


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def run_findings(result: dg.ExecuteInProcessResult) -> RunFindings:
    """Failed steps (with their error) and every check that did not pass, from a run's events."""
    failures = [
        StepFailure(
            event.step_key or "?",
            event.step_failure_data.error.message.strip() if event.step_failure_data.error else "",
        )
        for event in result.get_step_failure_events()
    ]
    checks = [
        CheckNote(
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            severity=evaluation.severity.value,
            description=evaluation.description or "",
            metadata={name: _plain(value) for name, value in evaluation.metadata.items()},
        )
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    return RunFindings(result.run_id, result.success, failures, checks)


def _counts_table(counts: dict[str, SourceCounts]) -> list[str]:
    lines = [
        f"  {'source':<16}{'files':>7}{'read':>10}{'loaded':>10}{'quarant.':>10}{'dupl.':>8}",
    ]
    for row in counts.values():
        flag = "" if row.adds_up else "   <- does not add up"
        lines.append(
            f"  {row.source:<16}{row.files:>7,}{row.rows_read:>10,}{row.rows_loaded:>10,}"
            f"{row.rows_quarantined:>10,}{row.rows_duplicate:>8,}{flag}"
        )
    return lines


_GATE_FIELDS = ("records_quarantined", "errors_failed", "warnings_failed", "data_docs_path")


def _check_lines(note: CheckNote) -> list[str]:
    lines = [f"  [{note.severity}] {note.asset} {note.check}: {note.description}".rstrip(": ")]
    for name in _GATE_FIELDS:
        if note.metadata.get(name) not in (None, "", 0):
            lines.append(f"      {name}: {note.metadata[name]}")
    failing = note.metadata.get("failing_expectations")
    if failing and failing != "No expectation failed.":
        lines += [f"      {line}" for line in str(failing).splitlines()]
    return lines


def render(findings: RunFindings, summary: WarehouseSummary | None) -> str:
    """The text `make run` prints."""
    verdict = "succeeded" if findings.success else "FAILED"
    lines = [f"warehouse_job run {findings.run_id} {verdict}", ""]
    for failure in findings.failed_steps:
        lines.append(f"  failed step {failure.step}: {failure.message.splitlines()[0][:300]}")
    if findings.failed_steps:
        lines.append("")
    if summary is not None:
        lines += ["This run (files loaded by this run):", *_counts_table(summary.this_run), ""]
        if summary.file_notes:
            lines.append("Files of this run that were not loaded:")
            lines += [
                f"  {note.source}/{note.file_name}: {note.status} {note.message[:200]}"
                for note in summary.file_notes
            ]
            lines.append("")
        lines += ["Warehouse totals (raw_meta.load_log, all runs):", *_counts_table(summary.totals)]
        lines += ["", "Raw tables:"]
        lines += [
            f"  {table:<34}{count:>10,} rows" for table, count in summary.raw_row_counts.items()
        ]
        lines += ["", "Quarantined rows by rule (all runs):"]
        width = max((len(rule) for _, rule, _ in summary.quarantine_by_rule), default=0) + 2
        lines += [
            f"  {source:<16}{rule:<{width}}{count:>7,}"
            for source, rule, count in summary.quarantine_by_rule
        ] or ["  none"]
    gate_notes = [note for note in findings.checks if note.check.endswith("_batch_meets_suite")]
    other_notes = [note for note in findings.checks if note not in gate_notes]
    lines += ["", "Gates (blocked or with warnings):"]
    lines += [line for note in gate_notes for line in _check_lines(note)] or ["  all passed"]
    if other_notes:
        lines += ["", "Other checks that did not pass:"]
        lines += [line for note in other_notes for line in _check_lines(note)]
    if summary is not None:
        lines += ["", "Marts:", *(f"  {line}" for line in summary.headlines)]
    return "\n".join(lines)
