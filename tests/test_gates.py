"""The Great Expectations gates on real staged batches in a temporary DuckDB file.

Each test stages a small hand-written batch (tests/fixtures/gates/<source>.sql: clean, every rule
passes), breaks it with SQL, and runs the real GX validation through `validate_batch`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse.connection import connect
from warehouse.gates import GateOutcome, suite_names, suite_rules, validate_batch
from warehouse.gates.results import ExpectationResult
from warehouse.gates.targets import GATES
from warehouse.ingestion import ensure_raw_schema
from warehouse.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "gates"
BATCH = "b1"
ORDERS = "raw_shop.orders__staged"
LINES = "raw_shop.order_lines__staged"
CODES = "raw_referrals.referral_codes__staged"
EVENTS = "raw_referrals.referral_events__staged"
MESSAGES = "raw_messaging.message_events__staged"
QUARANTINE = {
    "orders": "raw_shop.orders_quarantine",
    "referral_codes": "raw_referrals.referral_codes_quarantine",
    "referral_events": "raw_referrals.referral_events_quarantine",
    "messages": "raw_messaging.message_events_quarantine",
}
FUTURE = "now()::timestamp + interval 3 day"  # later than the allowed validation time + 1 day


def update(table: str, assignment: str, rows: str = "= 6") -> str:
    """Break rows of a staged table: by default line 6 of the fixture file."""
    return f"update {table} set {assignment} where _source_row_number {rows}"


def history(source: str, rows_read: int = 100) -> str:
    """14 loaded files of `rows_read` rows each: the volume floor is 30% of that median."""
    return f"""
        insert into raw_meta.load_log (batch_id, source, file_name, status, rows_read, logged_at)
        select 'b0', '{source}', '{source}_2025-02-' || lpad(i::varchar, 2, '0'), 'loaded',
            {rows_read}, timestamp '2025-02-01' + to_days(i)
        from range(1, 15) as days (i)
    """


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path / "gates.duckdb") as connection:
        ensure_raw_schema(connection)
        yield connection


def stage(con: duckdb.DuckDBPyConnection, source: str, *breaks: str) -> None:
    """The clean fixture batch of `source`, then the SQL that breaks it."""
    con.execute((FIXTURES / f"{source}.sql").read_text())
    for statement in breaks:
        con.execute(statement)


def gate(
    con: duckdb.DuckDBPyConnection,
    source: str,
    tmp_path: Path,
    settings: Settings | None = None,
    **kwargs,
) -> GateOutcome:
    settings = (settings or Settings()).replace(data_docs_dir=tmp_path / "docs")
    return validate_batch(con, source, BATCH, settings, **kwargs)


def result(outcome: GateOutcome, name: str, suite: str | None = None) -> ExpectationResult:
    (found,) = [r for r in outcome.results if r.name == name and suite in (None, r.suite)]
    return found


def quarantined(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    return con.execute(
        f"""
        select _batch_id, _source_file, _source_row_number, record_key, rejection_reason,
            rejection_detail, raw_record
        from {QUARANTINE[source]}
        order by _source_row_number, rejection_reason, rejection_detail
        """
    ).fetchall()


@pytest.mark.parametrize("source", sorted(GATES))
def test_a_clean_batch_passes_with_nothing_quarantined(con, tmp_path, source: str) -> None:
    stage(con, source)
    outcome = gate(con, source, tmp_path)
    assert outcome.success and not outcome.has_warnings
    assert outcome.failed == []
    assert outcome.quarantined == {} and quarantined(con, source) == []
    assert len(outcome.results) == sum(len(suite_rules(t.suite)) for t in GATES[source])
    assert outcome.data_docs_path is not None and outcome.data_docs_path.is_file()


# (source, rule, SQL that breaks the clean batch, severity the rule must fire with).
# Clean orders row 6 is o06: pending, created and updated 2025-03-01 14:00, never fulfilled,
# 20.00 - 0.00 + 5.00 + 1.60 = 26.60. Row tolerance is mostly 0.98: one bad row of 10 is 10%.
# fmt: off
BREAKS = [
    # shop__orders
    ("orders", "expect_table_columns_to_match_set",
     [f"alter table {ORDERS} drop column referral_token"], "error"),
    ("orders", "file_volume_within_band",  # 10 rows < 30% of a median 100
     [history("orders")], "error"),
    ("orders", "expect_column_values_to_not_be_null:order_id",
     [update(ORDERS, "order_id = null")], "error"),
    ("orders", "expect_column_values_to_not_be_null:updated_at",
     [update(ORDERS, "updated_at = null")], "error"),
    ("orders", "expect_compound_columns_to_be_unique:order_id+updated_at",  # o01's first version
     [update(ORDERS, "order_id = 'o01', created_at = '2025-03-01 09:00',"
                     " updated_at = '2025-03-01 09:00'")], "error"),
    ("orders", "expect_column_values_to_be_in_set:financial_status",
     [update(ORDERS, "financial_status = 'chargeback'")], "error"),
    ("orders", "expect_column_values_to_be_in_set:fulfillment_status",
     [update(ORDERS, "fulfillment_status = 'lost'")], "error"),
    ("orders", "expect_column_values_to_match_regex:currency",
     [update(ORDERS, "currency = 'usd'")], "error"),
    ("orders", "expect_column_values_to_be_in_set:currency",
     [update(ORDERS, "currency = 'EUR'")], "error"),
    ("orders", "expect_column_values_to_be_between:subtotal",
     [update(ORDERS, "subtotal = -20.00")], "error"),
    ("orders", "expect_column_values_to_be_between:discount_total",
     [update(ORDERS, "discount_total = -1.00")], "error"),
    ("orders", "expect_column_values_to_be_between:shipping_total",
     [update(ORDERS, "shipping_total = -5.00")], "error"),
    ("orders", "expect_column_values_to_be_between:tax_total",
     [update(ORDERS, "tax_total = -1.60")], "error"),
    ("orders", "expect_column_values_to_be_between:total",
     [update(ORDERS, "total = -26.60")], "error"),
    ("orders", "expect_column_values_to_be_between:refunded_total",
     [update(ORDERS, "refunded_total = -1.00")], "error"),
    ("orders", "expect_column_pair_values_a_to_be_greater_than_b:total,refunded_total",
     [update(ORDERS, "refunded_total = 30.00")], "error"),
    ("orders", "expect_column_values_to_be_between:created_at",
     [update(ORDERS, "created_at = '2023-12-31 23:00'")], "error"),
    ("orders", "expect_column_values_to_be_between:updated_at",
     [update(ORDERS, f"updated_at = {FUTURE}")], "error"),
    ("orders", "expect_column_values_to_be_between:fulfilled_at",
     [update(ORDERS, f"fulfilled_at = {FUTURE}")], "error"),
    ("orders", "expect_column_values_to_be_between:delivered_at",
     [update(ORDERS, "delivered_at = '2023-06-01'")], "error"),
    ("orders", "expect_column_values_to_be_between:cancelled_at",
     [update(ORDERS, f"cancelled_at = {FUTURE}")], "error"),
    ("orders", "expect_column_pair_values_a_to_be_greater_than_b:updated_at,created_at",
     [update(ORDERS, "updated_at = '2025-03-01 13:00'")], "error"),
    ("orders", "expect_column_pair_values_a_to_be_greater_than_b:delivered_at,created_at",
     [update(ORDERS, "delivered_at = '2025-03-01 13:00'")], "error"),
    # row 8 (o08) is the only cancelled order: 1 of 1 cancelled orders delivered
    ("orders", "cancelled_order_not_delivered",
     [update(ORDERS, "delivered_at = '2025-03-01 18:00'", "= 8")], "error"),
    ("orders", "order_total_ties_out",  # 30.00 is 3.40 more than 26.60
     [update(ORDERS, "total = 30.00")], "error"),
    ("orders", "order_has_line_items",
     [f"delete from {LINES} where _source_row_number = 6"], "error"),
    # referral-shaped codes: ALICE-7Q2K9D, BOB-X4M8PZ + ZOE-9Z9Z9Z twice -> 2 of 4 unknown = 50%
    # > 20% (WELCOME10 is a promo code: not referral-shaped, not counted)
    ("orders", "discount_code_is_known_referral_code",
     [update(ORDERS, "discount_code = 'ZOE-9Z9Z9Z'", "in (1, 6)")], "warning"),
    # tokens used: tok-alice + tok-nobody -> 1 of 2 unknown = 50% > 5%
    ("orders", "referral_token_is_known",
     [update(ORDERS, "referral_token = 'tok-nobody'")], "warning"),
    # shop__order_lines (11 lines: one bad line is 9%)
    ("orders", "shop__order_lines:expect_table_columns_to_match_set",
     [f"alter table {LINES} drop column product_type"], "error"),
    ("orders", "expect_column_values_to_not_be_null:product_id",
     [update(LINES, "product_id = null")], "error"),
    ("orders", "order_line_is_unique",  # o07's second line numbered 1 as well
     [update(LINES, "line_number = 1", "= 7 and line_number = 2")], "error"),
    ("orders", "expect_column_values_to_be_between:quantity",
     [update(LINES, "quantity = 0")], "error"),
    ("orders", "expect_column_values_to_be_between:unit_price",
     [update(LINES, "unit_price = -20.00")], "error"),
    ("orders", "expect_column_values_to_be_between:unit_cost",
     [update(LINES, "unit_cost = -5.00")], "error"),
    # referrals__referral_codes (5 codes: one bad row is 20%)
    ("referral_codes", "expect_table_columns_to_match_set",
     [f"alter table {CODES} drop column offer_framing"], "error"),
    ("referral_codes", "file_volume_within_band",  # 5 rows < 30% of a median 20
     [history("referral_codes", rows_read=20)], "error"),
    ("referral_codes", "expect_column_values_to_not_be_null:referral_code",
     [update(CODES, "referral_code = null", "= 5")], "error"),
    ("referral_codes", "expect_column_values_to_not_be_null:link_token",
     [update(CODES, "link_token = null", "= 5")], "error"),
    ("referral_codes", "referral_code_unique_per_file",
     [update(CODES, "referral_code = 'ALICE-7Q2K9D'", "= 2")], "error"),
    ("referral_codes", "link_token_unique_per_file",
     [update(CODES, "link_token = 'tok-alice'", "= 2")], "error"),
    ("referral_codes", "expect_column_values_to_be_in_set:offer_framing",
     [update(CODES, "offer_framing = 'cashback'", "= 2")], "error"),
    ("referral_codes", "expect_column_values_to_be_between:reward_amount",
     [update(CODES, "reward_amount = -5.00", "= 2")], "error"),
    ("referral_codes", "expect_column_values_to_match_regex:reward_currency",
     [update(CODES, "reward_currency = 'US$'", "= 2")], "error"),
    ("referral_codes", "expect_column_values_to_be_in_set:reward_currency",
     [update(CODES, "reward_currency = 'EUR'", "= 2")], "error"),
    ("referral_codes", "expect_column_values_to_be_between:issued_at",
     [update(CODES, "issued_at = '2023-06-01'", "= 2")], "error"),
    # referrals__referral_events (10 events)
    ("referral_events", "expect_table_columns_to_match_set",
     [f"alter table {EVENTS} drop column share_channel"], "error"),
    ("referral_events", "file_volume_within_band",
     [history("referral_events")], "error"),
    ("referral_events", "expect_column_values_to_not_be_null:event_id",
     [update(EVENTS, "event_id = null", "= 3")], "error"),
    ("referral_events", "expect_column_values_to_not_be_null:referral_code",
     [update(EVENTS, "referral_code = null", "= 3")], "error"),
    ("referral_events", "expect_column_values_to_be_unique:event_id",
     [update(EVENTS, "event_id = 'e01'", "= 2")], "error"),
    ("referral_events", "expect_column_values_to_be_in_set:event_type",
     [update(EVENTS, "event_type = 'converted'", "= 3")], "error"),
    ("referral_events", "expect_column_values_to_be_in_set:share_channel",
     [update(EVENTS, "share_channel = 'carrier_pigeon'", "= 1")], "error"),
    ("referral_events", "expect_column_values_to_be_between:reward_amount",
     [update(EVENTS, "reward_amount = -15.00", "= 4")], "error"),
    ("referral_events", "expect_column_values_to_be_between:occurred_at",
     [update(EVENTS, f"occurred_at = {FUTURE}", "= 3")], "error"),
    # 1 of 10 events of an unknown code = 10% > 5%
    ("referral_events", "referral_code_is_known",
     [update(EVENTS, "referral_code = 'GHOST-0Z0Z0Z'", "= 1")], "warning"),
    # messaging__message_events (10 events)
    ("messages", "expect_table_columns_to_match_set",
     [f"alter table {MESSAGES} drop column variant"], "error"),
    ("messages", "file_volume_within_band",
     [history("messages")], "error"),
    ("messages", "expect_column_values_to_not_be_null:event_id",
     [update(MESSAGES, "event_id = null", "= 3")], "error"),
    ("messages", "expect_column_values_to_not_be_null:message_id",
     [update(MESSAGES, "message_id = null", "= 3")], "error"),
    ("messages", "expect_column_values_to_be_unique:event_id",
     [update(MESSAGES, "event_id = 'm01'", "= 2")], "error"),
    ("messages", "expect_column_values_to_be_in_set:channel",
     [update(MESSAGES, "channel = 'push'", "= 3")], "error"),
    ("messages", "expect_column_values_to_be_in_set:event_type",
     [update(MESSAGES, "event_type = 'read'", "= 3")], "error"),
    ("messages", "expect_column_values_to_be_between:occurred_at",
     [update(MESSAGES, "occurred_at = '2023-01-01'", "= 3")], "error"),
    # c98 on rows 1-5 and c99 on row 10: 6 of 9 customer ids unknown = 67% > 50%
    ("messages", "customer_is_known",
     [update(MESSAGES, "customer_id = 'c98'", "<= 5")], "warning"),
    # order ids on rows 1-6: o404 on row 1 -> 1 of 6 unknown = 17% > 5%
    ("messages", "order_is_known",
     [update(MESSAGES, "order_id = 'o404'", "= 1")], "warning"),
]
# fmt: on


def _suite_and_rule(source: str, rule: str) -> tuple[str, str]:
    """`suite:rule` when a source has two suites and the rule name alone is ambiguous."""
    suites = [target.suite for target in GATES[source]]
    head, _, tail = rule.partition(":")
    if head in suites:
        return head, tail
    for suite in suites:
        if rule in {r.name for r in suite_rules(suite)}:
            return suite, rule
    raise AssertionError(f"{rule} is in no suite of {source}")


@pytest.mark.parametrize(
    ("source", "rule", "breaks", "severity"),
    BREAKS,
    ids=[f"{source}-{rule}" for source, rule, _, _ in BREAKS],
)
def test_each_rule_fires_with_its_severity_when_its_fixture_breaks_it(
    con, tmp_path, source: str, rule: str, breaks: list[str], severity: str
) -> None:
    stage(con, source, *breaks)
    outcome = gate(con, source, tmp_path)
    suite, name = _suite_and_rule(source, rule)
    (fired,) = [r for r in outcome.results if r.suite == suite and r.name == name]
    assert not fired.success
    assert fired.severity == severity
    if severity == "warning":
        # warnings report and never block or quarantine
        assert outcome.success and outcome.has_warnings
        assert [r.name for r in outcome.failed] == [name]
        assert quarantined(con, source) == []
    else:
        assert not outcome.success
        if fired.scope == "row":
            assert outcome.quarantined[name] >= 1


def _type_breaks(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> list[str]:
    """Change each column's type the way a changed loader would: text <-> anything else."""
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema || '.' || table_name = ?",
            [table],
        ).fetchall()
    )
    return [
        f"alter table {table} alter column {column} set data type integer using length({column})"
        if types[column] == "VARCHAR"
        else f"alter table {table} alter column {column} set data type varchar"
        for column in columns
    ]


