"""The simulated store: every customer, order, code and message, before anything is written.

Each step draws from its own random stream (seed, step), so changing one step never shifts
the draws of another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from demo_store.baskets import Baskets, draw_baskets
from demo_store.checkout_codes import CheckoutCodes, assign_checkout_codes
from demo_store.customers import Customers, OrderTimes, draw_orders
from demo_store.identity import OrderIdentity, draw_order_identity, emails
from demo_store.lifecycle import Lifecycle, draw_lifecycle
from demo_store.message_flows import Messages, draw_messages, message_events
from demo_store.money import Amounts, price_orders, refund_cents
from demo_store.order_versions import order_versions
from demo_store.period import Period
from demo_store.referral_codes import ReferralCodes, issue_codes
from demo_store.referral_events import referral_events


@dataclass(frozen=True)
class Store:
    period: Period
    customers: Customers
    orders: OrderTimes
    identity: OrderIdentity
    baskets: Baskets
    lifecycle: Lifecycle
    codes: ReferralCodes
    checkout: CheckoutCodes
    amounts: Amounts
    refunded_cents: np.ndarray
    messages: Messages
    customer_emails: pa.Array  # canonical address per customer
    order_emails: pa.Array  # address typed at checkout per order
    seed: int


def _stream(seed: int, step: int) -> np.random.Generator:
    return np.random.default_rng([seed, step])


def simulate_store(period: Period, n_orders: int, seed: int) -> Store:
    def stream(step: int) -> np.random.Generator:
        return _stream(seed, step)

    # steps 1-7 here, 8-9 in source_records
    customers, orders = draw_orders(period, n_orders, stream(1))
    identity = draw_order_identity(customers, orders, stream(2))
    baskets = draw_baskets(orders, stream(3))
    lifecycle = draw_lifecycle(orders.created_at, stream(4))
    codes = issue_codes(period, customers, orders, lifecycle, stream(5))
    checkout = assign_checkout_codes(period, orders, identity, codes, stream(6))
    amounts = price_orders(
        baskets.subtotal_cents,
        checkout.percent_off,
        checkout.free_shipping,
        checkout.credit_cents,
        customers.tax_rate_bp[orders.customer],
    )
    refunded = refund_cents(amounts.total, lifecycle.refund_share)
    messages = draw_messages(period, customers, orders, baskets, lifecycle, codes, stream(7))
    return Store(
        period=period,
        customers=customers,
        orders=orders,
        identity=identity,
        baskets=baskets,
        lifecycle=lifecycle,
        codes=codes,
        checkout=checkout,
        amounts=amounts,
        refunded_cents=refunded,
        messages=messages,
        customer_emails=emails(customers, np.arange(len(customers))),
        order_emails=emails(customers, orders.customer, identity.email_variant),
        seed=seed,
    )


def source_records(store: Store, source: str) -> pa.Table:
    """One landing source's records: one per line, sorted, `_day` being the file's day.

    Built one source at a time, so only one source's records are ever held.
    """
    period = store.period
    if source == "orders":
        return order_versions(
            period, store.orders.created_at, store.lifecycle, store.refunded_cents
        )
    if source == "referral_codes":
        issued = store.codes.issued_at
        return pa.table(
            {
                "_day": period.day_index(issued),
                "code": np.arange(len(store.codes), dtype=np.int64),
            }
        ).filter(pa.array(issued < period.t_end))
    if source == "referral_events":
        return referral_events(
            period,
            store.codes,
            store.checkout,
            store.orders.created_at,
            store.lifecycle,
            _stream(store.seed, 8),
        )
    if source == "messages":
        return message_events(period, store.messages, _stream(store.seed, 9))
    raise ValueError(f"unknown source {source!r}")
