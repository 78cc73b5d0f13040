"""The demo store generator: deterministic, consistent with its report, realistic where it counts.

Every check reads the written files back with DuckDB (or plain line counting), independently of
how the generator built them.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from demo_store import REPORT_FILE_NAME, GenerationReport, generate_store
from warehouse.paths import REPO_ROOT

SOURCES = {
    "orders": "jsonl",
    "referral_codes": "csv",
    "referral_events": "csv",
    "messages": "jsonl",
}
ORDER_COLUMNS = {
    "order_id": "VARCHAR",
    "customer_id": "VARCHAR",
    "email": "VARCHAR",
    "created_at": "TIMESTAMP",
    "updated_at": "TIMESTAMP",
    "fulfilled_at": "TIMESTAMP",
    "delivered_at": "TIMESTAMP",
    "cancelled_at": "TIMESTAMP",
    "currency": "VARCHAR",
    "subtotal": "DECIMAL(18,2)",
    "discount_total": "DECIMAL(18,2)",
    "shipping_total": "DECIMAL(18,2)",
    "tax_total": "DECIMAL(18,2)",
    "total": "DECIMAL(18,2)",
    "refunded_total": "DECIMAL(18,2)",
    "financial_status": "VARCHAR",
    "fulfillment_status": "VARCHAR",
    "discount_code": "VARCHAR",
    "referral_token": "VARCHAR",
    "line_items": "STRUCT(product_id VARCHAR, product_type VARCHAR, quantity INTEGER, "
    "unit_price DECIMAL(18,2), unit_cost DECIMAL(18,2))[]",
}
# fewer daily files where the calendar does not matter: the tests stay fast
SHORT_END = date(2025, 8, 31)
MESSAGE_COLUMNS = {
    "event_id": "VARCHAR",
    "message_id": "VARCHAR",
    "customer_id": "VARCHAR",
    "email": "VARCHAR",
    "phone": "VARCHAR",
    "order_id": "VARCHAR",
    "channel": "VARCHAR",
    "flow": "VARCHAR",
    "event_type": "VARCHAR",
    "variant": "VARCHAR",
    "occurred_at": "TIMESTAMP",
}


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    out = tmp_path_factory.mktemp("clean_store")
    return out, generate_store(out, orders=4_000, seed=11, dirty_rate=0.0)


@pytest.fixture(scope="module")
def clean_db(clean_store) -> duckdb.DuckDBPyConnection:
    store, _ = clean_store
    con = _load_lines(store)
    _load_typed(con, store)
    return con


@pytest.fixture(scope="module")
def dirty_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    out = tmp_path_factory.mktemp("dirty_store")
    return out, generate_store(out, orders=4_000, seed=11, dirty_rate=0.02)


def _load_lines(store: Path) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with a `<source>_lines` table per source: every line of every file."""
    con = duckdb.connect()
    for source, extension in SOURCES.items():
        # one column holding each whole line: \x01 never occurs, quotes are not special
        con.execute(f"""
            create table {source}_lines as
            select filename, line from read_csv('{store}/{source}/*.{extension}',
                columns = {{'line': 'VARCHAR'}}, delim = '\\x01', header = false,
                quote = '', escape = '', filename = true)
        """)
    return con


def _load_typed(con: duckdb.DuckDBPyConnection, store: Path) -> None:
    """Typed tables of a clean store, read with DuckDB's own JSON and CSV readers."""
    con.execute(f"""
        create table orders as select * from read_json('{store}/orders/*.jsonl',
            format = 'newline_delimited', columns = {ORDER_COLUMNS}, filename = true)
    """)
    con.execute(f"""
        create table messages as select * from read_json('{store}/messages/*.jsonl',
            format = 'newline_delimited', columns = {MESSAGE_COLUMNS})
    """)
    for source in ("referral_codes", "referral_events"):
        con.execute(f"""
            create table {source} as select * from read_csv('{store}/{source}/*.csv',
                header = true, all_varchar = true)
        """)


def _row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("first", 5), ("again", 5), ("other", 6)):
        generate_store(tmp_path / name, orders=1_500, seed=seed, end=SHORT_END)
    first = _folder_digest(tmp_path / "first")
    assert _folder_digest(tmp_path / "again") == first
    assert _folder_digest(tmp_path / "other") != first