@pytest.mark.parametrize("suite", suite_names())
def test_every_type_rule_fires_when_the_loader_changes_the_column_type(
    con, tmp_path, suite: str
) -> None:
    (source, target) = next((s, t) for s, ts in GATES.items() for t in ts if t.suite == suite)
    type_rules = [r for r in suite_rules(suite) if r.expectation_type.endswith("in_type_list")]
    columns = [str(rule.column) for rule in type_rules]
    stage(con, source)
    for statement in _type_breaks(con, target.table, columns):
        con.execute(statement)
    outcome = gate(con, source, tmp_path)
    assert not outcome.success
    for rule in type_rules:
        fired = [r for r in outcome.results if r.suite == suite and r.name == rule.name]
        assert [(r.success, r.severity, r.scope) for r in fired] == [(False, "error", "batch")]


def test_every_rule_of_every_suite_has_a_fixture_that_breaks_it() -> None:
    broken = {_suite_and_rule(source, rule) for source, rule, _, _ in BREAKS}
    typed = {
        (name, rule.name)
        for name in suite_names()
        for rule in suite_rules(name)
        if rule.expectation_type.endswith("in_type_list")
    }
    every = {(name, rule.name) for name in suite_names() for rule in suite_rules(name)}
    assert broken | typed == every
    assert not broken & typed


