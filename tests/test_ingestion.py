"""Ingestion on clean input: exact raw rows, idempotent reloads, order versions.

Every test runs on its own DuckDB file with the hand-written files of
tests/fixtures/ingestion (expected counts in its README.md).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from warehouse.ingestion import (
    LoadReport,
    StageReport,
    merge_staged,
    stage_new_files,
)
from warehouse.sources import SOURCES

FIXTURES = Path(__file__).parent / "fixtures" / "ingestion"
RAW_TABLES = [
    "raw_shop.orders",
    "raw_shop.order_lines",
    "raw_shop.orders_history",
    "raw_shop.orders_quarantine",
    "raw_referrals.referral_codes",
    "raw_referrals.referral_events",
    "raw_referrals.referral_codes_quarantine",
    "raw_referrals.referral_events_quarantine",
    "raw_messaging.message_events",
    "raw_messaging.message_events_quarantine",
    "raw_meta.load_log",
]


def land(landing: Path, scenario: str, source: str | None = None) -> None:
    """Copy a fixture scenario's files (all sources, or one) into the landing folder."""
    for folder in sorted((FIXTURES / scenario).iterdir()):
        if source is None or folder.name == SOURCES[source].landing_folder:
            shutil.copytree(folder, landing / folder.name, dirs_exist_ok=True)


def ingest(
    con: duckdb.DuckDBPyConnection, source: str, landing: Path, batch_id: str
) -> tuple[StageReport, LoadReport]:
    staged = stage_new_files(con, source, landing, batch_id)
    return staged, merge_staged(con, source, batch_id)


def ingest_all(con: duckdb.DuckDBPyConnection, landing: Path, batch_id: str) -> None:
    for source in SOURCES:
        ingest(con, source, landing, batch_id)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {table: rows(con, f"select count(*) from {table}")[0][0] for table in RAW_TABLES}


def test_clean_orders_load_to_exactly_the_fixture_rows(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "orders")
    staged, loaded = ingest(con, "orders", landing, "b1")

    assert (staged.rows_read, staged.rows_staged, staged.rows_quarantined) == (3, 3, 0)
    assert (loaded.rows_loaded, loaded.current_rows_changed) == (3, 3)
    # o3 created_at 11:15+01:00 -> 10:15 UTC; updated_at has no offset -> read as UTC;
    # money given as JSON numbers (o2) or strings (o1, o3) lands as decimal(18, 2)
    assert rows(
        con,
        "select order_id, customer_id, created_at, updated_at, fulfilled_at, currency, subtotal, "
        "discount_total, total, refunded_total, financial_status, discount_code, referral_token, "
        "_batch_id, _source_file, _source_row_number from raw_shop.orders order by order_id",
    ) == [
        ("o1", "c1", datetime(2025, 3, 1, 9), datetime(2025, 3, 1, 9), None, "USD",
         Decimal("60.00"), Decimal("0.00"), Decimal("69.80"), Decimal("0.00"), "paid", None,
         None, "b1", "orders_2025-03-01.jsonl", 1),
        ("o2", None, datetime(2025, 3, 1, 10), datetime(2025, 3, 1, 12), datetime(2025, 3, 1, 12),
         "EUR", Decimal("49.90"), Decimal("5.00"), Decimal("44.90"), Decimal("0.00"), "paid",
         "ANN15", None, "b1", "orders_2025-03-01.jsonl", 2),
        ("o3", "c3", datetime(2025, 3, 1, 10, 15), datetime(2025, 3, 1, 10, 20), None, "USD",
         Decimal("10.00"), Decimal("0.00"), Decimal("10.00"), Decimal("0.00"), "pending", None,
         "tokA", "b1", "orders_2025-03-01.jsonl", 3),
    ]  # fmt: skip
    # 2 + 1 + 1 line items; quantity "1" (a string in o3) casts to 1, missing unit_cost is NULL
    assert rows(
        con,
        "select order_id, line_number, product_id, product_type, quantity, unit_price, unit_cost, "
        "_source_row_number from raw_shop.order_lines order by order_id, line_number",
    ) == [
        ("o1", 1, "p1", "starter", 2, Decimal("20.00"), Decimal("8.00"), 1),
        ("o1", 2, "p2", "core", 1, Decimal("20.00"), None, 1),
        ("o2", 1, "p3", "premium", 1, Decimal("49.90"), None, 2),
        ("o3", 1, "p1", "starter", 1, Decimal("10.00"), Decimal("4.00"), 3),
    ]
    assert rows(con, "select count(*), count(distinct order_id) from raw_shop.orders_history") == [
        (3, 3)
    ]
    assert rows(
        con,
        "select source, file_name, status, rows_read, rows_loaded, rows_quarantined, "
        "rows_duplicate, length(file_sha256) from raw_meta.load_log",
    ) == [("orders", "orders_2025-03-01.jsonl", "loaded", 3, 3, 0, 0, 64)]


