"""The customer marts on a tiny store whose every number was worked out by hand.

tests/fixtures/marts/customers.sql loads 14 orders of 7 buyers into the raw tables (its header
lists them); `dbt build` then runs every model, data test and unit test of the project on it.
Reporting time zone America/New_York; as_of_date() is the latest order date, 2025-06-15 (o14 was
placed 2025-06-16 02:00 UTC, 22:00 the evening before in New York).

Per order (net = subtotal - discount - refunded, never below 0; margin = net - cost of goods):
  o1  c1  2025-01-10  100 - 0 - 0    = 100   margin 100 - 40 = 60
  o2  c1  2025-01-31   50 - 5        =  45   margin  45 - 20 = 25   (03:00 UTC on 1 Feb)
  o3  c1  2025-03-15   80 - 0 - 30   =  50   margin null (a line has no cost)
  o4  c2  2025-01-20   60            =  60   margin  60 - 25 = 35
  o5  c2  cancelled                  =   0   does not count
  o6  c2  2025-04-05   70 - 10       =  60   margin  60 - 28 = 32
  o7  c3  2025-02-10   90 - 15       =  75   margin  75 - 35 = 40   code ALICE15 -> referrer c1
  o8  c3  2025-02-28   45            =  45   margin  45 - 18 = 27   (04:30 UTC on 1 Mar)
  o9  dan 2025-02-14   30            =  30   margin  30 - 12 = 18   guest
  o10 dan 2025-05-20   40            =  40   margin  40 - 15 = 25   guest, e-mail variant
  o11 c4  2025-03-03   25            =  25   margin  25 - 10 = 15   guest, registers later as c4
  o12 c4  2025-03-20   55 - 0 - 64   =   0   margin   0 - 22 = -22  refund incl. tax and shipping
  o13 c5  voided                     =   0   does not count: c5 is no customer
  o14 c6  2025-06-15   65 - 15       =  50   margin  50 - 26 = 24   link tok-bob -> referrer c2
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.marts_helpers import build_fixture_warehouse, fetch_rows, rows_by_key

FIXTURE = Path(__file__).parent / "fixtures" / "marts" / "customers.sql"
# the guest's e-mails 'Dan.Brown+shop@Example.com' and ' danbrown@example.com' normalize alike
DAN = "guest_" + hashlib.sha256(b"danbrown@example.com").hexdigest()
AS_OF = "2025-06-15"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture store loaded into fresh raw tables, after a successful `dbt build`."""
    return build_fixture_warehouse(FIXTURE, tmp_path_factory.mktemp("marts_customers"))


def test_customer_lifetime_value_has_one_row_per_customer_that_counts(warehouse: Path) -> None:
    rows = fetch_rows(
        warehouse, "select customer_id, as_of_date from marts.customer_lifetime_value"
    )
    # c5 only has a voided order; the guest's two e-mail spellings are one customer
    assert sorted(customer for customer, _ in rows) == sorted(["c1", "c2", "c3", "c4", "c6", DAN])
    assert {as_of for _, as_of in rows} == {AS_OF}


