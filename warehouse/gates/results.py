"""Read GX validation results: one `ExpectationResult` per expectation, and the failing rows.

Everything GX-result-shaped is read here (with gx_runner.py the only GX-aware modules besides
`load_suite`), so the rest of the gate works on plain dataclasses and frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from warehouse.gates.suites import column_of, rule_name

SAMPLE_SIZE = 10
# kwargs that say what a rule requires (the rest say which columns it reads)
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
    # rows the rule looked at (non-null values, or the rows matching its row_condition)
    checked_count: int | None = None
    mostly: float | None = None
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


def _shown(key: str, value: Any) -> str:
    """A kwarg as a reader wants it: GX turns bounds into floats (0 -> 0.0), we turn them back."""
    if key == "row_condition":
        return _condition(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _threshold(kwargs: dict[str, Any]) -> str:
    if "column_set" in kwargs:
        return f"all {len(kwargs['column_set'])} contract columns present"
    shown = [key for key in _THRESHOLD_KWARGS if kwargs.get(key) is not None]
    parts = [f"{key}={_shown(key, kwargs[key])}" for key in shown]
    return ", ".join(parts)


def _checked(result: dict[str, Any]) -> int | None:
    if "unexpected_count" not in result:
        return None
    return int(result.get("element_count") or 0) - int(result.get("missing_count") or 0)


def _share(unexpected: int, checked: int) -> str:
    percent = 100.0 * unexpected / checked if checked else 0.0
    return f"{unexpected} of {checked} rows ({percent:.1f}%)"


def _observed(result: dict[str, Any], exception: str | None) -> str:
    if exception:
        return f"error: {exception}"
    if "unexpected_count" in result:
        return _share(int(result["unexpected_count"]), _checked(result) or 0)
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    if "missing" in mismatched:
        return "missing columns: " + ", ".join(mismatched["missing"])
    if "observed_value" in result:
        observed = result["observed_value"]
        return "all present" if isinstance(observed, list) else str(observed)
    return ""


def _domain_columns(kwargs: dict[str, Any]) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list", []))


FAILURE_COLUMNS = ["_source_file", "_source_row_number", "line_number", "record_key", "detail"]


def _text(values: pd.Series) -> pd.Series:
    """Values as text for rejection_detail, with `null` for every kind of missing value."""
    return values.astype(str).where(values.notna(), "null")


def failing_rows(gx_result: Any, frame: pd.DataFrame, key_column: str) -> pd.DataFrame:
    """The rows a map expectation found unexpected, sorted by file and line: identity, the
    record's key and a `column=value` detail.

    GX returns the failing rows' index labels (the frame is indexed `file:line`); the rows are
    then taken from the validated frame in one vectorised lookup.
    """
    labels = (gx_result.result or {}).get("unexpected_index_list") or []
    if not labels or "_source_file" not in frame or "_source_row_number" not in frame:
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    rows = frame.loc[labels]
    identity = [c for c in ("_source_file", "_source_row_number", "line_number") if c in rows]
    rows = rows.sort_values(identity, ignore_index=True)
    domain = _domain_columns(dict(gx_result.expectation_config.kwargs))
    parts = [c + "=" + _text(rows[c]) for c in ["line_number", *domain] if c in rows]
    detail = parts[0].str.cat(parts[1:], sep=", ") if len(parts) > 1 else parts[0]
    return pd.DataFrame(
        {
            "_source_file": rows["_source_file"].astype(str),
            "_source_row_number": rows["_source_row_number"].astype("int64"),
            "line_number": rows.get("line_number"),
            "record_key": rows[key_column].astype(pd.StringDtype()) if key_column in rows else None,
            "detail": detail.astype(str),
        }
    )


def _sample_keys(failures: pd.DataFrame) -> tuple[str, ...]:
    """`key @ file:line` for the first offending rows (file:line when the key is missing)."""
    sample = failures.head(SAMPLE_SIZE)
    where = sample["_source_file"] + ":" + sample["_source_row_number"].astype(str)
    if sample["line_number"].notna().any():
        where = where + " line " + sample["line_number"].astype(str)
    keys = sample["record_key"]
    return tuple(where.where(keys.isna(), keys.astype(str) + " @ " + where))


def read_result(
    suite: str, gx_result: Any, failures: pd.DataFrame | None = None
) -> ExpectationResult:
    """One GX ExpectationValidationResult as an ExpectationResult (`failures`: its failing_rows)."""
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
        checked_count=_checked(result),
        mostly=kwargs.get("mostly"),
        sample_keys=_sample_keys(failures) if failures is not None and len(failures) else (),
        exception=exception,
    )


def merge_chunks(parts: list[ExpectationResult]) -> ExpectationResult:
    """One rule's results over the chunks of a batch, as if validated at once.

    A map rule adds up its counts and applies `mostly` to the batch's share the way GX does
    (success when at least `mostly` of the checked rows pass); any other rule passes when it
    passed in every chunk (computed columns such as _file_row_count see the whole batch).
    """
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    failed = next((part for part in parts if not part.success), None)
    exception = next((part.exception for part in parts if part.exception), None)
    samples = tuple(key for part in parts for key in part.sample_keys)[:SAMPLE_SIZE]
    if exception or any(part.checked_count is None for part in parts):
        return replace(
            failed or first, sample_keys=samples, success=failed is None and exception is None
        )
    unexpected = sum(part.unexpected_count or 0 for part in parts)
    checked = sum(part.checked_count or 0 for part in parts)
    passing_share = 1.0 - unexpected / checked if checked else 1.0
    return replace(
        first,
        success=passing_share >= (first.mostly if first.mostly is not None else 1.0),
        observed_value=_share(unexpected, checked),
        unexpected_count=unexpected,
        unexpected_percent=100.0 * unexpected / checked if checked else 0.0,
        checked_count=checked,
        sample_keys=samples,
    )