def test_the_report_counts_what_the_files_hold(dirty_store) -> None:
    store, report = dirty_store
    for source, extension in SOURCES.items():
        files = sorted((store / source).glob(f"{source}_*.{extension}"))
        header_lines = len(files) if extension == "csv" else 0
        lines = sum(path.read_bytes().count(b"\n") for path in files) - header_lines
        counted = report.sources[source]
        assert counted.files == len(files)
        assert counted.records == lines
        assert counted.bytes == sum(path.stat().st_size for path in files)
        assert counted.clean_records + counted.dirty_total == counted.records
        # a 2% dirty rate adds round(2% x clean) lines, spread over every kind
        assert counted.dirty_total == round(0.02 * counted.clean_records)
        assert min(counted.dirty_records.values()) > 0
    assert json.loads((store / REPORT_FILE_NAME).read_text()) == report.as_dict()
    assert report.sources["orders"].clean_records > 4_000  # more than one version per order


def test_file_names_carry_the_day_of_their_records(clean_db: duckdb.DuckDBPyConnection) -> None:
    con = clean_db
    mismatched = _row(
        con,
        """
        select count(*) from orders
        where strftime(updated_at, '%Y-%m-%d') != regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})')
    """,
    )[0]
    assert mismatched == 0
    first_day, last_day = _row(
        con, "select min(created_at)::date, max(updated_at)::date from orders"
    )
    assert date(2025, 1, 1) <= first_day < date(2025, 1, 8)
    assert last_day == date(2026, 10, 31)


def test_every_order_adds_up_to_its_total(clean_db: duckdb.DuckDBPyConnection) -> None:
    con = clean_db
    checks = _row(
        con,
        """
        with items as (
            select order_id, updated_at, sum(item.quantity * item.unit_price) as items_total,
                count(*) as lines
            from (select order_id, updated_at, unnest(line_items) as item from orders)
            group by 1, 2
        )
        select
            count(*) as versions,
            count(*) filter (where subtotal - discount_total + shipping_total + tax_total
                != total) as totals_off,
            count(*) filter (where items_total != subtotal) as subtotals_off,
            count(*) filter (where lines not between 1 and 4) as line_counts_off,
            count(*) filter (where refunded_total > total or discount_total > subtotal
                or total <= 0) as amounts_off,
            count(distinct currency) as currencies
        from orders inner join items using (order_id, updated_at)
    """,
    )
    versions, totals_off, subtotals_off, line_counts_off, amounts_off, currencies = checks
    assert versions > 4_000
    assert (totals_off, subtotals_off, line_counts_off, amounts_off, currencies) == (0, 0, 0, 0, 1)
    unknown_costs = _row(
        con,
        """
        select avg((item.unit_cost is null)::int)
        from (select unnest(line_items) as item from orders)
    """,
    )[0]
    assert 0.05 < unknown_costs < 0.4  # ~80% of products have a known cost


def test_an_order_moves_through_its_lifecycle_in_later_versions(
    clean_db: duckdb.DuckDBPyConnection,
) -> None:
    con = clean_db
    states = _row(
        con,
        """
        with current as (
            select * from orders
            qualify row_number() over (partition by order_id order by updated_at desc) = 1
        )
        select
            count(*) as orders,
            count(*) filter (where cancelled_at is not null) as cancelled,
            count(*) filter (where cancelled_at is not null and (delivered_at is not null
                or financial_status != 'voided')) as bad_cancellations,
            count(*) filter (where refunded_total > 0) as refunded,
            count(*) filter (where refunded_total > 0 and (delivered_at is null
                or financial_status not in ('refunded', 'partially_refunded'))) as bad_refunds,
            count(*) filter (where delivered_at < fulfilled_at
                or fulfilled_at < created_at) as out_of_order
        from current
    """,
    )
    orders, cancelled, bad_cancellations, refunded, bad_refunds, out_of_order = states
    assert orders == 4_000
    assert 0.01 < cancelled / orders < 0.06  # ~3%
    assert 0.02 < refunded / orders < 0.09  # ~5% of delivered orders
    assert (bad_cancellations, bad_refunds, out_of_order) == (0, 0, 0)
    # every order's first version is the one written on its creation day
    late_first_versions = _row(
        con,
        """
        select count(*) from (
            select order_id, min(updated_at) as first_version, min(created_at) as created_at
            from orders group by 1
        ) where first_version != created_at
    """,
    )[0]
    assert late_first_versions == 0