def test_customers_are_acquired_by_their_first_order_and_its_referral(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select customer_id, first_order_id, acquisition_channel, referrer_customer_id,
            cohort_month, first_order_date, last_order_date
        from marts.customer_lifetime_value
        """,
    )
    assert actual == {
        "c1": ("o1", "not_referred", None, "2025-01-01", "2025-01-10", "2025-03-15"),
        "c2": ("o4", "not_referred", None, "2025-01-01", "2025-01-20", "2025-04-05"),
        # o7 typed ' alice15', c1's code; c1 had ordered since 2025-01-10
        "c3": ("o7", "referred", "c1", "2025-02-01", "2025-02-10", "2025-02-28"),
        # guest o11 with eve@ belongs to c4, who registered with Eve@ on o12
        "c4": ("o11", "not_referred", None, "2025-03-01", "2025-03-03", "2025-03-20"),
        # o14 came through c2's link tok-bob
        "c6": ("o14", "referred", "c2", "2025-06-01", "2025-06-15", "2025-06-15"),
        DAN: ("o9", "not_referred", None, "2025-02-01", "2025-02-14", "2025-05-20"),
    }


def test_customer_money_is_net_of_discounts_refunds_and_cancellations(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select customer_id, order_count, gross_revenue_amount, discount_amount, refunded_amount,
            net_revenue_amount, gross_margin_amount, costed_order_count, average_order_value_amount
        from marts.customer_lifetime_value
        """,
    )
    assert actual == {
        # o1 + o2 + o3: gross 100 + 50 + 80, discount 5, refunded 30, net 195; margin 60 + 25
        # (o3's costs unknown) over 2 orders; AOV 195 / 3
        "c1": (3, "230.00", "5.00", "30.00", "195.00", "85.00", 2, "65.00"),
        # o4 + o6; cancelled o5 counts for nothing (not its 40, not its 48 refund)
        "c2": (2, "130.00", "10.00", "0.00", "120.00", "67.00", 2, "60.00"),
        # o7 + o8: 90 + 45, discount 15; margin 40 + 27
        "c3": (2, "135.00", "15.00", "0.00", "120.00", "67.00", 2, "60.00"),
        # o11 + o12, o12 refunded 64 with tax and shipping: net 25 + 0; margin 15 - 22
        "c4": (2, "80.00", "0.00", "64.00", "25.00", "-7.00", 2, "12.50"),
        # o14: 65 - 15
        "c6": (1, "65.00", "15.00", "0.00", "50.00", "24.00", 1, "50.00"),
        # o9 + o10: 30 + 40; margin 18 + 25
        DAN: (2, "70.00", "0.00", "0.00", "70.00", "43.00", 2, "35.00"),
    }


def test_ltv_windows_stay_null_until_they_have_passed(warehouse: Path) -> None:
    # a window of N days holds the orders at most N days after the first order date and shows
    # once first_order_date + N <= 2025-06-15; 180 days after the earliest first order
    # (2025-01-10) is 2025-07-09, so no 180d or 365d window has passed yet
    actual = rows_by_key(
        warehouse,
        """
        select customer_id, net_revenue_first_30d_amount, net_revenue_first_90d_amount,
            net_revenue_first_180d_amount, net_revenue_first_365d_amount
        from marts.customer_lifetime_value
        """,
    )
    assert actual == {
        # to 02-09: o1 100 + o2 45; to 04-10: + o3 50
        "c1": ("145.00", "195.00", None, None),
        # to 02-19: o4 60; to 04-20: + o6 60
        "c2": ("60.00", "120.00", None, None),
        # o7 75 + o8 45 within 18 days
        "c3": ("120.00", "120.00", None, None),
        # o11 25 + o12 0; the 90d window ends 06-01
        "c4": ("25.00", "25.00", None, None),
        # acquired on as_of_date: nothing has passed
        "c6": (None, None, None, None),
        # o9 30; o10 (05-20) is day 95, after the 90d window ending 05-15
        DAN: ("30.00", "30.00", None, None),
    }


