"""Ingestion of every accepted format and file-level quirks: Parquet, CRLF, BOM, time zones.

Files are written by the tests themselves (Parquet cannot be hand-written); each says what it
holds and what must come out.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from warehouse.ingestion import discovery, merge_staged, stage_new_files

FIXTURES = Path(__file__).parent / "fixtures" / "ingestion"
ORDER_LINE = (FIXTURES / "clean" / "orders" / "orders_2025-03-01.jsonl").read_text().splitlines()
EVENTS_HEADER = (
    "event_id,referral_code,event_type,occurred_at,share_channel,referred_customer_id,"
    "referred_email,reward_amount"
)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def write(landing: Path, relative: str, content: str | bytes) -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def write_parquet_orders(path: Path, with_total: bool) -> None:
    """Two orders with native Parquet types: timestamptz, decimal, a list of item structs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    total = "49.90::decimal(18, 2) as total," if with_total else ""
    # a scratch in-memory connection, so the warehouse file only sees the loader
    scratch = duckdb.connect()
    scratch.execute("set TimeZone = 'UTC'")
    scratch.execute(
        f"""
        copy (
            select
                'p' || i as order_id,
                case when i = 1 then 'c1' end as customer_id,
                null::varchar as email,
                timestamptz '2025-03-01 11:00:00+01:00' as created_at,
                timestamp '2025-03-01 10:30:00' as updated_at,
                'USD' as currency,
                49.90::decimal(18, 2) as subtotal,
                0::decimal(18, 2) as discount_total,
                0::decimal(18, 2) as shipping_total,
                0::decimal(18, 2) as tax_total,
                {total}
                0::decimal(18, 2) as refunded_total,
                'paid' as financial_status,
                'unfulfilled' as fulfillment_status,
                [
                    {{'product_id': 'p9', 'product_type': 'core', 'quantity': i,
                      'unit_price': 49.90::decimal(18, 2), 'unit_cost': null::decimal(18, 2)}}
                ] as line_items
            from range(1, 3) as t(i)
        ) to '{path}' (format parquet)
        """
    )
    scratch.close()


