"""The text `make run` prints after the job: what this run loaded, the warehouse totals, the
gates, and one headline per mart. Reads DuckDB read-only after the run (no step holds the file).

`RunFindings` is what the orchestrator reports about its run (orchestration/runner/findings.py
fills it from a Dagster result); everything else is read from the warehouse here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from warehouse.sources import SOURCES
from warehouse.summary.headlines import mart_headlines
from warehouse.summary.loads import (
    FileNote,
    SourceCounts,
    file_notes,
    load_counts,
    quarantine_by_rule,
    raw_row_counts,
)


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
    gate_checks = {spec.gate_check_name for spec in SOURCES.values()}
    gate_notes = [note for note in findings.checks if note.check in gate_checks]
    other_notes = [note for note in findings.checks if note not in gate_notes]
    lines += ["", "Gates (blocked or with warnings):"]
    lines += [line for note in gate_notes for line in _check_lines(note)] or ["  all passed"]
    if other_notes:
        lines += ["", "Other checks that did not pass:"]
        lines += [line for note in other_notes for line in _check_lines(note)]
    if summary is not None:
        lines += ["", "Marts:", *(f"  {line}" for line in summary.headlines)]
    return "\n".join(lines)
