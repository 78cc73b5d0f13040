"""When each order is paid, cancelled, fulfilled, delivered and refunded.

Times may fall after the period: the store has not seen them yet, so no file holds them, but
keeping them makes "known by the end of the period" a plain filter everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_store.period import DAY, HOUR, MINUTE, NEVER, seconds_between

PENDING_SHARE = 0.15  # payment captured a little after checkout (a later version says paid)
CANCELLED_SHARE = 0.03
UNCONFIRMED_DELIVERY_SHARE = 0.01  # carrier never confirms: the order stays fulfilled
REFUNDED_SHARE = 0.05  # of delivered orders
FULL_REFUND_SHARE = 0.5
RETURNED_SHARE_OF_FULL_REFUNDS = 0.6


@dataclass(frozen=True)
class Lifecycle:
    """Per order; NEVER where the step does not happen."""

    paid_at: np.ndarray  # int64, NEVER when the order was paid at checkout
    cancelled_at: np.ndarray
    fulfilled_at: np.ndarray
    delivered_at: np.ndarray
    refunded_at: np.ndarray
    refund_share: np.ndarray  # float64 share of the total refunded, 1.0 for a full refund
    is_returned: np.ndarray  # bool: a full refund of goods sent back


def draw_lifecycle(created_at: np.ndarray, rng: np.random.Generator) -> Lifecycle:
    n = len(created_at)
    pending = rng.random(n) < PENDING_SHARE
    paid_at = np.where(pending, created_at + seconds_between(rng, 5 * MINUTE, 3 * HOUR, n), NEVER)
    cancelled = rng.random(n) < CANCELLED_SHARE
    # cancellations come after any pending payment is captured (3 h at most), so that versions
    # of one order never share an updated_at
    cancelled_at = np.where(
        cancelled, created_at + seconds_between(rng, 3 * HOUR + 1, 48 * HOUR, n), NEVER
    )
    fulfilled_at = np.where(cancelled, NEVER, created_at + seconds_between(rng, DAY, 3 * DAY, n))
    delivered = ~cancelled & (rng.random(n) >= UNCONFIRMED_DELIVERY_SHARE)
    delivered_at = np.where(
        delivered, fulfilled_at + seconds_between(rng, 2 * DAY, 6 * DAY, n), NEVER
    )
    refunded = delivered & (rng.random(n) < REFUNDED_SHARE)
    refunded_at = np.where(
        refunded, delivered_at + seconds_between(rng, 2 * DAY, 45 * DAY, n), NEVER
    )
    full = rng.random(n) < FULL_REFUND_SHARE
    refund_share = np.where(refunded, np.where(full, 1.0, rng.uniform(0.15, 0.6, n)), 0.0)
    is_returned = refunded & full & (rng.random(n) < RETURNED_SHARE_OF_FULL_REFUNDS)
    return Lifecycle(
        paid_at, cancelled_at, fulfilled_at, delivered_at, refunded_at, refund_share, is_returned
    )