def test_parquet_orders_load_like_json_lines(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_parquet_orders(landing / "orders" / "orders_2025-03-01.parquet", with_total=True)
    stage = stage_new_files(con, "orders", landing, "b1")
    report = merge_staged(con, "orders", "b1")

    assert (stage.rows_read, report.rows_loaded) == (2, 2)
    # 11:00+01:00 -> 10:00 UTC; the naive Parquet timestamp is UTC; row numbers start at 1
    assert rows(
        con,
        "select order_id, customer_id, created_at, updated_at, total, _source_file, "
        "_source_row_number from raw_shop.orders order by order_id",
    ) == [
        ("p1", "c1", datetime(2025, 3, 1, 10), datetime(2025, 3, 1, 10, 30), Decimal("49.90"),
         "orders_2025-03-01.parquet", 1),
        ("p2", None, datetime(2025, 3, 1, 10), datetime(2025, 3, 1, 10, 30), Decimal("49.90"),
         "orders_2025-03-01.parquet", 2),
    ]  # fmt: skip
    assert rows(
        con,
        "select order_id, line_number, product_id, quantity, unit_price, unit_cost "
        "from raw_shop.order_lines order by order_id",
    ) == [
        ("p1", 1, "p9", 1, Decimal("49.90"), None),
        ("p2", 1, "p9", 2, Decimal("49.90"), None),
    ]


def test_a_parquet_file_without_a_required_column_is_rejected(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write_parquet_orders(landing / "orders" / "orders_2025-03-01.parquet", with_total=False)
    stage = stage_new_files(con, "orders", landing, "b1")
    merge_staged(con, "orders", "b1")

    assert [(file.status, file.message) for file in stage.files] == [
        ("rejected",
         "orders_2025-03-01.parquet: missing_column: the Parquet schema lacks required "
         "column(s) total"),
    ]  # fmt: skip
    assert rows(con, "select count(*) from raw_shop.orders") == [(0,)]


def test_crlf_line_ends_and_a_byte_order_mark_are_read_as_plain_lines(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    # a Windows export: BOM, CRLF, and a blank line 2 that is not counted
    content = "\ufeff" + ORDER_LINE[0] + "\r\n\r\n" + ORDER_LINE[1] + "\r\n"
    write(landing, "orders/orders_2025-03-01.jsonl", content.encode("utf-8"))
    stage = stage_new_files(con, "orders", landing, "b1")
    merge_staged(con, "orders", "b1")

    assert (stage.rows_read, stage.rows_quarantined) == (2, 0)
    assert rows(con, "select order_id, _source_row_number from raw_shop.orders order by 1") == [
        ("o1", 1),
        ("o2", 3),
    ]


def test_timestamps_are_utc_whatever_the_session_time_zone(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    con.execute("set TimeZone = 'America/New_York'")
    shutil.copytree(FIXTURES / "clean" / "orders", landing / "orders")
    stage_new_files(con, "orders", landing, "b1")
    merge_staged(con, "orders", "b1")

    # o3: created 11:15+01:00 -> 10:15, updated "10:20" without offset -> 10:20 UTC
    assert rows(
        con, "select created_at, updated_at from raw_shop.orders where order_id = 'o3'"
    ) == [(datetime(2025, 3, 1, 10, 15), datetime(2025, 3, 1, 10, 20))]


def test_csv_quoting_keeps_commas_and_line_breaks_inside_fields(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write(
        landing,
        "referral_events/referral_events_2025-03-01.csv",
        f'{EVENTS_HEADER}\ne1,ANN15,shared,2025-03-01T10:00:00Z,email,,"a, ""b""\nc",\n'
        "e2,ANN15,clicked,2025-03-01T11:00:00Z,,,,\n",
    )
    stage_new_files(con, "referral_events", landing, "b1")
    merge_staged(con, "referral_events", "b1")

    # row numbers count records after the header, not physical lines
    assert rows(
        con,
        "select event_id, referred_email, _source_row_number "
        "from raw_referrals.referral_events order by 1",
    ) == [("e1", 'a, "b"\nc', 1), ("e2", None, 2)]


def test_a_csv_that_cannot_be_parsed_is_rejected_and_the_others_load(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write(
        landing,
        "referral_events/referral_events_2025-03-01.csv",
        f"{EVENTS_HEADER}\ne1,ANN15,shared,2025-03-01T10:00:00Z,,,,\n",
    )
    # row 2 has 10 fields for 8 columns
    write(
        landing,
        "referral_events/referral_events_2025-03-02.csv",
        f"{EVENTS_HEADER}\ne2,ANN15,clicked,2025-03-02T10:00:00Z,,,,\n"
        "e3,ANN15,clicked,2025-03-02T11:00:00Z,,,,,x,y\n",
    )
    stage = stage_new_files(con, "referral_events", landing, "b1")
    merge_staged(con, "referral_events", "b1")

    assert [(file.file_name, file.status) for file in stage.files] == [
        ("referral_events_2025-03-01.csv", "staged"),
        ("referral_events_2025-03-02.csv", "rejected"),
    ]
    assert (stage.files[1].message or "").startswith(
        "referral_events_2025-03-02.csv: unreadable_file: the csv reader failed:"
    )
    assert rows(con, "select event_id from raw_referrals.referral_events") == [("e1",)]


def test_other_extensions_are_rejected_and_hidden_files_ignored(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    write(landing, "messages/_SUCCESS", "")
    write(landing, "messages/.messages_2025-03-01.jsonl.tmp", "partial")
    write(landing, "messages/messages_2025-03-01.txt", "{}\n")
    stage = stage_new_files(con, "messages", landing, "b1")

    assert [(file.file_name, file.status, file.message) for file in stage.files] == [
        ("messages_2025-03-01.txt", "rejected",
         "messages_2025-03-01.txt: unsupported_format: messages accepts .jsonl, .parquet, "
         "got .txt"),
    ]  # fmt: skip


def test_a_missing_landing_folder_stages_nothing(
    con: duckdb.DuckDBPyConnection, landing: Path
) -> None:
    stage = stage_new_files(con, "orders", landing, "b1")
    report = merge_staged(con, "orders", "b1")

    assert (stage.files, report.files) == ([], [])
    assert rows(con, "select count(*) from raw_shop.orders__staged") == [(0,)]


def test_utf8_check_reads_characters_split_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4-byte chunks split "é" (bytes 3-4) of line 1; "abcé\n" is 6 bytes and "xxxxxx" 6 more,
    # so the 0xFF on line 2 is at offset 12 (0-based)
    monkeypatch.setattr(discovery, "_CHUNK_BYTES", 4)
    good = write(tmp_path, "good.jsonl", "abcé\n{}\n".encode())
    bad = write(tmp_path, "bad.jsonl", "abcé\nxxxxxx".encode() + b"\xff\n")

    assert discovery.scan_file(good, "jsonl")[1] is None
    defect = discovery.scan_file(bad, "jsonl")[1]
    assert defect == discovery.FileDefect(
        "invalid_encoding",
        "bad.jsonl: invalid_encoding: not UTF-8 (bad byte at offset 12, line 2); "
        "re-export the file as UTF-8",
    )
