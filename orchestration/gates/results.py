"""Read GX validation results: one `ExpectationResult` per expectation, and the failing rows.

Everything GX-result-shaped is read here (with gx_runner.py the only GX-aware modules besides
`load_suite`), so the rest of the gate works on plain dataclasses and frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from orchestration.gates.suites import column_of, rule_name

SAMPLE_SIZE = 10
# kwargs that say which columns a rule reads, not what it requires of them
_DOMAIN_KWARGS = ("column", "column_A", "column_B", "column_list", "condition_parser")
_THRESHOLD_KWARGS = (
    "min_value",
    "max_value",
    "strict_min",
    "strict_max",
    "or_equal",
    "value_set",
    "regex",
    "type_list",
    "row_condition",
    "ignore_row_if",
    "mostly",
)


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation on one batch."""

    suite: str
    name: str
    expectation_type: str
    column: str | None
    severity: str
    scope: str
    success: bool
    observed_value: str
    threshold: str
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    sample_keys: tuple[str, ...] = ()
    exception: str | None = None

    @property
    def quarantines(self) -> bool:
        """Row rules of severity error quarantine failing rows; warnings only report."""
        return self.scope == "row" and self.severity == "error"

    @property
    def blocks(self) -> bool:
        return not self.success and self.severity == "error"


def _exception_message(info: Any) -> str | None:
    """GX nests exception info per metric; return the first message that was raised."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        message = _exception_message(value)
        if message:
            return message
    return None


def _condition(row_condition: Any) -> str:
    """A row condition as its pandas text (GX 1.x wraps a string condition in a dict)."""
    if isinstance(row_condition, dict):
        return str(row_condition.get("pass_through_filter", row_condition))
    return str(row_condition)


def _threshold(kwargs: dict[str, Any]) -> str:
    if "column_set" in kwargs:
        return f"all {len(kwargs['column_set'])} contract columns present"
    parts = [
        f"{key}={_condition(kwargs[key]) if key == 'row_condition' else kwargs[key]}"
        for key in _THRESHOLD_KWARGS
        if kwargs.get(key) is not None
    ]
    return ", ".join(parts)


def _observed(result: dict[str, Any], exception: str | None) -> str:
    if exception:
        return f"error: {exception}"
    if "unexpected_count" in result:
        checked = result.get("element_count", 0) - (result.get("missing_count") or 0)
        percent = result.get("unexpected_percent") or 0.0
        return f"{result['unexpected_count']} of {checked} rows ({percent:.1f}%)"
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    if "missing" in mismatched:
        return "missing columns: " + ", ".join(mismatched["missing"])
    if "observed_value" in result:
        observed = result["observed_value"]
        return "all present" if isinstance(observed, list) else str(observed)
    return ""


def _sample_keys(index_list: list[dict[str, Any]], key_column: str) -> tuple[str, ...]:
    samples = []
    for entry in index_list[:SAMPLE_SIZE]:
        where = f"{entry.get('_source_file')}:{entry.get('_source_row_number')}"
        if "line_number" in entry:
            where += f" line {entry['line_number']}"
        key = entry.get(key_column)
        samples.append(f"{key} @ {where}" if key is not None else where)
    return tuple(samples)


def read_result(suite: str, gx_result: Any, key_column: str) -> ExpectationResult:
    """One GX ExpectationValidationResult as an ExpectationResult."""
    config = gx_result.expectation_config
    kwargs, meta = dict(config.kwargs), dict(config.meta or {})
    result = gx_result.result or {}
    exception = _exception_message(gx_result.exception_info)
    return ExpectationResult(
        suite=suite,
        name=rule_name(config.type, kwargs, meta),
        expectation_type=config.type,
        column=column_of(kwargs),
        severity=meta.get("severity", "error"),
        scope=meta.get("scope", "batch"),
        success=bool(gx_result.success) and exception is None,
        observed_value=_observed(result, exception),
        threshold=_threshold(kwargs),
        unexpected_count=result.get("unexpected_count"),
        unexpected_percent=result.get("unexpected_percent"),
        sample_keys=_sample_keys(result.get("unexpected_index_list") or [], key_column),
        exception=exception,
    )


def _domain_columns(kwargs: dict[str, Any]) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list", []))


FAILURE_COLUMNS = ["_source_file", "_source_row_number", "line_number", "rule", "detail"]


def failing_rows(gx_result: Any, rule: str) -> pd.DataFrame:
    """The rows one row rule rejected: identity, rule name and `column=value` detail.

    Built column-wise from GX's unexpected_index_list (one dict per failing row).
    """
    index_list = (gx_result.result or {}).get("unexpected_index_list") or []
    if not index_list:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    rows = pd.DataFrame(index_list)
    if "_source_file" not in rows or "_source_row_number" not in rows:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    domain = _domain_columns(dict(gx_result.expectation_config.kwargs))
    detail = pd.Series("", index=rows.index, dtype=object)
    if "line_number" in rows:
        detail = "line_number=" + rows["line_number"].astype(str) + ", "
    for position, column in enumerate(column for column in domain if column in rows):
        separator = "" if position == 0 else ", "
        detail = detail + separator + column + "=" + rows[column].astype(str)
    return pd.DataFrame(
        {
            "_source_file": rows["_source_file"].astype(str),
            "_source_row_number": rows["_source_row_number"].astype("int64"),
            "line_number": rows["line_number"] if "line_number" in rows else None,
            "rule": rule,
            "detail": detail.astype(str),
        }
    )