def test_tenure_and_days_between_orders_are_counted_in_local_dates(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select customer_id, tenure_days, average_days_between_orders, is_repeat_customer
        from marts.customer_lifetime_value
        """,
    )
    assert actual == {
        # 2025-01-10 -> 06-15: 21 + 28 + 31 + 30 + 31 + 15 = 156; 01-10 -> 03-15: 64 / 2 gaps
        "c1": (156, "32.00", True),
        # 01-20 -> 06-15: 11 + 28 + 31 + 30 + 31 + 15 = 146; 01-20 -> 04-05: 75
        "c2": (146, "75.00", True),
        # 02-10 -> 06-15: 18 + 31 + 30 + 31 + 15 = 125; 02-10 -> 02-28: 18
        "c3": (125, "18.00", True),
        # 03-03 -> 06-15: 28 + 30 + 31 + 15 = 104; 03-03 -> 03-20: 17
        "c4": (104, "17.00", True),
        "c6": (0, None, False),
        # 02-14 -> 06-15: 14 + 31 + 30 + 31 + 15 = 121; 02-14 -> 05-20: 95
        DAN: (121, "95.00", True),
    }


def test_orders_are_numbered_per_resolved_customer_in_new_york_months(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select order_id, customer_id, customer_order_number, counts_as_order, order_date,
            order_month, net_revenue_amount
        from intermediate.int_orders_numbered_per_customer
        """,
    )

    # order money is in the reporting currency, unrounded (12 decimals: a converted amount is the
    # exact product of the order's amount and its rate); these USD orders are whole cents
    def exact(amount: str) -> str:
        return str(Decimal(amount).quantize(Decimal("1E-12")))

    # o2 at 2025-02-01 03:00 UTC is 2025-01-31 22:00 in New York: January
    assert actual["o2"] == ("c1", 2, True, "2025-01-31", "2025-01-01", exact("45"))
    # o3's refund of 20 April stays on o3's March: 80 - 30
    assert actual["o3"] == ("c1", 3, True, "2025-03-15", "2025-03-01", exact("50"))
    # o8 at 2025-03-01 04:30 UTC is 2025-02-28 23:30 in New York
    assert actual["o8"] == ("c3", 2, True, "2025-02-28", "2025-02-01", exact("45"))
    # one guest across e-mail spellings; a guest order joins the account registered later
    assert actual["o9"][:2] == (DAN, 1)
    assert actual["o10"][:2] == (DAN, 2)
    assert actual["o11"][:2] == ("c4", 1)
    assert actual["o12"][:2] == ("c4", 2)
    # cancelled o5 and voided o13 do not count, are not numbered and are worth 0
    assert actual["o5"] == ("c2", None, False, "2025-01-25", "2025-01-01", exact("0"))
    assert actual["o13"] == ("c5", None, False, "2025-04-10", "2025-04-01", exact("0"))


def test_customer_net_revenue_ties_out_to_the_orders(warehouse: Path) -> None:
    # orders that count: 100 + 45 + 50 + 60 + 60 + 75 + 45 + 30 + 40 + 25 + 0 + 50 = 580
    [totals] = fetch_rows(
        warehouse,
        """
        select
            (select sum(net_revenue_amount) from marts.customer_lifetime_value),
            (select cast(sum(net_revenue_amount) as decimal(18, 2))
             from intermediate.int_orders_numbered_per_customer where counts_as_order)
        """,
    )
    assert totals == ("580.00", "580.00")


def _cohort(months: list[tuple[int, int, str]], size: int) -> list[tuple[Any, ...]]:
    """Cells of one cohort from (active, orders, net) per month since the first order.

    Adds the columns worked out by hand anyway: cohort size, cumulative net revenue, cumulative
    net revenue per customer (2 decimals) and retention rate (4 decimals).
    """
    cells, cumulative = [], Decimal("0")
    for active, orders, net in months:
        cumulative += Decimal(net)
        per_customer = (cumulative / size).quantize(Decimal("0.01"))
        rate = (Decimal(active) / size).quantize(Decimal("0.0001"))
        cells.append((size, active, orders, net, str(cumulative), str(per_customer), str(rate)))
    return cells


