"""The referral and RFM marts on a tiny store whose every number was worked out by hand.

tests/fixtures/marts/referrals.sql loads 15 orders of 11 buyers, 4 referral codes, 7 referral
events and 4 referral-ask messages into the raw tables (its header lists them); `dbt build` then
runs every model, data test and unit test of the project on it. Reporting time zone
America/New_York (every fixture timestamp is 16:00 UTC, so local dates equal UTC dates);
as_of_date() is the latest order date, 2025-04-10. The program went live with ANNA10 on
2025-01-02.

Per order (net = subtotal - discount; H1 is cancelled and worth 0):
  A1  c_anna      01-05  100         J1  c_john      01-10   80
  B1  c_bob       01-15   45 link    E1  c_eve       01-20   30 NEWBIE1 before c_finn ordered
  JA1 c_john_alt  02-03   35 own     B2  c_bob       02-10   35 code
  C1  c_cara      02-12   90 promo   F1  c_finn      02-15   20
  C2  c_cara      03-02   40 ?token  D1  c_dan       03-05   20 ownerless LOST5
  G2  c_gail      03-10   65 link    H1  c_hank      03-12    0 cancelled
  A2  c_anna      03-20   25 own     B3  c_bob       04-05   40 link
  I1  c_ivy       04-10   55 link
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.marts_helpers import build_fixture_warehouse, fetch_rows, rows_by_key

FIXTURE = Path(__file__).parent / "fixtures" / "marts" / "referrals.sql"
AS_OF = "2025-04-10"
MARTS = (
    "referral_linked_purchases",
    "referral_funnel_monthly",
    "customer_rfm_segments",
    "customer_rfm_segments_monthly",
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture store loaded into fresh raw tables, after a successful `dbt build`."""
    return build_fixture_warehouse(FIXTURE, tmp_path_factory.mktemp("marts_referrals"))


def test_every_order_gets_one_attribution_status(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select order_id, attribution_status, attribution_method, referral_code,
            referrer_customer_id, is_self_referral, is_referred_first_order
        from intermediate.int_orders_joined_to_referrals
        """,
    )
    assert actual == {
        "A1": ("no_code", None, None, None, False, False),
        "J1": ("no_code", None, None, None, False, False),
        # Anna's link; Anna ordered on 01-05, before Bob's first order on 01-15
        "B1": ("attributed", "link", "ANNA10", "c_anna", False, True),
        # Finn owns NEWBIE1 but only orders on 02-15
        "E1": ("referrer_not_yet_customer", "code", "NEWBIE1", "c_finn", False, False),
        # ' john10' typed by John.Doe+ref@Gmail.com = johndoe@gmail.com, John's own e-mail
        "JA1": ("own_code", "code", "JOHN10", "c_john", True, False),
        # 'anna10' upper-cased; Bob's second order still counts
        "B2": ("attributed", "code", "ANNA10", "c_anna", False, False),
        # WELCOME10 is no referral code: a promo order
        "C1": ("no_code", None, None, None, False, False),
        "F1": ("no_code", None, None, None, False, False),
        # a token the program never issued
        "C2": ("unknown_code", "link", None, None, False, False),
        # LOST5 exists but has no owner id and no owner e-mail
        "D1": ("unknown_code", "code", "LOST5", None, False, False),
        # Finn's link wins over the typed ANNA10; Finn is a customer since 02-15
        "G2": ("attributed", "link", "NEWBIE1", "c_finn", False, True),
        "H1": ("cancelled", "code", "ANNA10", "c_anna", False, False),
        "A2": ("own_code", "code", "ANNA10", "c_anna", True, False),
        "B3": ("attributed", "link", "ANNA10", "c_anna", False, False),
        # John's link; John ordered on 01-10
        "I1": ("attributed", "link", "JOHN10", "c_john", False, True),
    }


def test_referral_linked_purchases_counts_the_kpi_month_by_month(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select order_month, referral_linked_order_count, referral_linked_net_revenue_amount,
            referred_first_order_count, active_referrer_count, self_referral_order_count,
            previous_month_referral_linked_order_count, month_over_month_growth_rate,
            target_referral_linked_order_count, days_since_program_live,
            is_target_applicable, is_target_met, is_month_complete
        from marts.referral_linked_purchases
        """,
    )
    assert actual == {
        # B1 (45, Bob's first order, referrer Anna); live 01-02 -> 01-31 = 29 days
        "2025-01-01": (1, "45.00", 1, 1, 0, None, None, None, 29, False, None, True),
        # B2 (35); JA1 is own_code; 1 after 1 -> growth 0; 57 days at 02-28
        "2025-02-01": (1, "35.00", 0, 1, 1, 1, "0.0000", None, 57, False, None, True),
        # G2 (65, Gail's first, referrer Finn); A2 own_code; 03-01 is day 58 of the program, so
        # March is not judged; 88 days at 03-31
        "2025-03-01": (1, "65.00", 1, 1, 1, 1, "0.0000", None, 88, False, None, True),
        # B3 (40) + I1 (55, Ivy's first) = 95.00 from Anna and John; 04-01 is day 89 -> judged:
        # target ceil(1 x 1.1) = 2, met; growth (2 - 1) / 1; 98 days at the as-of date 04-10
        "2025-04-01": (2, "95.00", 1, 2, 0, 1, "1.0000", 2, 98, True, True, False),
    }