def test_clean_referral_codes_load_to_exactly_the_fixture_rows(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "referral_codes")
    ingest(con, "referral_codes", landing, "b1")

    # BOB10 issued 09:30+02:00 -> 07:30 UTC, its empty owner fields are NULL; "10" -> 10.00
    assert rows(
        con,
        "select referral_code, link_token, owner_customer_id, owner_email, program_variant, "
        "reward_amount, reward_currency, offer_framing, issued_at, _source_row_number "
        "from raw_referrals.referral_codes order by referral_code",
    ) == [
        ("ANN15", "tokA", "c1", "ann@example.com", "give15_get15", Decimal("15.00"), "USD",
         "discount_credit", datetime(2025, 2, 20, 8), 1),
        ("BOB10", "tokB", None, None, "give10_get10", Decimal("10.00"), "USD", "free_shipping",
         datetime(2025, 2, 21, 7, 30), 2),
    ]  # fmt: skip


def test_clean_referral_events_load_to_exactly_the_fixture_rows(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "referral_events")
    ingest(con, "referral_events", landing, "b1")

    assert rows(
        con,
        "select event_id, referral_code, event_type, occurred_at, share_channel, "
        "referred_customer_id, reward_amount, _source_file, _source_row_number "
        "from raw_referrals.referral_events order by event_id",
    ) == [
        ("e1", "ANN15", "shared", datetime(2025, 2, 25, 10), "email", None, None,
         "referral_events_2025-03-01.csv", 1),
        ("e2", "ANN15", "clicked", datetime(2025, 2, 26, 10), None, None, None,
         "referral_events_2025-03-01.csv", 2),
        ("e3", "ANN15", "reward_issued", datetime(2025, 3, 1, 12), None, "c9", Decimal("15.00"),
         "referral_events_2025-03-01.csv", 3),
    ]  # fmt: skip


def test_clean_messages_load_to_exactly_the_fixture_rows(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "messages")
    ingest(con, "messages", landing, "b1")

    # m2 opened at 10:30-05:00 -> 15:30 UTC; m2 has no "phone" key -> NULL
    assert rows(
        con,
        "select event_id, message_id, customer_id, phone, order_id, channel, flow, event_type, "
        "variant, occurred_at, _source_row_number from raw_messaging.message_events "
        "order by event_id",
    ) == [
        ("m1", "msg1", "c1", None, "o1", "email", "post_purchase_referral_ask", "sent", "A",
         datetime(2025, 3, 2, 9), 1),
        ("m2", "msg1", "c1", None, "o1", "email", "post_purchase_referral_ask", "opened", "A",
         datetime(2025, 3, 2, 15, 30), 2),
    ]  # fmt: skip