def test_thirty_percent_negative_totals_block_the_batch_and_the_metadata_says_why(
    con, tmp_path
) -> None:
    stage(con, "orders", update(ORDERS, "total = -total", "<= 3"))
    outcome = gate(con, "orders", tmp_path)
    assert not outcome.success
    total = result(outcome, "expect_column_values_to_be_between:total")
    # 3 of 10 totals below zero: 30% failing against a tolerance of 2%
    assert total.observed_value == "3 of 10 rows (30.0%)"
    assert total.unexpected_count == 3
    assert total.threshold == "min_value=0, mostly=0.98"
    assert total.sample_keys == (
        "o01 @ orders_2025-03-01.jsonl:1",
        "o02 @ orders_2025-03-01.jsonl:2",
        "o03 @ orders_2025-03-01.jsonl:3",
    )
    metadata = outcome.as_metadata()
    assert metadata["gate_passed"] is False
    table = metadata["failing_expectations_md"]
    assert (
        "| expect_column_values_to_be_between:total | shop__orders | error | row "
        "| 3 of 10 rows (30.0%) | min_value=0, mostly=0.98 |"
    ) in table
    assert "expect_column_values_to_be_between:total 3 of 10 rows (30.0%)" in outcome.summary_line()
    # the three orders also break total >= refunded_total and the tie-out: 3 rules x 3 rows
    assert metadata["records_quarantined"] == 3
    assert metadata["quarantine_rows"] == 9


