"""Customers and when they order: acquisition growing over time, a long tail of loyal buyers.

Every customer is drawn independently (first order day, number of orders they would place,
their buying rhythm); orders that would fall after the period are never placed. Customers are
drawn until exactly the requested number of orders falls inside the period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_store import catalog
from demo_store.period import DAY, HOUR, Period

# New customers per day grow from 1x at the start to 1 + ACQUISITION_GROWTH at the end.
ACQUISITION_GROWTH = 2.0
# Orders per customer: 1 + a capped Zipf draw for the share who ever come back; ~60% buy once.
ONE_TIME_BUYER_SHARE = 0.58
REPEAT_ZIPF_EXPONENT = 1.9
MAX_ORDERS_PER_CUSTOMER = 60
# Mean days between orders for a 2-order customer; frequent buyers come back faster (1/sqrt k).
MEAN_GAP_DAYS_FOR_TWO_ORDERS = 75.0
MIN_GAP_DAYS = 2.0
GUEST_CUSTOMER_SHARE = 0.08
PHONE_SHARE = 0.35
# Orders per hour of the day (UTC), evening peak.
HOUR_WEIGHTS = np.array(
    [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4], dtype=np.float64
)


@dataclass(frozen=True)
class Customers:
    """One entry per customer, in order of their first order."""

    first_order_at: np.ndarray  # int64 epoch seconds
    customer_number: np.ndarray  # int64, 1.. for registered customers, 0 for guests
    is_guest: np.ndarray  # bool: never created an account, every order is a guest checkout
    first_name: np.ndarray  # int16 index into catalog.FIRST_NAMES
    last_name: np.ndarray  # int16 index into catalog.LAST_NAMES
    email_domain: np.ndarray  # int8 index into catalog.EMAIL_DOMAINS
    phone: np.ndarray  # int64 10-digit US number, 0 when the customer gave none
    tax_rate_bp: np.ndarray  # int64 sales tax of the customer's state

    def __len__(self) -> int:
        return len(self.first_order_at)


@dataclass(frozen=True)
class OrderTimes:
    """One entry per order, in order of creation (the order id follows this order)."""

    customer: np.ndarray  # int32 index into Customers
    sequence: np.ndarray  # int32, 1 for the customer's first order
    created_at: np.ndarray  # int64 epoch seconds


def _acquisition_weights(period: Period) -> np.ndarray:
    month, day_of_month, weekday = period.calendar()
    growth = 1.0 + ACQUISITION_GROWTH * period.day_fraction()
    # holiday shopping lifts November and December, January is quiet
    season = np.select(
        [month == 11, (month == 12) & (day_of_month <= 20), month == 1], [1.45, 1.35, 0.85], 1.0
    )
    weekend = np.where(weekday >= 5, 1.1, 1.0)
    weights = growth * season * weekend
    return weights / weights.sum()


def _draw_pool(period: Period, size: int, rng: np.random.Generator):
    """First order time, orders wanted and the times of all of them, for `size` customers."""
    day = rng.choice(period.n_days, size=size, p=_acquisition_weights(period))
    hour = rng.choice(24, size=size, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    first_at = period.t0 + day * DAY + hour * HOUR + rng.integers(0, HOUR, size=size)
    repeat = rng.zipf(REPEAT_ZIPF_EXPONENT, size=size)
    wanted = np.where(rng.random(size) < ONE_TIME_BUYER_SHARE, 1, 1 + repeat)
    wanted = np.minimum(wanted, MAX_ORDERS_PER_CUSTOMER)
    # a customer's own rhythm: mean gap shrinks with how often they buy, with personal noise
    mean_gap = MEAN_GAP_DAYS_FOR_TWO_ORDERS * np.sqrt(2.0 / wanted)
    mean_gap *= rng.lognormal(0.0, 0.35, size=size)

    owner = np.repeat(np.arange(size), wanted)
    starts = np.concatenate([[0], np.cumsum(wanted)[:-1]])
    gaps = np.maximum(mean_gap[owner] * rng.gamma(2.0, 0.5, size=len(owner)), MIN_GAP_DAYS)
    gaps[starts] = 0.0
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[starts], wanted)
    created = first_at[owner] + (elapsed * DAY).astype(np.int64)
    return first_at, owner, created


def draw_orders(
    period: Period, n_orders: int, rng: np.random.Generator
) -> tuple[Customers, OrderTimes]:
    """Customers and the times of exactly `n_orders` orders placed inside the period."""
    batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    drawn_customers = drawn_orders = 0
    batch_size = int(n_orders / 1.3) + 64
    while drawn_orders < n_orders:
        first_at, owner, created = _draw_pool(period, batch_size, rng)
        inside = created < period.t_end
        batches.append((first_at, owner[inside] + drawn_customers, created[inside]))
        drawn_customers += batch_size
        drawn_orders += int(inside.sum())
        # top up with a batch sized from the yield seen so far
        batch_size = int((n_orders - drawn_orders) * drawn_customers / drawn_orders * 1.2) + 64
    first_at = np.concatenate([b[0] for b in batches])
    # Customers are exchangeable, so the first ones drawn are a fair sample of the period; the
    # customer who completes the count gives only their earliest orders.
    owner = np.concatenate([b[1] for b in batches])[:n_orders]
    created = np.concatenate([b[2] for b in batches])[:n_orders]
    n_customers = int(owner[-1]) + 1
    sequence = (np.arange(n_orders) - np.searchsorted(owner, owner) + 1).astype(np.int32)

    by_time = np.argsort(first_at[:n_customers], kind="stable")
    rank = np.empty(n_customers, dtype=np.int32)
    rank[by_time] = np.arange(n_customers, dtype=np.int32)
    customers = _describe(first_at[:n_customers][by_time], rng)
    customer = rank[owner]
    order = np.lexsort((customer, created))
    return customers, OrderTimes(customer[order], sequence[order], created[order])


def _describe(first_order_at: np.ndarray, rng: np.random.Generator) -> Customers:
    size = len(first_order_at)
    is_guest = rng.random(size) < GUEST_CUSTOMER_SHARE
    number = np.where(is_guest, 0, np.cumsum(~is_guest))
    area = rng.integers(201, 990, size=size)
    exchange = rng.integers(200, 1000, size=size)
    line = rng.integers(0, 10_000, size=size)
    phone = np.where(rng.random(size) < PHONE_SHARE, (area * 1000 + exchange) * 10_000 + line, 0)
    return Customers(
        first_order_at=first_order_at,
        customer_number=number.astype(np.int64),
        is_guest=is_guest,
        first_name=rng.integers(0, len(catalog.FIRST_NAMES), size=size).astype(np.int16),
        last_name=rng.integers(0, len(catalog.LAST_NAMES), size=size).astype(np.int16),
        email_domain=rng.choice(
            len(catalog.EMAIL_DOMAINS), size=size, p=catalog.EMAIL_DOMAIN_P
        ).astype(np.int8),
        phone=phone.astype(np.int64),
        tax_rate_bp=catalog.TAX_RATES_BP[rng.integers(0, len(catalog.TAX_RATES_BP), size=size)],
    )
