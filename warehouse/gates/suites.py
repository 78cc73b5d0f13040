"""The GX suites in expectations/*.json and the rules they declare.

The JSON files are the reviewed artefact; this module is the one place that turns them into GX
objects, so a GX API change touches `load_suite` only. Every expectation carries
`meta: {severity, scope, why}` and optionally `meta.name` (`rule_name` is the name a failure is
reported and quarantined under) and `meta.after_row_rules` (key uniqueness: validated in a
second pass on the records the other rules accepted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import great_expectations as gx

from warehouse.paths import EXPECTATIONS_DIR

SEVERITIES = ("error", "warning")
SCOPES = ("row", "batch")
# GX's own severity field, so Data Docs show the same ranking as our meta
_GX_SEVERITY = {"error": "critical", "warning": "warning"}


@dataclass(frozen=True)
class Rule:
    """One expectation as the gate sees it: its name, what it checks and how it is enforced."""

    name: str
    expectation_type: str
    column: str | None
    severity: str
    scope: str
    mostly: float | None
    why: str
    after_row_rules: bool = False

    @property
    def quarantines(self) -> bool:
        """Row rules of severity error quarantine failing rows; warnings only report."""
        return self.scope == "row" and self.severity == "error"


def suite_path(name: str) -> Path:
    return EXPECTATIONS_DIR / f"{name}.json"


def suite_names() -> list[str]:
    """Every suite file in expectations/, by name."""
    return sorted(path.stem for path in EXPECTATIONS_DIR.glob("*.json"))


def read_suite_json(name: str) -> dict[str, Any]:
    return json.loads(suite_path(name).read_text())


def column_of(kwargs: dict[str, Any]) -> str | None:
    """The column(s) an expectation checks, as one string: `a`, `a,b` (pair) or `a+b` (list)."""
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    if "column_list" in kwargs:
        return "+".join(kwargs["column_list"])
    return None


def rule_name(expectation_type: str, kwargs: dict[str, Any], meta: dict[str, Any]) -> str:
    """`meta.name` when set, else `<expectation_type>:<column>` (the landing contract's form)."""
    if meta.get("name"):
        return str(meta["name"])
    column = column_of(kwargs)
    return f"{expectation_type}:{column}" if column else expectation_type


def _check_meta(suite: str, expectation: dict[str, Any]) -> None:
    meta = expectation.get("meta") or {}
    where = f"{suite}: {expectation.get('type')} {column_of(expectation.get('kwargs', {}))}"
    if meta.get("severity") not in SEVERITIES:
        raise ValueError(f"{where}: meta.severity must be one of {SEVERITIES}")
    if meta.get("scope") not in SCOPES:
        raise ValueError(f"{where}: meta.scope must be one of {SCOPES}")
    if not str(meta.get("why", "")).strip():
        raise ValueError(f"{where}: meta.why must say why the rule exists")


def suite_rules(name: str) -> list[Rule]:
    """The rules of one suite, in file order, with their meta checked."""
    rules = []
    for expectation in read_suite_json(name)["expectations"]:
        _check_meta(name, expectation)
        kwargs, meta = expectation["kwargs"], expectation["meta"]
        rules.append(
            Rule(
                name=rule_name(expectation["type"], kwargs, meta),
                expectation_type=expectation["type"],
                column=column_of(kwargs),
                severity=meta["severity"],
                scope=meta["scope"],
                mostly=kwargs.get("mostly"),
                why=meta["why"],
                after_row_rules=bool(meta.get("after_row_rules")),
            )
        )
    return rules


def load_suite(name: str, after_row_rules: bool | None = None) -> gx.ExpectationSuite:
    """The GX suite in expectations/<name>.json, with `why` as the notes Data Docs display.

    `after_row_rules` picks one of the gate's two passes: False, the rules checked on every
    staged record (suite `<name>`); True, the key rules checked afterwards on the records the
    first pass accepted (suite `<name>__keys`); None, the whole suite.
    """
    data = read_suite_json(name)
    if data.get("name") != name:
        raise ValueError(f"{suite_path(name)} declares suite name {data.get('name')!r}")
    expectations = []
    for expectation in data["expectations"]:
        _check_meta(name, expectation)
        meta = expectation["meta"]
        if after_row_rules is not None and bool(meta.get("after_row_rules")) != after_row_rules:
            continue
        expectations.append(
            {
                "type": expectation["type"],
                "kwargs": expectation["kwargs"],
                "meta": meta,
                "notes": meta["why"],
                "severity": _GX_SEVERITY[meta["severity"]],
            }
        )
    return gx.ExpectationSuite(
        name=f"{name}__keys" if after_row_rules else name,
        expectations=expectations,
        meta=data.get("meta"),
        notes=data.get("notes"),
    )