def test_a_missing_order_id_column_blocks_the_batch(con, tmp_path) -> None:
    stage(con, "orders", f"alter table {ORDERS} drop column order_id")
    outcome = gate(con, "orders", tmp_path)
    assert not outcome.success
    columns = result(outcome, "expect_table_columns_to_match_set", suite="shop__orders")
    assert not columns.success
    assert columns.observed_value == "missing columns: order_id"
    assert columns.threshold == "all 22 contract columns present"
    table = outcome.as_metadata()["failing_expectations_md"]
    assert "| expect_table_columns_to_match_set | shop__orders | error | batch " in table
    assert "missing columns: order_id" in table


def test_row_failures_land_in_quarantine_with_the_rule_and_the_file_line(con, tmp_path) -> None:
    stage(
        con,
        "orders",
        update(ORDERS, "currency = 'usd'", "= 3"),
        update(LINES, "quantity = 0", "= 7 and line_number = 2"),
    )
    outcome = gate(con, "orders", tmp_path)
    file = "orders_2025-03-01.jsonl"
    assert quarantined(con, "orders") == [
        (
            BATCH,
            file,
            3,
            "o03",
            "expect_column_values_to_be_in_set:currency",
            "currency=usd",
            '{"order_id": "o03"}',
        ),
        (
            BATCH,
            file,
            3,
            "o03",
            "expect_column_values_to_match_regex:currency",
            "currency=usd",
            '{"order_id": "o03"}',
        ),
        (
            BATCH,
            file,
            7,
            "o07",
            "expect_column_values_to_be_between:quantity",
            "line_number=2, quantity=0",
            '{"product_id": "p-starter"}',
        ),
    ]
    assert outcome.quarantined == {
        "expect_column_values_to_be_in_set:currency": 1,
        "expect_column_values_to_match_regex:currency": 1,
        "expect_column_values_to_be_between:quantity": 1,
    }
    assert outcome.records_quarantined == 2