def test_guest_checkouts_sometimes_use_a_variant_of_a_registered_email(
    clean_db: duckdb.DuckDBPyConnection,
) -> None:
    con = clean_db
    guests, matching = _row(
        con,
        """
        with normalised as (
            select customer_id, email,
                regexp_replace(replace(split_part(lower(email), '@', 1), '.', ''), '\\+.*', '')
                    || '@' || split_part(lower(email), '@', 2) as mailbox
            from orders
        ),
        registered as (select distinct mailbox from normalised where customer_id is not null)
        select count(distinct email),
            count(distinct email) filter (where email != lower(email) or email like '%+%'
                or mailbox in (select mailbox from registered))
        from normalised where customer_id is null
    """,
    )
    assert guests > 100
    assert 0 < matching < guests


def test_referred_first_orders_use_codes_and_tokens_the_program_issued(
    clean_store, clean_db: duckdb.DuckDBPyConnection
) -> None:
    _, report = clean_store
    con = clean_db
    linked = _row(
        con,
        """
        with placed as (
            select order_id, coalesce(customer_id, lower(email)) as buyer, created_at,
                discount_code, referral_token
            from orders
            qualify row_number() over (partition by order_id order by updated_at) = 1
        ),
        first_orders as (
            select * from placed
            qualify row_number() over (partition by buyer order by created_at) = 1
        )
        select
            count(*) filter (where codes.link_token = first_orders.referral_token),
            count(*) filter (where upper(first_orders.discount_code) = codes.referral_code),
            count(*) filter (where first_orders.created_at < codes.issued_at::timestamp)
        from first_orders inner join referral_codes as codes
            on codes.link_token = first_orders.referral_token
            or codes.referral_code = upper(first_orders.discount_code)
    """,
    )
    via_token, via_code, before_issue = linked
    assert via_token > 20 and via_code > 10
    assert before_issue == 0
    assert report.facts["friend_first_orders"] >= max(via_token, via_code)
    # codes and tokens that match nothing are the deliberate unknown ones or promo codes
    strays = _row(
        con,
        """
        select list(distinct discount_code) filter (where discount_code is not null),
            count(*) filter (where referral_token is not null)
        from orders
        where upper(coalesce(discount_code, '')) not in (select referral_code from referral_codes)
            and coalesce(referral_token, '') not in (select link_token from referral_codes)
    """,
    )
    stray_codes, stray_tokens = strays
    promo = {"WELCOME10", "SPRING15", "FREESHIP", "VIP20", "BFCM25"}
    assert all(code in promo or code.endswith("O") for code in stray_codes)
    assert any(code.endswith("O") for code in stray_codes) and stray_tokens > 0


def test_referral_volume_grows_as_the_program_matures(
    clean_store, clean_db: duckdb.DuckDBPyConnection
) -> None:
    _, report = clean_store
    con = clean_db
    sign_ups = con.execute("""
        select date_trunc('quarter', occurred_at::timestamp) as quarter, count(*)
        from referral_events where event_type = 'signed_up' group by 1 order by 1
    """).fetchall()
    counts = [count for _, count in sign_ups]
    first_sign_up = _row(
        con,
        "select min(occurred_at::timestamp) from referral_events where event_type = 'signed_up'",
    )[0]
    assert first_sign_up.date() >= report.referral_go_live
    # first full quarter of the program vs the last full one (2026 Q3)
    assert counts[-2] > 2 * counts[1]


