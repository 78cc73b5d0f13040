"""Every GX suite in expectations/ loads, declares why each rule exists, and fits the gates."""

from __future__ import annotations

import json
import re

import pytest

from warehouse.gates import load_suite, suite_names, suite_rules
from warehouse.gates.suites import EXPECTATIONS_DIR
from warehouse.gates.targets import GATES

SUITE_FILES = sorted(EXPECTATIONS_DIR.glob("*.json"))
GATED_SUITES = {target.suite: target for targets in GATES.values() for target in targets}


def test_there_is_one_suite_file_per_staged_input() -> None:
    assert suite_names() == sorted(GATED_SUITES)
    assert suite_names() == [
        "messaging__message_events",
        "referrals__referral_codes",
        "referrals__referral_events",
        "shop__order_lines",
        "shop__orders",
    ]


@pytest.mark.parametrize("path", SUITE_FILES, ids=lambda path: path.stem)
def test_each_suite_loads_into_gx_under_its_file_name(path) -> None:
    suite = load_suite(path.stem)
    assert suite.name == path.stem == json.loads(path.read_text())["name"]
    assert len(suite.expectations) == len(json.loads(path.read_text())["expectations"])


@pytest.mark.parametrize("path", SUITE_FILES, ids=lambda path: path.stem)
def test_each_expectation_says_its_severity_scope_and_why(path) -> None:
    for expectation in json.loads(path.read_text())["expectations"]:
        meta = expectation["meta"]
        assert meta["severity"] in ("error", "warning"), expectation
        assert meta["scope"] in ("row", "batch"), expectation
        assert len(meta["why"]) > 20, expectation


@pytest.mark.parametrize("name", suite_names())
def test_rule_names_are_unique_within_a_suite(name: str) -> None:
    names = [rule.name for rule in suite_rules(name)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", suite_names())
def test_row_rules_carry_their_tolerance_and_warnings_only_look_at_rows(name: str) -> None:
    for rule in suite_rules(name):
        if rule.scope == "row":
            assert rule.mostly is not None and 0 < rule.mostly <= 1, rule.name
        if rule.severity == "warning":
            # referential warnings: report only, never quarantine, generous tolerance
            assert rule.scope == "row" and not rule.quarantines, rule.name
            assert rule.mostly is not None and rule.mostly < 1, rule.name


@pytest.mark.parametrize("name", suite_names())
def test_every_uniqueness_rule_includes_the_chunk_column(name: str) -> None:
    """Chunks split a batch by hash of the chunk column, so duplicates meet in one chunk."""
    chunk_column = GATED_SUITES[name].chunk_column
    for rule in suite_rules(name):
        if "unique" in rule.expectation_type:
            assert rule.column is not None
            columns = set(rule.column.split("+"))
            # order lines: a line's order version (file + line) has one order_id
            same_order = {"_source_file", "_source_row_number"} <= columns
            assert chunk_column in columns or same_order, rule.name


@pytest.mark.parametrize("name", suite_names())
def test_key_uniqueness_rules_and_only_they_run_after_the_row_rules(name: str) -> None:
    for rule in suite_rules(name):
        is_key_rule = "unique" in rule.expectation_type or rule.name.endswith("unique_per_file")
        assert rule.after_row_rules == is_key_rule, rule.name
        if is_key_rule:
            assert (rule.severity, rule.scope) == ("error", "row"), rule.name


@pytest.mark.parametrize("name", suite_names())
def test_the_two_passes_of_a_suite_split_it_without_loss(name: str) -> None:
    whole, first, keys = load_suite(name), load_suite(name, False), load_suite(name, True)
    assert (first.name, keys.name) == (name, f"{name}__keys")
    assert len(first.expectations) + len(keys.expectations) == len(whole.expectations)
    assert len(keys.expectations) >= 1


@pytest.mark.parametrize("name", suite_names())
def test_every_computed_column_a_suite_reads_is_added_by_its_gate(name: str) -> None:
    computed = {column.name for column in GATED_SUITES[name].computed}
    for rule in suite_rules(name):
        columns = set((rule.column or "").replace("+", ",").split(","))
        loader = {"_batch_id", "_source_file", "_source_row_number"}
        for column in columns - loader:
            if column.startswith("_"):
                assert column in computed, f"{rule.name}: {column} is not computed by the gate"


def _readme_rows() -> dict[tuple[str, str], tuple[str, str, str]]:
    """(suite, rule) -> (severity, scope, tolerance) from the tables in expectations/README.md."""
    rows = {}
    suite = None
    for line in (EXPECTATIONS_DIR / "README.md").read_text().splitlines():
        heading = re.match(r"^### `(\w+)`", line)
        if heading:
            suite = heading.group(1)
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if suite and line.startswith("| `") and len(cells) >= 5:
            rows[(suite, cells[0])] = (cells[1], cells[2], cells[3])
    return rows


def test_the_readme_lists_every_expectation_with_its_severity_scope_and_tolerance() -> None:
    documented = _readme_rows()
    expected = {
        (name, rule.name): (
            rule.severity,
            rule.scope,
            "-" if rule.mostly is None else str(rule.mostly),
        )
        for name in suite_names()
        for rule in suite_rules(name)
    }
    assert documented == expected