def test_promo_codes_are_not_mistaken_for_unknown_referral_codes(con, tmp_path) -> None:
    stage(con, "orders", update(ORDERS, "discount_code = 'SUMMER-SALE'", "<= 9"))
    outcome = gate(con, "orders", tmp_path)
    codes = result(outcome, "discount_code_is_known_referral_code")
    # 9 promo codes (not NAME-XXXXXX) and row 10 without a code: nothing to check
    assert codes.success and codes.observed_value == "0 of 0 rows (0.0%)"
    assert outcome.success and not outcome.has_warnings


def test_a_broken_copy_does_not_make_its_intact_twin_a_duplicate(con, tmp_path) -> None:
    # line 11 repeats o06's version with a negative total (and no line items)
    stage(
        con,
        "orders",
        f"""insert into {ORDERS} by name
            select * replace (11 as _source_row_number, -26.60 as total)
            from {ORDERS} where _source_row_number = 6""",
    )
    outcome = gate(con, "orders", tmp_path)
    unique = result(outcome, "expect_compound_columns_to_be_unique:order_id+updated_at")
    # checked on the 10 records the other rules accepted: line 11 is already quarantined
    assert unique.success and unique.observed_value == "0 of 10 rows (0.0%)"
    assert {row[2] for row in quarantined(con, "orders")} == {11}
    assert outcome.quarantined == {
        "expect_column_values_to_be_between:total": 1,
        "expect_column_pair_values_a_to_be_greater_than_b:total,refunded_total": 1,
        "order_total_ties_out": 1,
        "order_has_line_items": 1,
    }