def test_referral_funnel_monthly_follows_asks_events_and_first_orders(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select activity_month, referral_ask_sent_count, referral_ask_sent_after_delivery_count,
            referral_ask_opened_count, referral_ask_clicked_count, referral_share_count,
            referral_link_click_count, referral_sign_up_count, referral_reward_issued_count,
            referred_first_order_count, referral_ask_sent_after_delivery_rate
        from marts.referral_funnel_monthly
        """,
    )
    assert actual == {
        # m1 after A1's delivery (opened twice, clicked), m2 before J1's -> 1 of 2 = 0.5;
        # Anna shared once, 2 clicks, Bob signed up, Bob's reward; B1 is a referred first order
        "2025-01-01": (2, 1, 2, 1, 1, 2, 1, 1, 1, "0.5000"),
        # m3 after B1's delivery, m4 for C1 never delivered -> 1 of 2; John shared once
        "2025-02-01": (2, 1, 0, 0, 1, 0, 0, 0, 0, "0.5000"),
        # G2 is Gail's first order
        "2025-03-01": (0, 0, 0, 0, 0, 0, 0, 0, 1, None),
        # a click on John's link, then Ivy's first order
        "2025-04-01": (0, 0, 0, 0, 0, 1, 0, 0, 1, None),
    }


def test_customer_rfm_segments_scores_the_store_as_of_the_latest_order(warehouse: Path) -> None:
    actual = rows_by_key(
        warehouse,
        """
        select customer_id, rfm_cell, rfm_segment, days_since_last_order, order_count,
            net_revenue_amount, as_of_date
        from marts.customer_rfm_segments
        """,
    )
    # 10 customers (Hank only has a cancelled order), score = 1 + floor(5 x worse / 10).
    # Recency, days worse-first: John 90, Eve 80, John-alt 66, Finn 54, Cara 39, Dan 36, Gail 31,
    # Anna 21, Bob 5, Ivy 0 -> 1 1 2 2 3 3 4 4 5 5. Frequency: 7 one-order customers tie at 1,
    # Anna and Cara (2 orders, 7 worse) 4, Bob (3) 5. Monetary: Finn and Dan 20 -> 1, Eve 30 -> 2,
    # John-alt 35 -> 2, Ivy 55 -> 3, Gail 65 -> 3, John 80 -> 4, Bob 120 -> 4, Anna 125 -> 5,
    # Cara 130 -> 5. FM = (F + M) / 2 rounded up picks the segment with R (rfm_segment_labels).
    assert actual == {
        "c_john": ("114", "At Risk", 90, 1, "80.00", AS_OF),
        "c_eve": ("112", "Lost", 80, 1, "30.00", AS_OF),
        "c_john_alt": ("212", "Hibernating", 66, 1, "35.00", AS_OF),
        "c_finn": ("211", "Hibernating", 54, 1, "20.00", AS_OF),
        "c_cara": ("345", "Loyal", 39, 2, "130.00", AS_OF),
        "c_dan": ("311", "About to Sleep", 36, 1, "20.00", AS_OF),
        "c_gail": ("413", "Promising", 31, 1, "65.00", AS_OF),
        "c_anna": ("445", "Loyal", 21, 2, "125.00", AS_OF),
        "c_bob": ("554", "Champions", 5, 3, "120.00", AS_OF),
        "c_ivy": ("513", "New", 0, 1, "55.00", AS_OF),
    }


def test_customer_rfm_segments_monthly_keeps_each_month_end(warehouse: Path) -> None:
    actual = fetch_rows(
        warehouse,
        """
        select customer_id, snapshot_date, rfm_cell, rfm_segment, previous_rfm_segment,
            segment_changed_on
        from (
            select *, cast(recency_score as varchar) || cast(frequency_score as varchar)
                || cast(monetary_score as varchar) as rfm_cell
            from marts.customer_rfm_segments_monthly
        ) as history
        where customer_id in ('c_anna', 'c_bob')
        order by customer_id, snapshot_month
        """,
    )
    assert actual == [
        # 01-31, 4 customers (1 + floor(5 x worse / 4)): days Anna 26, John 21, Bob 16, Eve 11;
        # revenue Eve 30, Bob 45, John 80, Anna 100 -> Anna 1 1 4 (FM 3) At Risk
        ("c_anna", "2025-01-31", "114", "At Risk", None, "2025-01-31"),
        # 02-28, 7 customers: Anna is the oldest buyer (54 days) and the biggest spender
        ("c_anna", "2025-02-28", "115", "At Risk", "At Risk", "2025-01-31"),
        # 03-31, 9 customers: her 03-20 order makes her the most recent, 2 orders, 125
        ("c_anna", "2025-03-31", "544", "Champions", "At Risk", "2025-03-31"),
        # the as-of month, judged at 04-10: equal to customer_rfm_segments
        ("c_anna", "2025-04-10", "445", "Loyal", "Champions", "2025-04-10"),
        # Bob 16 days -> 2 of 4 worse -> R 3; F 1; 45 -> M 2: FM 2 About to Sleep
        ("c_bob", "2025-01-31", "312", "About to Sleep", None, "2025-01-31"),
        # 02-28, 7 customers: 18 days -> 4 worse -> R 3; the only 2-order buyer -> F 5; 80 ties
        # with John -> 3 worse -> M 3: FM 4 Loyal
        ("c_bob", "2025-02-28", "353", "Loyal", "About to Sleep", "2025-02-28"),
        # 03-31, 9 customers: 49 days -> 3 worse -> R 2; 2 orders tie with Anna and Cara -> F 4
        ("c_bob", "2025-03-31", "243", "At Risk", "Loyal", "2025-03-31"),
        ("c_bob", "2025-04-10", "554", "Champions", "At Risk", "2025-04-10"),
    ]


def test_no_mart_of_this_issue_holds_an_email_in_clear(warehouse: Path) -> None:
    for mart in MARTS:
        columns = fetch_rows(
            warehouse,
            f"""
            select column_name from information_schema.columns
            where table_schema = 'marts' and table_name = '{mart}' and data_type = 'VARCHAR'
            """,
        )
        for (column,) in columns:
            found = fetch_rows(
                warehouse, f"select count(*) from marts.{mart} where {column} like '%@%'"
            )
            assert found == [(0,)], f"{mart}.{column} holds an e-mail"
