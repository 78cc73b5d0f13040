"""Ingestion on bad input: quarantine rules, rejected files, conflicts, blocked batches.

Expected rows are read off the fixture files by hand (tests/fixtures/ingestion/README.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from warehouse.ingestion import (
    merge_staged,
    record_blocked_batch,
    stage_new_files,
)
from warehouse.sources import SOURCES

FIXTURES = Path(__file__).parent / "fixtures" / "ingestion"


def land(landing: Path, scenario: str, source: str) -> None:
    folder = SOURCES[source].landing_folder
    shutil.copytree(FIXTURES / scenario / folder, landing / folder, dirs_exist_ok=True)


def ingest(con: duckdb.DuckDBPyConnection, source: str, landing: Path, batch_id: str) -> None:
    stage_new_files(con, source, landing, batch_id)
    merge_staged(con, source, batch_id)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def quarantine(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return rows(
        con,
        f"select _source_file, _source_row_number, record_key, rejection_reason "
        f"from {table} order by _source_file, _source_row_number",
    )


def log(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    return rows(
        con,
        "select batch_id, file_name, status, rows_read, rows_loaded, rows_quarantined, "
        "rows_duplicate from raw_meta.load_log where source = ? order by logged_at, file_name",
        [source],
    )


def test_each_dirty_order_line_lands_in_quarantine_with_its_rule_file_and_line(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "orders")
    ingest(con, "orders", landing, "b1")
    land(landing, "dirty", "orders")
    ingest(con, "orders", landing, "b2")

    file = "orders_2025-03-03.jsonl"
    assert quarantine(con, "raw_shop.orders_quarantine") == [
        (file, 2, None, "unparseable_line"),  # cut off mid-object
        (file, 3, None, "missing_order_id"),
        (file, 4, "o13", "invalid_total"),  # "abc"
        (file, 5, "o14", "invalid_quantity"),  # line item 2: "two"; the whole order waits
        (file, 8, None, "unparseable_line"),  # [1,2] is JSON but not an object
        (file, 9, "o15", "invalid_created_at"),  # "yesterday"; currency is missing too
        (file, 10, "o16", "missing_line_items"),  # []
    ]
    assert rows(
        con,
        "select rejection_detail from raw_shop.orders_quarantine where _source_row_number in "
        "(5, 9) order by _source_row_number",
    ) == [
        (f"{file} line 5: line item 2: quantity \"two\" is not an integer",),
        (f"{file} line 9: created_at \"yesterday\" is not an ISO 8601 timestamp; "
         "currency is missing",),
    ]  # fmt: skip
    # the raw line is kept as text
    assert rows(
        con, "select raw_record from raw_shop.orders_quarantine where _source_row_number = 8"
    ) == [("[1,2]",)]
    # 10 non-blank lines = 1 loaded (o10) + 7 quarantined + 2 duplicates (lines 6 and 11)
    assert log(con, "orders")[-1] == ("b2", file, "loaded", 10, 1, 7, 2)
    assert rows(con, "select order_id from raw_shop.orders order by 1") == [
        ("o1",), ("o10",), ("o2",), ("o3",),
    ]  # fmt: skip
    # the quarantined o14 left no order lines behind
    assert rows(con, "select count(*) from raw_shop.order_lines where order_id = 'o14'") == [(0,)]


def test_dirty_referral_events_are_quarantined_or_counted_as_duplicates(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "referral_events")
    ingest(con, "referral_events", landing, "b1")
    land(landing, "dirty", "referral_events")
    ingest(con, "referral_events", landing, "b2")

    file = "referral_events_2025-03-03.csv"
    assert quarantine(con, "raw_referrals.referral_events_quarantine") == [
        (file, 2, "e11", "missing_occurred_at"),
        (file, 3, "e12", "invalid_reward_amount"),  # "ten"
        (file, 4, "e1", "duplicate_key"),  # e1 loaded from the clean file, other content
        (file, 7, "e13", "duplicate_key"),  # e13 already on row 6 of this file
    ]
    assert rows(
        con,
        "select rejection_detail from raw_referrals.referral_events_quarantine "
        "where _source_row_number = 4",
    ) == [
        (f"{file} row 4: event_id \"e1\" was already loaded from "
         "referral_events_2025-03-01.csv row 1 with different content",)
    ]  # fmt: skip
    # 8 rows = 2 loaded (e10, e13) + 4 quarantined + 2 duplicates (row 5 = row 1, row 8 = e2)
    assert log(con, "referral_events")[-1] == ("b2", file, "loaded", 8, 2, 4, 2)
    assert rows(
        con, "select event_id, event_type from raw_referrals.referral_events order by 1"
    ) == [
        ("e1", "shared"), ("e10", "shared"), ("e13", "clicked"), ("e2", "clicked"),
        ("e3", "reward_issued"),
    ]  # fmt: skip


def test_dirty_messages_and_referral_codes_are_quarantined(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "dirty", "messages")
    ingest(con, "messages", landing, "b1")
    land(landing, "dirty", "referral_codes")
    ingest(con, "referral_codes", landing, "b1")

    messages = "messages_2025-03-03.jsonl"
    assert quarantine(con, "raw_messaging.message_events_quarantine") == [
        (messages, 2, "m11", "invalid_occurred_at"),  # month 13
        (messages, 3, "m12", "missing_channel"),  # null
        (messages, 4, "", "missing_event_id"),  # empty string
    ]
    assert log(con, "messages") == [("b1", messages, "loaded", 4, 1, 3, 0)]
    codes = "referral_codes_2025-03-03.csv"
    assert quarantine(con, "raw_referrals.referral_codes_quarantine") == [
        (codes, 2, "CAT5", "missing_reward_amount"),
    ]
    assert log(con, "referral_codes") == [("b1", codes, "loaded", 3, 2, 1, 0)]


def test_rows_read_is_loaded_plus_quarantined_plus_duplicate_for_every_file(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    for scenario in ("clean", "dirty", "update", "malformed"):
        for source in SOURCES:
            if (FIXTURES / scenario / SOURCES[source].landing_folder).is_dir():
                land(landing, scenario, source)
                ingest(con, source, landing, scenario)

    loaded = rows(
        con,
        "select file_name, rows_read, rows_loaded + rows_quarantined + rows_duplicate "
        "from raw_meta.load_log where status = 'loaded' order by file_name",
    )
    # 4 clean + 4 dirty + 1 update + 1 malformed (03-07) files loaded
    assert len(loaded) == 10
    assert all(read == accounted for _, read, accounted in loaded)


def test_malformed_files_are_rejected_whole_and_leave_raw_tables_unchanged(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "malformed", "orders")
    stage = stage_new_files(con, "orders", landing, "b1")
    merge_staged(con, "orders", "b1")

    assert [(file.file_name, file.status) for file in stage.files] == [
        ("orders_2025-03-04.jsonl", "rejected"),
        ("orders_2025-03-05.jsonl", "rejected"),
        ("orders_2025-03-06.jsonl", "rejected"),
        ("orders_2025-03-07.jsonl", "staged"),
    ]
    assert rows(
        con,
        "select file_name, status, rows_read, message from raw_meta.load_log "
        "where status = 'rejected' order by file_name",
    ) == [
        ("orders_2025-03-04.jsonl", "rejected", 0,
         "orders_2025-03-04.jsonl: empty_file: the file has 0 bytes"),
        ("orders_2025-03-05.jsonl", "rejected", 0,
         "orders_2025-03-05.jsonl: empty_file: the file has only blank lines"),
        # the Latin-1 "é" of "rené" is byte 49 of line 1
        ("orders_2025-03-06.jsonl", "rejected", 0,
         "orders_2025-03-06.jsonl: invalid_encoding: not UTF-8 (bad byte at offset 49, line 1); "
         "re-export the file as UTF-8"),
    ]  # fmt: skip
    # nothing from a rejected file: only o20 of 03-07 loads, its broken line 2 is quarantined
    assert rows(con, "select order_id, _source_file from raw_shop.orders") == [
        ("o20", "orders_2025-03-07.jsonl")
    ]
    assert rows(con, "select count(*) from raw_shop.orders_history") == [(1,)]
    assert quarantine(con, "raw_shop.orders_quarantine") == [
        ("orders_2025-03-07.jsonl", 2, None, "unparseable_line")
    ]


def test_a_csv_without_a_required_column_is_rejected(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "referral_codes")
    ingest(con, "referral_codes", landing, "b1")
    land(landing, "malformed", "referral_codes")
    stage = stage_new_files(con, "referral_codes", landing, "b2")
    merge_staged(con, "referral_codes", "b2")

    assert [(file.file_name, file.status, file.message) for file in stage.files] == [
        ("referral_codes_2025-03-01.csv", "already_loaded", None),
        ("referral_codes_2025-03-04.csv", "rejected",
         "referral_codes_2025-03-04.csv: missing_column: the CSV header lacks required column(s) "
         "link_token"),
    ]  # fmt: skip
    assert rows(con, "select referral_code from raw_referrals.referral_codes order by 1") == [
        ("ANN15",),
        ("BOB10",),
    ]


def test_a_rejected_file_is_skipped_until_its_content_changes(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "malformed", "referral_codes")
    ingest(con, "referral_codes", landing, "b1")
    stage = stage_new_files(con, "referral_codes", landing, "b2")
    assert [file.status for file in stage.files] == ["previously_rejected"]

    # the store re-exports the file with its link_token column: it loads
    fixed = landing / "referral_codes" / "referral_codes_2025-03-04.csv"
    fixed.write_text(
        "referral_code,link_token,program_variant,reward_amount,reward_currency,offer_framing,"
        "issued_at\nEVE5,tokE,give5_get5,5.00,USD,free_shipping,2025-03-04T08:00:00Z\n"
    )
    ingest(con, "referral_codes", landing, "b3")
    assert log(con, "referral_codes") == [
        ("b1", "referral_codes_2025-03-04.csv", "rejected", 0, 0, 0, 0),
        ("b3", "referral_codes_2025-03-04.csv", "loaded", 1, 1, 0, 0),
    ]
    assert rows(con, "select referral_code, link_token from raw_referrals.referral_codes") == [
        ("EVE5", "tokE")
    ]


def test_a_changed_file_under_a_loaded_name_is_reported_as_conflict_and_not_loaded(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "messages")
    ingest(con, "messages", landing, "b1")
    path = landing / "messages" / "messages_2025-03-01.jsonl"
    path.write_text(path.read_text().replace('"sent"', '"delivered"'))

    for batch_id in ("b2", "b3"):
        stage = stage_new_files(con, "messages", landing, batch_id)
        merge_staged(con, "messages", batch_id)
        assert [(file.file_name, file.status) for file in stage.conflicts] == [
            ("messages_2025-03-01.jsonl", "conflict")
        ]
        assert stage.as_metadata()["files_conflict"] == 1

    # logged once for this content, never loaded: m1 is still "sent"
    assert [row[:3] for row in log(con, "messages")] == [
        ("b1", "messages_2025-03-01.jsonl", "loaded"),
        ("b2", "messages_2025-03-01.jsonl", "conflict"),
    ]
    assert rows(
        con, "select event_type from raw_messaging.message_events where event_id = 'm1'"
    ) == [("sent",)]


def test_a_blocked_batch_stays_unloaded_and_its_corrected_file_loads_next_run(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "dirty", "messages")
    stage_new_files(con, "messages", landing, "b1")
    record_blocked_batch(con, "messages", "b1", "expect_column_values_to_be_in_set failed")
    # merging a blocked batch does nothing
    assert merge_staged(con, "messages", "b1").files == []
    assert rows(con, "select count(*) from raw_messaging.message_events") == [(0,)]
    assert rows(
        con, "select status, rows_read, rows_loaded, rows_quarantined, message from "
        "raw_meta.load_log",
    ) == [
        ("blocked", 4, 0, 3, "messages_2025-03-03.jsonl: blocked by the gate: "
         "expect_column_values_to_be_in_set failed"),
    ]  # fmt: skip

    # the store fixes the file in place (drops the bad lines 2-4)
    path = landing / "messages" / "messages_2025-03-03.jsonl"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    stage = stage_new_files(con, "messages", landing, "b2")
    merge_staged(con, "messages", "b2")

    assert [file.status for file in stage.files] == ["staged"]
    assert rows(con, "select event_id, _batch_id from raw_messaging.message_events") == [
        ("m10", "b2")
    ]
    # the blocked attempt's quarantine rows were provisional: the retry replaced them
    assert rows(con, "select count(*) from raw_messaging.message_events_quarantine") == [(0,)]
    assert [row[:3] for row in log(con, "messages")] == [
        ("b1", "messages_2025-03-03.jsonl", "blocked"),
        ("b2", "messages_2025-03-03.jsonl", "loaded"),
    ]


def test_records_quarantined_by_the_gate_after_staging_are_not_merged(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    land(landing, "clean", "orders")
    stage_new_files(con, "orders", landing, "b1")
    # what the gate does for o2 (line 2): two expectations fail on the same record
    for expectation in ("expect_column_values_to_be_between:total", "expect_other"):
        con.execute(
            "insert into raw_shop.orders_quarantine values "
            "('b1', 'orders_2025-03-01.jsonl', 2, 'o2', ?, 'too big', '{}', now())",
            [expectation],
        )
    report = merge_staged(con, "orders", "b1")

    # 3 read = 2 loaded + 1 quarantined record (counted once)
    assert [(f.rows_read, f.rows_loaded, f.rows_quarantined) for f in report.files] == [(3, 2, 1)]
    assert rows(con, "select order_id from raw_shop.orders order by 1") == [("o1",), ("o3",)]
    assert rows(con, "select distinct order_id from raw_shop.order_lines order by 1") == [
        ("o1",),
        ("o3",),
    ]
    assert rows(con, "select count(*) from raw_shop.orders_history") == [(2,)]


def test_merging_a_batch_twice_loads_it_once(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    land(landing, "clean", "referral_events")
    stage_new_files(con, "referral_events", landing, "b1")
    first = merge_staged(con, "referral_events", "b1")
    second = merge_staged(con, "referral_events", "b1")

    assert (first.rows_loaded, second.rows_loaded) == (3, 0)
    assert rows(con, "select count(*) from raw_referrals.referral_events") == [(3,)]
    assert rows(con, "select count(*) from raw_meta.load_log") == [(1,)]