def test_reloading_the_same_files_changes_nothing(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean")
    land(landing, "dirty")
    ingest_all(con, landing, "b1")
    before = table_counts(con)

    for source in SOURCES:
        staged, loaded = ingest(con, source, landing, "b2")
        assert {file.status for file in staged.files} == {"already_loaded"}
        assert (staged.rows_read, loaded.rows_loaded, loaded.files) == (0, 0, [])

    assert table_counts(con) == before
    # clean 3 + dirty 1 orders, and nothing staged for the second batch
    assert before["raw_shop.orders"] == 4
    assert rows(con, "select count(*) from raw_shop.orders__staged") == [(0,)]


def test_a_later_order_version_becomes_current_and_keeps_history(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "orders")
    ingest(con, "orders", landing, "b1")
    land(landing, "update", "orders")
    _, loaded = ingest(con, "orders", landing, "b2")

    # all 3 versions of the new file are accepted; o1 and o3 change, o2 does not (older)
    assert (loaded.rows_loaded, loaded.current_rows_changed) == (3, 2)
    assert rows(
        con,
        "select order_id, updated_at, financial_status, fulfillment_status, total, _source_file "
        "from raw_shop.orders order by order_id",
    ) == [
        ("o1", datetime(2025, 3, 2, 8), "paid", "fulfilled", Decimal("48.20"),
         "orders_2025-03-02.jsonl"),
        ("o2", datetime(2025, 3, 1, 12), "paid", "fulfilled", Decimal("44.90"),
         "orders_2025-03-01.jsonl"),
        # same updated_at as the current o3: the later file wins
        ("o3", datetime(2025, 3, 1, 10, 20), "paid", "unfulfilled", Decimal("10.00"),
         "orders_2025-03-02.jsonl"),
    ]  # fmt: skip
    # o1 went from 2 lines to 1, o3 from 1 to 2: the lines follow the current version
    assert rows(
        con,
        "select order_id, line_number, product_id, _source_file from raw_shop.order_lines "
        "order by order_id, line_number",
    ) == [
        ("o1", 1, "p1", "orders_2025-03-02.jsonl"),
        ("o2", 1, "p3", "orders_2025-03-01.jsonl"),
        ("o3", 1, "p1", "orders_2025-03-02.jsonl"),
        ("o3", 2, "p9", "orders_2025-03-02.jsonl"),
    ]
    # every version is kept: 3 + 3
    assert rows(
        con, "select order_id, count(*) from raw_shop.orders_history group by 1 order by 1"
    ) == [("o1", 2), ("o2", 2), ("o3", 2)]
    assert rows(
        con,
        "select line_items from raw_shop.orders_history "
        "where order_id = 'o1' and _source_file = 'orders_2025-03-02.jsonl'",
    ) == [
        ('[{"product_id":"p1","product_type":"starter","quantity":2,"unit_price":"20.00",'
         '"unit_cost":"8.00"}]',)
    ]  # fmt: skip


def test_an_older_order_version_arriving_late_goes_to_history_only(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "orders")
    ingest(con, "orders", landing, "b1")
    land(landing, "update", "orders")
    ingest(con, "orders", landing, "b2")

    # o2 of 2025-03-02 was written at 11:00, before the current 12:00 version
    assert rows(
        con, "select financial_status, updated_at from raw_shop.orders where order_id = 'o2'"
    ) == [("paid", datetime(2025, 3, 1, 12))]
    assert rows(
        con,
        "select financial_status, updated_at from raw_shop.orders_history "
        "where order_id = 'o2' order by updated_at",
    ) == [("pending", datetime(2025, 3, 1, 11)), ("paid", datetime(2025, 3, 1, 12))]


def test_versions_of_one_order_in_one_batch_keep_the_latest_as_current(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    # the clean and update files in one batch end where two batches end
    land(landing, "clean", "orders")
    land(landing, "update", "orders")
    staged, loaded = ingest(con, "orders", landing, "b1")

    assert [file.file_name for file in staged.files] == [
        "orders_2025-03-01.jsonl",
        "orders_2025-03-02.jsonl",
    ]
    assert (loaded.rows_loaded, loaded.current_rows_changed) == (6, 3)
    assert rows(con, "select order_id, _source_file from raw_shop.orders order by order_id") == [
        ("o1", "orders_2025-03-02.jsonl"),
        ("o2", "orders_2025-03-01.jsonl"),
        ("o3", "orders_2025-03-02.jsonl"),
    ]
    assert rows(con, "select count(*) from raw_shop.order_lines") == [(4,)]
    assert rows(con, "select count(*) from raw_shop.orders_history") == [(6,)]


def test_a_later_referral_codes_file_wins_per_code(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "referral_codes")
    ingest(con, "referral_codes", landing, "b1")
    land(landing, "dirty", "referral_codes")
    ingest(con, "referral_codes", landing, "b2")

    # ANN15 replaced by the 03-03 file, BOB10 kept, DAN5 new (CAT5 quarantined)
    assert rows(
        con,
        "select referral_code, link_token, reward_amount, issued_at, _source_file "
        "from raw_referrals.referral_codes order by 1",
    ) == [
        ("ANN15", "tokA2", Decimal("20.00"), datetime(2025, 3, 3, 8),
         "referral_codes_2025-03-03.csv"),
        ("BOB10", "tokB", Decimal("10.00"), datetime(2025, 2, 21, 7, 30),
         "referral_codes_2025-03-01.csv"),
        ("DAN5", "tokD", Decimal("5.00"), datetime(2025, 3, 3, 8),
         "referral_codes_2025-03-03.csv"),
    ]  # fmt: skip


def test_reports_give_flat_metadata(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    land(landing, "dirty", "orders")
    staged, loaded = ingest(con, "orders", landing, "b1")

    staged_metadata = staged.as_metadata()
    loaded_metadata = loaded.as_metadata()
    assert all(isinstance(value, int | str) for value in staged_metadata.values())
    assert all(isinstance(value, int | str) for value in loaded_metadata.values())
    # without the clean batch loaded first, line 11 (a copy of clean o3) is a new order
    assert {key: staged_metadata[key] for key in ("files_staged", "rows_read", "rows_staged")} == {
        "files_staged": 1,
        "rows_read": 10,
        "rows_staged": 2,
    }
    assert loaded_metadata["files"] == (
        "orders_2025-03-03.jsonl: read 10, loaded 2, quarantined 7, duplicate 1"
    )
