"""Lifecycle messages from the e-mail/SMS tool and what happened to each of them.

Flows follow the store's playbook: welcome on the first order, the referral ask 1-3 days after
delivery (a few sent too early, before delivery: the bug the funnel measures), the upgrade
offer 10-21 days after a first order, replenishment ~30 days after a core or subscription
purchase, win-back after 90 quiet days, the review request after delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from demo_store import catalog
from demo_store.baskets import Baskets
from demo_store.customers import Customers, OrderTimes
from demo_store.lifecycle import Lifecycle
from demo_store.period import DAY, HOUR, MINUTE, NEVER, Period, seconds_between
from demo_store.referral_codes import ReferralCodes

WELCOME_P = 0.9
REFERRAL_ASK_P_CODE_ORDER, REFERRAL_ASK_P_OTHER = 0.95, 0.15
REFERRAL_ASK_TOO_EARLY_SHARE = 0.04
UPGRADE_OFFER_P = 0.85
REPLENISHMENT_P = 0.45
WIN_BACK_AFTER_DAYS = 90
WIN_BACK_P = 0.8
REVIEW_REQUEST_P = 0.25
SMS_SHARE_OF_PHONE_OWNERS = 0.4
EMAIL, SMS = 0, 1
# per message: bounce, open (e-mail only), click given open (e-mail) or delivery (SMS), unsubscribe
BOUNCE_P = (0.025, 0.015)
OPEN_P = 0.42
CLICK_P = (0.28, 0.11)
VARIANT_B_CLICK_LIFT = 1.15
UNSUBSCRIBE_P = 0.008


@dataclass(frozen=True)
class Messages:
    """One entry per message sent by the end of the period, in send order."""

    customer: np.ndarray  # int32 customer index
    order: np.ndarray  # int64 triggering order, -1 for flows without one
    flow: np.ndarray  # int8 index into catalog.FLOWS
    channel: np.ndarray  # int8 EMAIL or SMS
    variant: np.ndarray  # int8 index into catalog.MESSAGE_VARIANTS
    sent_at: np.ndarray  # int64


def _flow(flow: int, customer, order, sent_at) -> dict[str, np.ndarray]:
    n = len(sent_at)
    return {
        "customer": np.asarray(customer, dtype=np.int32),
        "order": np.broadcast_to(np.asarray(order, dtype=np.int64), (n,)),
        "flow": np.full(n, flow, dtype=np.int8),
        "sent_at": np.asarray(sent_at, dtype=np.int64),
    }


def _referral_asks(period, orders, lifecycle, codes, rng):
    n = len(orders.created_at)
    code_order = np.zeros(n, dtype=bool)
    code_order[codes.trigger_order] = True
    delivered = (lifecycle.delivered_at != NEVER) & (lifecycle.delivered_at >= period.go_live)
    ask = np.flatnonzero(
        delivered
        & (rng.random(n) < np.where(code_order, REFERRAL_ASK_P_CODE_ORDER, REFERRAL_ASK_P_OTHER))
    )
    on_time = lifecycle.delivered_at[ask] + seconds_between(rng, DAY, 3 * DAY, len(ask))
    in_transit = lifecycle.delivered_at[ask] - lifecycle.fulfilled_at[ask]
    too_early = lifecycle.fulfilled_at[ask] + (rng.random(len(ask)) * in_transit).astype(np.int64)
    sent = np.where(rng.random(len(ask)) < REFERRAL_ASK_TOO_EARLY_SHARE, too_early, on_time)
    return _flow(catalog.REFERRAL_ASK, orders.customer[ask], ask, sent)


def _win_backs(orders, rng):
    """After 90 days without an order, while the customer still has not come back."""
    by_customer = np.lexsort((orders.created_at, orders.customer))
    customer = orders.customer[by_customer]
    created = orders.created_at[by_customer]
    same_next = np.concatenate([customer[1:] == customer[:-1], [False]])
    next_order = np.where(same_next, np.roll(created, -1), np.iinfo(np.int64).max)
    due = created + WIN_BACK_AFTER_DAYS * DAY + seconds_between(rng, 0, 2 * DAY, len(created))
    chosen = (due < next_order) & (rng.random(len(created)) < WIN_BACK_P)
    return _flow(catalog.WIN_BACK, customer[chosen], -1, due[chosen])


def draw_messages(
    period: Period,
    customers: Customers,
    orders: OrderTimes,
    baskets: Baskets,
    lifecycle: Lifecycle,
    codes: ReferralCodes,
    rng: np.random.Generator,
) -> Messages:
    n = len(orders.created_at)
    first = np.flatnonzero(orders.sequence == 1)
    welcome = first[
        ~customers.is_guest[orders.customer[first]] & (rng.random(len(first)) < WELCOME_P)
    ]
    upgrade = first[
        (lifecycle.cancelled_at[first] == NEVER) & (rng.random(len(first)) < UPGRADE_OFFER_P)
    ]
    replenish = np.flatnonzero(
        (lifecycle.cancelled_at == NEVER)
        & baskets.has_type(catalog.CORE, catalog.SUBSCRIPTION)
        & (rng.random(n) < REPLENISHMENT_P)
    )
    review = np.flatnonzero((lifecycle.delivered_at != NEVER) & (rng.random(n) < REVIEW_REQUEST_P))
    parts = [
        _flow(
            catalog.WELCOME,
            orders.customer[welcome],
            -1,
            orders.created_at[welcome] + seconds_between(rng, MINUTE, 10 * MINUTE, len(welcome)),
        ),
        _referral_asks(period, orders, lifecycle, codes, rng),
        _flow(
            catalog.UPGRADE_OFFER,
            orders.customer[upgrade],
            upgrade,
            orders.created_at[upgrade] + seconds_between(rng, 10 * DAY, 21 * DAY, len(upgrade)),
        ),
        _flow(
            catalog.REPLENISHMENT,
            orders.customer[replenish],
            replenish,
            orders.created_at[replenish] + seconds_between(rng, 25 * DAY, 35 * DAY, len(replenish)),
        ),
        _win_backs(orders, rng),
        _flow(
            catalog.REVIEW_REQUEST,
            orders.customer[review],
            review,
            lifecycle.delivered_at[review] + seconds_between(rng, 5 * DAY, 10 * DAY, len(review)),
        ),
    ]
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    sent = columns["sent_at"] < period.t_end
    columns = {name: values[sent] for name, values in columns.items()}
    in_send_order = np.lexsort((columns["flow"], columns["customer"], columns["sent_at"]))
    columns = {name: values[in_send_order] for name, values in columns.items()}
    m = len(columns["sent_at"])
    has_phone = customers.phone[columns["customer"]] > 0
    sms_flow = ~np.isin(columns["flow"], (catalog.WELCOME, catalog.REVIEW_REQUEST))
    sms = has_phone & sms_flow & (rng.random(m) < SMS_SHARE_OF_PHONE_OWNERS)
    return Messages(
        channel=np.where(sms, SMS, EMAIL).astype(np.int8),
        variant=rng.integers(0, len(catalog.MESSAGE_VARIANTS), size=m).astype(np.int8),
        **columns,
    )


def message_events(period: Period, messages: Messages, rng: np.random.Generator) -> pa.Table:
    """Events known by the end of the period, sorted by time; `_day` is the file."""
    m = len(messages.sent_at)
    sms = messages.channel == SMS
    sent = messages.sent_at
    bounced = rng.random(m) < np.where(sms, BOUNCE_P[SMS], BOUNCE_P[EMAIL])
    bounced_at = sent + seconds_between(rng, 30, 5 * MINUTE, m)
    delivered_at = sent + seconds_between(rng, 5, 10 * MINUTE, m)
    opened = ~sms & ~bounced & (rng.random(m) < OPEN_P)
    opened_at = delivered_at + (rng.exponential(6 * HOUR, m)).astype(np.int64) + 1
    click_p = np.where(sms, CLICK_P[SMS], CLICK_P[EMAIL]) * np.where(
        messages.variant == 1, VARIANT_B_CLICK_LIFT, 1.0
    )
    clicked = np.where(sms, ~bounced, opened) & (rng.random(m) < click_p)
    engaged_at = np.where(opened, opened_at, delivered_at)
    clicked_at = engaged_at + (rng.exponential(20 * MINUTE, m)).astype(np.int64) + 1
    unsubscribed = ~bounced & (rng.random(m) < UNSUBSCRIBE_P)
    unsubscribed_at = np.maximum(engaged_at, clicked_at) + seconds_between(rng, MINUTE, 2 * HOUR, m)

    index = np.arange(m, dtype=np.int64)
    happened = [np.ones(m, dtype=bool), ~bounced, bounced, opened, clicked, unsubscribed]
    times = [sent, delivered_at, bounced_at, opened_at, clicked_at, unsubscribed_at]
    message = np.concatenate([index[mask] for mask in happened])
    event_type = np.concatenate(
        [np.full(int(mask.sum()), kind, dtype=np.int8) for kind, mask in enumerate(happened)]
    )
    occurred_at = np.concatenate([at[mask] for at, mask in zip(times, happened, strict=True)])
    known = occurred_at < period.t_end
    message, event_type, occurred_at = message[known], event_type[known], occurred_at[known]
    order = np.lexsort((event_type, message, occurred_at))
    return pa.table(
        {
            "_day": period.day_index(occurred_at[order]),
            "number": np.arange(1, len(order) + 1, dtype=np.int64),
            "message": message[order],
            "event_type": event_type[order],
            "occurred_at": occurred_at[order],
        }
    )