def test_a_failure_within_tolerance_is_quarantined_without_blocking(con, tmp_path) -> None:
    # ten copies of the clean batch under new order ids: 100 orders, 110 lines
    stage(
        con,
        "orders",
        f"""insert into {ORDERS} by name
            select staged.* replace (order_id || '-' || n as order_id,
                                     _source_row_number + 10 * n as _source_row_number)
            from {ORDERS} as staged, range(1, 10) as copies (n)""",
        f"""insert into {LINES} by name
            select staged.* replace (order_id || '-' || n as order_id,
                                     _source_row_number + 10 * n as _source_row_number)
            from {LINES} as staged, range(1, 10) as copies (n)""",
        update(ORDERS, "total = -26.60"),
    )
    outcome = gate(con, "orders", tmp_path)
    # 1 negative total of 100 = 1%, within the 2% tolerance: quarantined, not blocking
    total = result(outcome, "expect_column_values_to_be_between:total")
    assert total.success and total.observed_value == "1 of 100 rows (1.0%)"
    # the batch loads, but what it left out is reported as a warning
    assert outcome.success and outcome.has_warnings
    assert outcome.quarantined["expect_column_values_to_be_between:total"] == 1
    assert ("orders_2025-03-01.jsonl", 6) in [
        (row[1], row[2]) for row in quarantined(con, "orders")
    ]


def test_a_warning_only_batch_passes_and_says_so(con, tmp_path) -> None:
    stage(
        con,
        "referral_events",
        update(EVENTS, "referral_code = 'GHOST-0Z0Z0Z'", "= 1"),
    )
    outcome = gate(con, "referral_events", tmp_path)
    assert outcome.success and outcome.has_warnings
    metadata = outcome.as_metadata()
    assert (metadata["errors_failed"], metadata["warnings_failed"]) == (0, 1)
    assert (
        "| referral_code_is_known | referrals__referral_events | warning | row "
        in (metadata["failing_expectations_md"])
    )
    assert "warnings: referral_code_is_known" in outcome.summary_line()
    assert quarantined(con, "referral_events") == []


def test_volume_collapse_blocks_given_load_log_history(con, tmp_path) -> None:
    stage(con, "messages", history("messages"))
    outcome = gate(con, "messages", tmp_path)
    volume = result(outcome, "file_volume_within_band")
    # median rows_read of the last 14 files is 100, so a file needs 30; this one has 10
    assert (volume.success, volume.scope, volume.severity) == (False, "batch", "error")
    assert (volume.observed_value, volume.threshold) == ("10", "min_value=30")
    assert not outcome.success
    assert quarantined(con, "messages") == []


def test_volume_counts_rows_read_so_skipped_duplicates_do_not_look_like_a_collapse(
    con, tmp_path
) -> None:
    # the loader read 100 rows from the file, 90 of them exact duplicates it did not stage
    stage(
        con,
        "messages",
        history("messages"),
        """insert into raw_meta.staged_files (batch_id, source, file_name, rows_read)
           values ('b1', 'messages', 'messages_2025-03-01.jsonl', 100)""",
    )
    outcome = gate(con, "messages", tmp_path)
    assert result(outcome, "file_volume_within_band").observed_value == "100"
    assert outcome.success


