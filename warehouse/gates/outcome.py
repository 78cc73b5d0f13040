"""What a gate returns: pass/block, every expectation's result, quarantine counts, Data Docs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.gates.results import ExpectationResult


def _cell(value: object) -> str:
    """Text safe inside a markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class GateOutcome:
    """The gate's verdict on one staged batch of one source.

    `success` is False when any error-severity expectation failed beyond its tolerance;
    `has_warnings` when a warning-severity one did, or when rows were quarantined within
    an error rule's tolerance (warnings never block).
    """

    source: str
    batch_id: str
    success: bool
    has_warnings: bool
    results: tuple[ExpectationResult, ...] = ()
    rows_validated: dict[str, int] = field(default_factory=dict)
    # quarantine rows written per rule, and distinct records they cover
    quarantined: dict[str, int] = field(default_factory=dict)
    records_quarantined: int = 0
    data_docs_path: Path | None = None
    # every page of the run: "<suite> <run name>" -> HTML file (one per suite and chunk)
    data_docs_pages: dict[str, Path] = field(default_factory=dict)
    # chunks the batch was validated in (first pass; see frames.CHUNK_ROWS)
    chunks: int = 1
    seconds: float = 0.0

    @property
    def failed(self) -> list[ExpectationResult]:
        """Expectations that failed: errors first, then warnings."""
        failed = [result for result in self.results if not result.success]
        return sorted(failed, key=lambda result: result.severity != "error")

    @property
    def blocking(self) -> list[ExpectationResult]:
        return [result for result in self.results if result.blocks]

    def failing_table(self) -> str:
        """Markdown table of the failed expectations."""
        if not self.failed:
            return "No expectation failed."
        lines = [
            "| expectation | suite | severity | scope | observed | threshold | sample |",
            "|---|---|---|---|---|---|---|",
        ]
        for result in self.failed:
            sample = ", ".join(result.sample_keys[:3])
            cells = (
                result.name,
                result.suite,
                result.severity,
                result.scope,
                result.observed_value,
                result.threshold,
                sample,
            )
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        return "\n".join(lines)

    def quarantine_table(self) -> str:
        """Markdown table of the quarantine rows written per rule."""
        if not self.quarantined:
            return "Nothing quarantined."
        lines = ["| rule | rows |", "|---|---|"]
        lines += [
            f"| {_cell(rule)} | {count} |" for rule, count in sorted(self.quarantined.items())
        ]
        return "\n".join(lines)

    def as_metadata(self) -> dict[str, Any]:
        """A flat dict for Dagster metadata: plain values, two markdown tables, the docs path."""
        return {
            "gate_passed": self.success,
            "has_warnings": self.has_warnings,
            "batch_id": self.batch_id,
            "rows_validated": sum(self.rows_validated.values()),
            "expectations_evaluated": len(self.results),
            "errors_failed": sum(1 for r in self.failed if r.severity == "error"),
            "warnings_failed": sum(1 for r in self.failed if r.severity == "warning"),
            "records_quarantined": self.records_quarantined,
            "quarantine_rows": sum(self.quarantined.values()),
            "failing_expectations_md": self.failing_table(),
            "quarantined_by_rule_md": self.quarantine_table(),
            "data_docs_path": str(self.data_docs_path) if self.data_docs_path else "",
            "chunks": self.chunks,
            "gate_seconds": round(self.seconds, 2),
        }

    def summary_line(self) -> str:
        """One line for logs: verdict, what failed, what was quarantined."""
        verdict = "passed" if self.success else "BLOCKED"
        rows = sum(self.rows_validated.values())
        line = f"gate {self.source} batch {self.batch_id}: {verdict} on {rows} rows"
        blocking = self.blocking
        if blocking:
            shown = "; ".join(f"{r.name} {r.observed_value} [{r.threshold}]" for r in blocking[:3])
            more = f" and {len(blocking) - 3} more" if len(blocking) > 3 else ""
            line += f"; {len(blocking)} error rule(s) failed: {shown}{more}"
        warnings = [r.name for r in self.failed if r.severity == "warning"]
        if warnings:
            line += f"; warnings: {', '.join(warnings)}"
        if self.records_quarantined:
            line += f"; {self.records_quarantined} record(s) quarantined"
        return line