def test_the_referral_ask_mostly_follows_delivery(clean_db: duckdb.DuckDBPyConnection) -> None:
    con = clean_db
    asks, after_delivery, within_days = _row(
        con,
        """
        with delivered as (
            select order_id, max(delivered_at) as delivered_at from orders group by 1
        )
        select count(*),
            count(*) filter (where occurred_at > delivered_at),
            count(*) filter (where occurred_at > delivered_at
                and occurred_at <= delivered_at + interval 3 day)
        from messages inner join delivered using (order_id)
        where flow = 'post_purchase_referral_ask' and event_type = 'sent'
    """,
    )
    assert asks > 500
    # ~4% are sent by mistake while the parcel is still on its way
    assert 0.9 < after_delivery / asks < 1.0
    assert within_days == after_delivery


def test_the_upgrade_offer_comes_10_to_21_days_after_the_first_order(
    clean_db: duckdb.DuckDBPyConnection,
) -> None:
    con = clean_db
    offers, in_window, on_first_orders = _row(
        con,
        """
        with order_facts as (
            select order_id, min(created_at) as created_at,
                min(coalesce(customer_id, email)) as buyer
            from orders group by 1
        ),
        numbered as (
            select *, row_number() over (partition by buyer order by created_at) as sequence
            from order_facts
        )
        select count(*),
            count(*) filter (where date_diff('day', created_at::date, occurred_at::date)
                between 10 and 21),
            count(*) filter (where sequence = 1)
        from messages inner join numbered using (order_id)
        where flow = 'upgrade_offer' and event_type = 'sent'
    """,
    )
    assert offers > 500
    assert in_window == offers
    # numbered per customer id, or per e-mail for guest checkouts: the true first order is the
    # earliest under either identity
    assert on_first_orders == offers


def test_messages_have_events_in_order_and_sms_has_a_phone(
    clean_db: duckdb.DuckDBPyConnection,
) -> None:
    con = clean_db
    rates = _row(
        con,
        """
        select
            count(distinct message_id) filter (where event_type = 'sent'),
            count(*) filter (where channel = 'sms' and not regexp_full_match(phone, '\\+1\\d{10}')),
            count(*) filter (where channel = 'email' and phone is not null),
            count(distinct flow),
            count(*) filter (where flow in ('win_back', 'welcome') and order_id is not null)
        from messages
    """,
    )
    sent, bad_sms, email_with_phone, flows, untriggered_with_order = rates
    assert sent > 5_000
    assert (bad_sms, email_with_phone, untriggered_with_order) == (0, 0, 0)
    assert flows == 6
    funnel = dict(
        con.execute("""
            select event_type, count(*) / (select count(*) from messages where event_type = 'sent')
            from messages group by 1
        """).fetchall()
    )
    assert funnel["delivered"] > 0.9 and funnel["bounced"] < 0.05
    assert funnel["delivered"] > funnel["opened"] > funnel["clicked"] > funnel["unsubscribed"]


def test_a_clean_store_has_no_dirty_rows(clean_store, clean_db: duckdb.DuckDBPyConnection) -> None:
    _, report = clean_store
    assert all(s.dirty_total == 0 for s in report.sources.values())
    con = clean_db
    bad = _row(
        con,
        """
        select
            (select count(*) filter (where not json_valid(line)) from orders_lines)
            + (select count(*) filter (where not json_valid(line)) from messages_lines),
            (select count(*) - count(distinct line) from orders_lines)
            + (select count(*) - count(distinct line) from messages_lines)
            + (select count(*) - count(distinct line) - count(distinct filename) + 1
               from referral_events_lines)
            + (select count(*) - count(distinct line) - count(distinct filename) + 1
               from referral_codes_lines)
    """,
    )
    assert bad == (0, 0)
    problems = _row(
        con,
        """
        select
            (select count(*) from orders where order_id is null or total < 0
                or financial_status not in ('pending', 'paid', 'partially_refunded',
                    'refunded', 'voided')
                or updated_at >= '2026-11-01'),
            (select count(*) from messages where event_id is null
                or occurred_at >= '2026-11-01'),
            (select count(*) from referral_events where event_id is null
                or try_cast(occurred_at as timestamp) is null
                or event_type not in ('shared', 'clicked', 'signed_up', 'reward_issued')),
            (select count(*) from referral_codes where referral_code is null
                or try_cast(issued_at as timestamp) is null or reward_amount::decimal < 0)
    """,
    )
    assert problems == (0, 0, 0, 0)