def test_rerunning_the_gate_replaces_its_rows_and_keeps_parse_rejections(con, tmp_path) -> None:
    stage(
        con,
        "orders",
        update(ORDERS, "total = 30.00"),
        """insert into raw_shop.orders_quarantine (_batch_id, _source_file, _source_row_number,
               rejection_reason, rejection_detail, raw_record)
           values ('b1', 'orders_2025-03-01.jsonl', 11, 'unparseable_line', 'not JSON', '{oops')""",
    )
    gate(con, "orders", tmp_path)
    first = quarantined(con, "orders")
    gate(con, "orders", tmp_path)
    assert quarantined(con, "orders") == first
    assert [row[4] for row in first] == ["order_total_ties_out", "unparseable_line"]


def test_validating_in_chunks_gives_the_same_verdict_and_quarantine(con, tmp_path) -> None:
    stage(
        con,
        "orders",
        update(ORDERS, "total = -total", "<= 3"),
        update(LINES, "quantity = 0", "= 7"),
        # a second intact record for o05's version (line 105 of the file, with its line item)
        f"""insert into {ORDERS} by name
            select * replace (105 as _source_row_number, 'second copy' as email)
            from {ORDERS} where _source_row_number = 5""",
        f"""insert into {LINES} by name
            select * replace (105 as _source_row_number)
            from {LINES} where _source_row_number = 5""",
    )
    whole = gate(con, "orders", tmp_path)
    rows = quarantined(con, "orders")
    chunked = gate(con, "orders", tmp_path, chunk_rows=3)  # 11 orders -> 4 chunks
    assert (whole.chunks, chunked.chunks) == (1, 4)
    assert quarantined(con, "orders") == rows

    def verdicts(outcome: GateOutcome) -> dict:
        return {(r.suite, r.name): (r.success, r.observed_value) for r in outcome.results}

    assert verdicts(chunked) == verdicts(whole)
    # o05 twice: both copies are quarantined even though chunks split the batch
    unique = result(chunked, "expect_compound_columns_to_be_unique:order_id+updated_at")
    # checked on the 7 orders the first pass accepted (lines 1-3 and 7 are quarantined)
    assert unique.observed_value == "2 of 7 rows (28.6%)"
    assert {row[2] for row in rows if row[4].startswith("expect_compound")} == {5, 105}
    # one Data Docs page per suite and chunk that had rows
    assert chunked.data_docs_path in chunked.data_docs_pages.values()
    assert all("__chunk_" in run for run in chunked.data_docs_pages)


def test_timestamps_beyond_pandas_range_fail_the_time_window(con, tmp_path) -> None:
    stage(
        con,
        "orders",
        update(ORDERS, "cancelled_at = '9999-12-31'", "= 8"),
    )
    outcome = gate(con, "orders", tmp_path)
    assert not result(outcome, "expect_column_values_to_be_between:cancelled_at").success
    (row,) = [r for r in quarantined(con, "orders") if r[4].endswith(":cancelled_at")]
    # the detail shows the value GX compared (clamped to 2262), the raw record the original
    assert row[2:6] == (
        8,
        "o08",
        "expect_column_values_to_be_between:cancelled_at",
        "cancelled_at=2262-04-11",
    )


def test_an_empty_batch_passes_without_running_gx(con, tmp_path) -> None:
    outcome = gate(con, "orders", tmp_path)
    assert outcome.success and outcome.results == ()
    assert outcome.rows_validated == {"shop__orders": 0, "shop__order_lines": 0}


def test_only_the_batch_being_gated_is_read(con, tmp_path) -> None:
    stage(
        con,
        "orders",
        update(ORDERS, "_batch_id = 'b0', total = -1"),
    )
    outcome = gate(con, "orders", tmp_path)
    assert outcome.success
    assert outcome.rows_validated["shop__orders"] == 9


def test_metadata_is_flat_and_points_at_the_data_docs_page(con, tmp_path) -> None:
    stage(
        con,
        "referral_codes",
        update(CODES, "reward_amount = -5.00", "= 2"),
    )
    outcome = gate(con, "referral_codes", tmp_path)
    metadata = outcome.as_metadata()
    assert all(isinstance(value, str | int | float | bool) for value in metadata.values())
    page = Path(metadata["data_docs_path"])
    assert page.is_file() and page.is_relative_to(tmp_path / "docs")
    assert "referrals__referral_codes" in page.read_text()
    assert metadata["quarantined_by_rule_md"].splitlines()[-1] == (
        "| expect_column_values_to_be_between:reward_amount | 1 |"
    )


def test_an_unknown_source_is_refused(con, tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown source"):
        gate(con, "invoices", tmp_path)