def test_cohort_retention_matches_the_hand_computed_cells(warehouse: Path) -> None:
    rows = fetch_rows(
        warehouse,
        """
        select cohort_month, acquisition_channel, cohort_size, active_customer_count, order_count,
            net_revenue_amount, cumulative_net_revenue_amount,
            cumulative_net_revenue_per_customer_amount, retention_rate
        from marts.cohort_retention_monthly
        order by cohort_month, acquisition_channel, months_since_first_order
        """,
    )
    actual: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for cohort, channel, *cell in rows:
        actual.setdefault((cohort, channel), []).append(tuple(cell))

    # January cohort: c1 (o1 100 + o2 45; o3 50 in March), c2 (o4 60; o6 60 in April).
    # January..May have ended by 2025-06-15 (5 cells); June is still running.
    # Cumulative per customer: 205 / 2 = 102.50, 255 / 2 = 127.50, 315 / 2 = 157.50.
    january = _cohort(
        [(2, 3, "205.00"), (0, 0, "0.00"), (1, 1, "50.00"), (1, 1, "60.00"), (0, 0, "0.00")], 2
    )
    # February cohort: c3 referred (o7 75 + o8 45 in February), the guest (o9 30 in February,
    # o10 40 in May); February..May (4 cells). all: 150 / 2 = 75.00, then 190 / 2 = 95.00.
    february_all = _cohort([(2, 3, "150.00"), (0, 0, "0.00"), (0, 0, "0.00"), (1, 1, "40.00")], 2)
    february_referred = _cohort(
        [(1, 2, "120.00"), (0, 0, "0.00"), (0, 0, "0.00"), (0, 0, "0.00")], 1
    )
    february_not_referred = _cohort(
        [(1, 1, "30.00"), (0, 0, "0.00"), (0, 0, "0.00"), (1, 1, "40.00")], 1
    )
    # March cohort: c4 (o11 25 + o12 0 in March); March..May (3 cells)
    march = _cohort([(1, 2, "25.00"), (0, 0, "0.00"), (0, 0, "0.00")], 1)
    # June cohort: c6 acquired 2025-06-15; June has not ended, so it has no cell at all
    assert actual == {
        ("2025-01-01", "all"): january,
        ("2025-01-01", "not_referred"): january,
        ("2025-02-01", "all"): february_all,
        ("2025-02-01", "referred"): february_referred,
        ("2025-02-01", "not_referred"): february_not_referred,
        ("2025-03-01", "all"): march,
        ("2025-03-01", "not_referred"): march,
    }


def test_no_retention_cell_is_shown_for_a_month_that_has_not_ended(warehouse: Path) -> None:
    [latest] = fetch_rows(
        warehouse,
        """
        select max(activity_month), count(distinct as_of_date), max(as_of_date)
        from marts.cohort_retention_monthly
        """,
    )
    assert latest == ("2025-05-01", 1, AS_OF)


def test_repeat_purchase_rates_match_the_hand_computed_cohorts(warehouse: Path) -> None:
    rows = fetch_rows(
        warehouse,
        """
        select cohort_month, acquisition_channel, cohort_size, last_first_order_date,
            repeat_purchase_rate_30d, repeat_purchase_rate_60d, repeat_purchase_rate_90d
        from marts.cohort_repeat_purchase_rates
        """,
    )
    actual = {(cohort, channel): tuple(rest) for cohort, channel, *rest in rows}
    half, one, zero = "0.5000", "1.0000", "0.0000"
    assert actual == {
        # January: c1 repeats after 21 days, c2 after 75. The last first order 01-20 + 90 days
        # = 04-20 <= 06-15, so every rate shows: 1/2, 1/2, 2/2
        ("2025-01-01", "all"): (2, "2025-01-20", half, half, one),
        ("2025-01-01", "not_referred"): (2, "2025-01-20", half, half, one),
        # February: c3 after 18 days, the guest after 95 (outside 90); 02-14 + 90 = 05-15
        ("2025-02-01", "all"): (2, "2025-02-14", half, half, half),
        ("2025-02-01", "referred"): (1, "2025-02-10", one, one, one),
        ("2025-02-01", "not_referred"): (1, "2025-02-14", zero, zero, zero),
        # March: c4 after 17 days; 03-03 + 90 = 06-01
        ("2025-03-01", "all"): (1, "2025-03-03", one, one, one),
        ("2025-03-01", "not_referred"): (1, "2025-03-03", one, one, one),
        # June: c6 first ordered on as_of_date; no window has passed, every rate is null
        ("2025-06-01", "all"): (1, "2025-06-15", None, None, None),
        ("2025-06-01", "referred"): (1, "2025-06-15", None, None, None),
    }


def test_no_clear_email_reaches_the_customer_marts(warehouse: Path) -> None:
    marts = ("customer_lifetime_value", "cohort_retention_monthly", "cohort_repeat_purchase_rates")
    for mart in marts:
        columns = fetch_rows(
            warehouse,
            "select column_name from information_schema.columns "
            f"where table_schema = 'marts' and table_name = '{mart}' and data_type = 'VARCHAR'",
        )
        for (column,) in columns:
            [(found,)] = fetch_rows(
                warehouse, f"select count(*) from marts.{mart} where {column} like '%@%'"
            )
            assert found == 0, f"{mart}.{column}"
