"""Every version of every order the store exported: one record per state change.

created (pending or paid) -> paid (for pending ones) -> fulfilled -> delivered -> refunded, or
created -> cancelled. A version is known on the day of its updated_at; versions after the
period are not written.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from demo_store import catalog
from demo_store.lifecycle import Lifecycle
from demo_store.period import NEVER, Period


def _version(
    order, updated_at, financial, fulfillment, fulfilled_at, delivered_at, cancelled_at, refunded
) -> dict[str, np.ndarray]:
    n = len(order)

    def full(value):
        return np.broadcast_to(np.asarray(value), (n,))

    return {
        "order": order,
        "updated_at": updated_at,
        "financial_status": full(financial).astype(np.int8),
        "fulfillment_status": full(fulfillment).astype(np.int8),
        "fulfilled_at": full(fulfilled_at).astype(np.int64),
        "delivered_at": full(delivered_at).astype(np.int64),
        "cancelled_at": full(cancelled_at).astype(np.int64),
        "refunded": full(refunded).astype(np.int64),
    }


def order_versions(
    period: Period, created_at: np.ndarray, lifecycle: Lifecycle, refunded_cents: np.ndarray
) -> pa.Table:
    """Versions known by the end of the period, sorted by time and order; `_day` is the file."""
    life = lifecycle
    everything = np.arange(len(created_at), dtype=np.int64)
    pending = life.paid_at != NEVER
    paid = np.flatnonzero(pending)
    cancelled = np.flatnonzero(life.cancelled_at != NEVER)
    fulfilled = np.flatnonzero(life.fulfilled_at != NEVER)
    delivered = np.flatnonzero(life.delivered_at != NEVER)
    refunded = np.flatnonzero(life.refunded_at != NEVER)
    is_full = life.refund_share[refunded] >= 1.0
    versions = [
        _version(
            everything,
            created_at,
            np.where(pending, catalog.PENDING, catalog.PAID),
            catalog.UNFULFILLED,
            NEVER,
            NEVER,
            NEVER,
            0,
        ),
        _version(
            paid, life.paid_at[paid], catalog.PAID, catalog.UNFULFILLED, NEVER, NEVER, NEVER, 0
        ),
        _version(
            cancelled,
            life.cancelled_at[cancelled],
            catalog.VOIDED,
            catalog.UNFULFILLED,
            NEVER,
            NEVER,
            life.cancelled_at[cancelled],
            0,
        ),
        _version(
            fulfilled,
            life.fulfilled_at[fulfilled],
            catalog.PAID,
            catalog.FULFILLED,
            life.fulfilled_at[fulfilled],
            NEVER,
            NEVER,
            0,
        ),
        _version(
            delivered,
            life.delivered_at[delivered],
            catalog.PAID,
            catalog.DELIVERED,
            life.fulfilled_at[delivered],
            life.delivered_at[delivered],
            NEVER,
            0,
        ),
        _version(
            refunded,
            life.refunded_at[refunded],
            np.where(is_full, catalog.REFUNDED, catalog.PARTIALLY_REFUNDED),
            np.where(life.is_returned[refunded], catalog.RETURNED, catalog.DELIVERED),
            life.fulfilled_at[refunded],
            life.delivered_at[refunded],
            NEVER,
            refunded_cents[refunded],
        ),
    ]
    columns = {name: np.concatenate([v[name] for v in versions]) for name in versions[0]}
    known = columns["updated_at"] < period.t_end
    columns = {name: values[known] for name, values in columns.items()}
    order = np.lexsort((columns["order"], columns["updated_at"]))
    table = {name: values[order] for name, values in columns.items()}
    return pa.table({"_day": period.day_index(table["updated_at"]), **table})
