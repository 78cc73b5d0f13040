"""One headline per mart for `make run`'s summary: a line a person reads, from the mart itself.

Each headline is a function of a read-only connection; `HEADLINES` lists them in print order, so a
new mart adds one function and one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb


def _money(value: Any, currency: Any) -> str:
    """An amount with the ISO code of its currency (the mart's `currency_code`): 1,234.50 GBP."""
    return "n/a" if value is None else f"{float(value):,.2f} {currency or ''}".rstrip()


def _rate(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"


def _customers(con: duckdb.DuckDBPyConnection) -> str:
    customers, average, repeat, currency = con.execute(
        "select count(*), avg(net_revenue_amount), avg(cast(is_repeat_customer as integer)), "
        "max(currency_code) from marts.customer_lifetime_value"
    ).fetchone() or (0, None, None, None)
    return (
        f"customer_lifetime_value: {customers:,} customers, average net LTV "
        f"{_money(average, currency)}, "
        f"{_rate(repeat)} ordered more than once"
    )


def _repeat_rate(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        """
        select cohort_month, cohort_size, repeat_purchase_rate_90d
        from marts.cohort_repeat_purchase_rates
        where acquisition_channel = 'all' and repeat_purchase_rate_90d is not null
        order by cohort_month desc
        limit 1
        """
    ).fetchone()
    if row is None:
        return "cohort_repeat_purchase_rates: no cohort has had 90 days yet"
    month, size, rate = row
    return (
        f"cohort_repeat_purchase_rates: latest complete cohort {month:%Y-%m} ({size:,} customers)"
        f" repeat within 90 days: {_rate(rate)}"
    )


def _segments(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "select rfm_segment, count(*) from marts.customer_rfm_segments "
        "group by 1 order by 2 desc, 1 limit 3"
    ).fetchall()
    top = ", ".join(f"{segment} {count:,}" for segment, count in rows) or "no customers"
    return f"customer_rfm_segments: top segments {top}"


def _referrals(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute(
        """
        select order_month, referral_linked_order_count, previous_month_referral_linked_order_count,
            target_referral_linked_order_count, is_target_applicable, is_target_met,
            is_month_complete
        from marts.referral_linked_purchases
        order by order_month desc
        limit 1
        """
    ).fetchone()
    if row is None:
        return "referral_linked_purchases: no referral-linked purchases yet"
    month, orders, previous, target, applicable, met, complete = row
    verdict = (
        "target not applicable yet"
        if not applicable
        else f"target {target} {'met' if met else 'not met'}"
    )
    return (
        f"referral_linked_purchases: {month:%Y-%m}{'' if complete else ' (month running)'} "
        f"{orders:,} referral-linked orders vs {'n/a' if previous is None else f'{previous:,}'} "
        f"the month before; {verdict}"
    )


HEADLINES: list[Callable[[duckdb.DuckDBPyConnection], str]] = [
    _customers,
    _repeat_rate,
    _segments,
    _referrals,
]


def mart_headlines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per mart headline; a mart that is missing or changed shape says so instead."""
    lines = []
    for headline in HEADLINES:
        try:
            lines.append(headline(con))
        except duckdb.Error as error:
            name = headline.__name__.strip("_")
            lines.append(f"{name}: not available ({str(error).splitlines()[0]})")
    return lines