def test_dirty_rows_are_the_kinds_and_counts_the_report_names(dirty_store) -> None:
    store, report = dirty_store
    con = _load_lines(store)
    orders, messages = (
        report.sources["orders"].dirty_records,
        report.sources["messages"].dirty_records,
    )
    found = _row(
        con,
        """
        with parsed as (
            select line, json_valid(line) as valid from orders_lines
        )
        select
            count(*) filter (where not valid),
            count(*) - count(distinct line),
            count(*) filter (where valid and line not like '%"order_id":"%'),
            count(*) filter (where valid and line like '%,"total":-%'),
            count(*) filter (where valid and line like '%"financial_status":"paidd"%'),
            count(*) filter (where valid and line like '%"updated_at":"2099-%')
        from parsed
    """,
    )
    assert found == (
        orders["unparseable_line"],
        orders["duplicate_line"],
        orders["missing_order_id"],
        orders["negative_total"],
        orders["unknown_financial_status"],
        orders["future_updated_at"],
    )
    found = _row(
        con,
        """
        select
            count(*) filter (where not json_valid(line)),
            count(*) - count(distinct line),
            count(*) filter (where json_valid(line) and line not like '%"event_id":"%'),
            count(*) filter (where line like '%"event_type":"opend"%'),
            count(*) filter (where line like '%"occurred_at":"2099-%')
        from messages_lines
    """,
    )
    assert found == (
        messages["unparseable_line"],
        messages["duplicate_line"],
        messages["missing_event_id"],
        messages["unknown_event_type"],
        messages["future_occurred_at"],
    )
    codes = report.sources["referral_codes"].dirty_records
    found = _row(
        con,
        """
        select
            count(*) filter (where line like ',%'),
            count(*) filter (where line like '%,-%'),
            count(*) filter (where line like '%,not-a-date'),
            count(*) filter (where line like '%,2099-%')
        from referral_codes_lines
    """,
    )
    assert found == (
        codes["missing_referral_code"],
        codes["negative_reward_amount"],
        codes["malformed_issued_at"],
        codes["future_issued_at"],
    )
    events = report.sources["referral_events"].dirty_records
    found = _row(
        con,
        """
        select
            count(*) filter (where line like ',%'),
            count(*) filter (where line like '%,sharedd,%'),
            count(*) filter (where line like '%,not-a-date,%'),
            count(*) filter (where line like '%,2099-%'),
            count(*) - count(distinct line) - count(distinct filename) + 1
        from referral_events_lines
    """,
    )
    assert found == (
        events["missing_event_id"],
        events["unknown_event_type"],
        events["malformed_occurred_at"],
        events["future_occurred_at"],
        events["duplicate_line"],
    )


def test_the_command_line_writes_a_store_and_summarises_it(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "demo_store",
        "--orders",
        "300",
        "--seed",
        "3",
        "--out",
        str(tmp_path),
        "--dirty-rate",
        "0",
        "--start",
        "2025-01-01",
        "--end",
        "2025-06-30",
    ]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "orders" in done.stdout and "referral_codes" in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1])["orders"] == 300
    report = json.loads((tmp_path / REPORT_FILE_NAME).read_text())
    assert report["end"] == "2025-06-30"
    assert (tmp_path / "orders" / "orders_2025-06-30.jsonl").exists()
    help_text = subprocess.run(
        [*command[:3], "--help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--dirty-rate" in help_text


def test_replacing_an_earlier_store_needs_overwrite(tmp_path: Path) -> None:
    reused, fresh = tmp_path / "reused", tmp_path / "fresh"
    generate_store(reused, orders=200, seed=2, end=SHORT_END)
    with pytest.raises(FileExistsError):
        generate_store(reused, orders=200, seed=1, end=SHORT_END)
    generate_store(reused, orders=200, seed=1, end=SHORT_END, overwrite=True)
    generate_store(fresh, orders=200, seed=1, end=SHORT_END)
    # nothing of the seed-2 store is left behind
    assert _folder_digest(reused) == _folder_digest(fresh)
