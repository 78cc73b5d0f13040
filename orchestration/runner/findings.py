"""What a Dagster run reported, as the plain `RunFindings` the summary renders."""

from __future__ import annotations

from typing import Any

import dagster as dg

from warehouse.summary import CheckNote, RunFindings, StepFailure


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
