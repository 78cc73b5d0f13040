"""The referral program's event log: shares, clicks, friends' sign-ups and rewards.

Each referred friend's first order is preceded by a share and, through the link, a click and a
sign-up, in that order; the reward is issued when the friend's order is fulfilled. Advocates
also share without converting anyone, and some shares get clicks that never buy.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from demo_store import catalog
from demo_store.checkout_codes import (
    FRIEND_FIRST_ORDER,
    SELF_EMAIL_VARIANT,
    VIA_CODE,
    CheckoutCodes,
)
from demo_store.lifecycle import Lifecycle
from demo_store.period import DAY, HOUR, MINUTE, NEVER, Period, seconds_between
from demo_store.referral_codes import ReferralCodes

CODE_ONLY_FRIEND_SHARE_P = 0.4  # friends who typed the code heard of it outside a tracked share
ADVOCATE_EXTRA_SHARES_MEAN = 0.8
OTHER_OWNER_SHARE_P = 0.12
SHARE_DELAY_MEAN_DAYS = 6.0
CLICKS_PER_SHARE_MEAN = 0.9
CLICK_DELAY_MEAN_DAYS = 1.0


def _events(code, event_type, occurred_at, channel=-1, referred_order=-1, reward=-1):
    n = len(code)
    return {
        "code": np.asarray(code, dtype=np.int64),
        "event_type": np.full(n, event_type, dtype=np.int8),
        "occurred_at": np.asarray(occurred_at, dtype=np.int64),
        "share_channel": np.broadcast_to(np.asarray(channel, dtype=np.int8), (n,)),
        "referred_order": np.broadcast_to(np.asarray(referred_order, dtype=np.int64), (n,)),
        "reward": np.broadcast_to(np.asarray(reward, dtype=np.int64), (n,)),
    }


def _channels(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(catalog.SHARE_CHANNELS), size=n, p=catalog.SHARE_CHANNEL_P)


def _friend_events(codes, checkout, created_at, lifecycle, rng) -> list[dict[str, np.ndarray]]:
    friend = np.flatnonzero(checkout.referral_kind == FRIEND_FIRST_ORDER)
    code = checkout.referral_code[friend]
    via = checkout.via[friend]
    n = len(friend)
    ordered = created_at[friend]
    signed_up = ordered - seconds_between(rng, MINUTE, 40 * MINUTE, n)
    since_issue = signed_up - codes.issued_at[code]
    shared = codes.issued_at[code] + (rng.random(n) * 0.7 * since_issue).astype(np.int64)
    clicked = shared + (rng.random(n) * (signed_up - shared)).astype(np.int64)
    has_share = (via != VIA_CODE) | (rng.random(n) < CODE_ONLY_FRIEND_SHARE_P)
    has_click = via != VIA_CODE
    fulfilled = lifecycle.fulfilled_at[friend] != NEVER
    rewarded_at = lifecycle.fulfilled_at[friend] + seconds_between(rng, 5 * MINUTE, 2 * HOUR, n)
    return [
        _events(
            code[has_share], catalog.SHARED, shared[has_share], _channels(rng, int(has_share.sum()))
        ),
        _events(code[has_click], catalog.CLICKED, clicked[has_click]),
        _events(code, catalog.SIGNED_UP, signed_up, referred_order=friend),
        _events(
            code[fulfilled],
            catalog.REWARD_ISSUED,
            rewarded_at[fulfilled],
            referred_order=friend[fulfilled],
            reward=codes.reward_cents[code[fulfilled]],
        ),
    ]


def _fooled_rewards(codes, checkout, lifecycle, rng) -> dict[str, np.ndarray]:
    """Owners who used their own code under an e-mail variant: the program pays them too."""
    order = np.flatnonzero(
        (checkout.referral_kind == SELF_EMAIL_VARIANT) & (lifecycle.fulfilled_at != NEVER)
    )
    code = checkout.referral_code[order]
    at = lifecycle.fulfilled_at[order] + seconds_between(rng, 5 * MINUTE, 2 * HOUR, len(order))
    return _events(
        code, catalog.REWARD_ISSUED, at, referred_order=order, reward=codes.reward_cents[code]
    )


def _ambient_events(codes, rng) -> list[dict[str, np.ndarray]]:
    """Shares that convert nobody, and clicks on them."""
    n = len(codes)
    shares = np.where(
        codes.is_advocate,
        1 + rng.poisson(ADVOCATE_EXTRA_SHARES_MEAN, n),
        (rng.random(n) < OTHER_OWNER_SHARE_P).astype(np.int64),
    )
    code = np.repeat(np.arange(n), shares)
    shared = codes.issued_at[code] + (
        rng.exponential(SHARE_DELAY_MEAN_DAYS, len(code)) * DAY
    ).astype(np.int64)
    clicks = rng.poisson(CLICKS_PER_SHARE_MEAN, len(code))
    click_code = np.repeat(code, clicks)
    clicked = np.repeat(shared, clicks) + (
        rng.exponential(CLICK_DELAY_MEAN_DAYS, len(click_code)) * DAY
    ).astype(np.int64)
    return [
        _events(code, catalog.SHARED, shared, _channels(rng, len(code))),
        _events(click_code, catalog.CLICKED, clicked),
    ]


def referral_events(
    period: Period,
    codes: ReferralCodes,
    checkout: CheckoutCodes,
    created_at: np.ndarray,
    lifecycle: Lifecycle,
    rng: np.random.Generator,
) -> pa.Table:
    """Events known by the end of the period, sorted by time; `_day` is the file."""
    parts = [
        *_friend_events(codes, checkout, created_at, lifecycle, rng),
        _fooled_rewards(codes, checkout, lifecycle, rng),
        *_ambient_events(codes, rng),
    ]
    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    known = columns["occurred_at"] < period.t_end
    columns = {name: values[known] for name, values in columns.items()}
    order = np.lexsort((columns["event_type"], columns["code"], columns["occurred_at"]))
    columns = {name: values[order] for name, values in columns.items()}
    return pa.table(
        {
            "_day": period.day_index(columns["occurred_at"]),
            "number": np.arange(1, len(order) + 1, dtype=np.int64),
            **columns,
        }
    )
