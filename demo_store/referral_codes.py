"""Referral codes and link tokens issued when a customer's order is delivered after go-live."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo_store import catalog
from demo_store.customers import Customers, OrderTimes
from demo_store.lifecycle import Lifecycle
from demo_store.period import HOUR, MINUTE, NEVER, Period, seconds_between

CODE_BITS, CODE_CHARS = 30, 6
TOKEN_BITS, TOKEN_CHARS = 60, 12
_FIRST_UPPER = pa.array([name.upper() for name in catalog.FIRST_NAMES])


@dataclass(frozen=True)
class ReferralCodes:
    """One entry per code, in order of issue."""

    owner: np.ndarray  # int32 customer index
    trigger_order: np.ndarray  # int64 the delivered order that issued the code
    issued_at: np.ndarray  # int64
    arm: np.ndarray  # int8 index into catalog.REFERRAL_ARMS
    is_advocate: np.ndarray  # bool: shares the code, and the friends who buy come through them
    code: pa.Array  # string, e.g. EMMA-7KQ2XA
    token: pa.Array  # string, 12 lowercase base32 characters

    def __len__(self) -> int:
        return len(self.owner)

    @property
    def reward_cents(self) -> np.ndarray:
        rewards = np.array([arm[1] * 100 for arm in catalog.REFERRAL_ARMS], dtype=np.int64)
        return rewards[self.arm]

    def code_of_customer(self, n_customers: int) -> np.ndarray:
        """Index of each customer's own code, -1 for customers without one."""
        own = np.full(n_customers, -1, dtype=np.int64)
        own[self.owner] = np.arange(len(self))
        return own


def _scramble(index: np.ndarray, bits: int, salt: int) -> np.ndarray:
    """A bijection of `bits`-bit integers: distinct indices give distinct, random-looking codes."""
    mask = np.uint64((1 << bits) - 1)
    value = (index.astype(np.uint64) * np.uint64(0x2545F4914F6CDD1D) + np.uint64(salt)) & mask
    value ^= value >> np.uint64(bits // 2)
    value = (value * np.uint64(0x9E3779B97F4A7C15)) & mask
    value ^= value >> np.uint64(bits // 3)
    return value


def _base32(values: np.ndarray, width: int, alphabet: np.ndarray) -> pa.Array:
    shifts = np.uint64(5) * np.arange(width - 1, -1, -1, dtype=np.uint64)
    chars = alphabet[((values[:, None] >> shifts) & np.uint64(31)).astype(np.intp)]
    packed = np.ascontiguousarray(chars).view(f"S{width}").ravel()
    return pc.cast(pa.array(packed, type=pa.binary(width)), pa.string())


def issue_codes(
    period: Period,
    customers: Customers,
    orders: OrderTimes,
    lifecycle: Lifecycle,
    rng: np.random.Generator,
) -> ReferralCodes:
    """A code per customer, at the first delivery on or after go-live.

    For customers acquired after go-live that is their first order; customers from before
    go-live get theirs at their next delivered order.
    """
    eligible = np.flatnonzero(
        (lifecycle.delivered_at != NEVER) & (lifecycle.delivered_at >= period.go_live)
    )
    by_delivery = eligible[
        np.lexsort((lifecycle.delivered_at[eligible], orders.customer[eligible]))
    ]
    owners = orders.customer[by_delivery]
    first_of_owner = np.concatenate([[True], owners[1:] != owners[:-1]])
    trigger = by_delivery[first_of_owner]
    issued_at = lifecycle.delivered_at[trigger] + seconds_between(
        rng, 5 * MINUTE, 2 * HOUR, len(trigger)
    )
    in_issue_order = np.lexsort((orders.customer[trigger], issued_at))
    trigger = trigger[in_issue_order]
    owner = orders.customer[trigger].astype(np.int32)
    issued_at = issued_at[in_issue_order]

    n = len(owner)
    arm = rng.integers(0, len(catalog.REFERRAL_ARMS), size=n).astype(np.int8)
    advocate_share = np.array([a[3] for a in catalog.REFERRAL_ARMS])[arm]
    salt = int(rng.integers(0, 1 << 62))
    index = np.arange(n)
    suffix = _base32(_scramble(index, CODE_BITS, salt), CODE_CHARS, catalog.CODE_ALPHABET)
    prefix = pc.take(_FIRST_UPPER, customers.first_name[owner])
    return ReferralCodes(
        owner=owner,
        trigger_order=trigger.astype(np.int64),
        issued_at=issued_at,
        arm=arm,
        is_advocate=rng.random(n) < advocate_share,
        code=pc.binary_join_element_wise(prefix, suffix, "-"),
        token=_base32(_scramble(index, TOKEN_BITS, salt >> 2), TOKEN_CHARS, catalog.TOKEN_ALPHABET),
    )
