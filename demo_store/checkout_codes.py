"""What each order typed or clicked at checkout: promo codes, referral codes and links.

Friends of advocates arrive through the link (referral_token), by typing the code, or both;
code owners sometimes use their own code (the same account, or a guest checkout under a
variant of their e-mail, which the referral program fails to spot and rewards); a few orders
carry codes or tokens that were never issued.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo_store import catalog
from demo_store.customers import OrderTimes
from demo_store.identity import OrderIdentity
from demo_store.period import DAY, HOUR, Period
from demo_store.referral_codes import ReferralCodes

# A first order after go-live comes from a friend's referral with a probability growing from
# the first to the second value over the program's life, so referral volume grows monthly.
FRIEND_SHARE_AT_GO_LIVE, FRIEND_SHARE_AT_END = 0.03, 0.16
VIA_LINK, VIA_CODE, VIA_BOTH = range(3)
VIA_P = (0.55, 0.35, 0.10)
CODE_TYPED_LOWERCASE_SHARE = 0.05
FRIEND_LATER_ORDER_CODE_SHARE = 0.04
SELF_REFERRAL_SHARE = 0.015  # of an owner's later orders
SELF_REFERRAL_VARIANT_SHARE = 0.35  # of an owner's guest checkouts under an e-mail variant
UNKNOWN_CODE_SHARE = 0.004
UNKNOWN_TOKEN_SHARE = 0.001

# What the referral program sees in an order.
NO_REFERRAL, FRIEND_FIRST_ORDER, FRIEND_LATER_ORDER = 0, 1, 2
SELF_SAME_IDENTITY, SELF_EMAIL_VARIANT, UNKNOWN_CODE, UNKNOWN_TOKEN = 3, 4, 5, 6
REFERRAL_KINDS = (
    "none",
    "friend_first_order",
    "friend_later_order",
    "self_same_identity",
    "self_email_variant",
    "unknown_code",
    "unknown_token",
)
# How the code is written in the order.
EXACT, LOWERCASE, TYPO = 1, 2, 3

_PROMO_TEXT = pa.array([promo[0] for promo in catalog.PROMO_CODES])
_PROMO_PERCENT = np.array([promo[1] for promo in catalog.PROMO_CODES], dtype=np.int64)
_PROMO_FREE_SHIPPING = np.array([promo[2] for promo in catalog.PROMO_CODES])


@dataclass(frozen=True)
class CheckoutCodes:
    """Per order."""

    discount_code: pa.Array  # string or null
    referral_token: pa.Array  # string or null
    referral_kind: np.ndarray  # int8, one of the kinds above
    referral_code: np.ndarray  # int64 code index the order refers to, -1 when none
    via: np.ndarray  # int8 VIA_* for friends' first orders, -1 otherwise
    percent_off: np.ndarray  # int64
    free_shipping: np.ndarray  # bool
    credit_cents: np.ndarray  # int64 fixed referral credit (capped at the subtotal later)


def _promo_codes(period: Period, orders: OrderTimes, rng: np.random.Generator) -> np.ndarray:
    """Index into catalog.PROMO_CODES per order, -1 for none."""
    n = len(orders.created_at)
    month, day_of_month, _ = period.calendar()
    day = np.clip(period.day_index(orders.created_at), 0, period.n_days - 1)
    month, day_of_month = month[day], day_of_month[day]
    black_friday = ((month == 11) & (day_of_month >= 20)) | ((month == 12) & (day_of_month <= 2))
    draw = rng.random(n)
    return np.select(
        [
            black_friday & (draw < 0.30),
            (orders.sequence >= 4) & (draw < 0.15),
            (orders.sequence == 1) & (draw < 0.07),
            np.isin(month, (3, 4, 5)) & (draw < 0.04),
            draw < 0.025,
        ],
        [catalog.BFCM25, catalog.VIP20, catalog.WELCOME10, catalog.SPRING15, catalog.FREESHIP],
        -1,
    )


def _friends(period: Period, orders: OrderTimes, codes: ReferralCodes, rng: np.random.Generator):
    """First orders by referred friends and the advocate's code each came through."""
    n = len(orders.created_at)
    progress = np.clip((orders.created_at - period.go_live) / (period.t_end - period.go_live), 0, 1)
    share = FRIEND_SHARE_AT_GO_LIVE + (FRIEND_SHARE_AT_END - FRIEND_SHARE_AT_GO_LIVE) * progress
    candidate = np.flatnonzero(
        (orders.sequence == 1)
        & (orders.created_at >= period.go_live + 3 * DAY)
        & (rng.random(n) < share)
    )
    advocates = np.flatnonzero(codes.is_advocate)
    # advocates with a code issued at least an hour before the friend's order
    available = np.searchsorted(codes.issued_at[advocates], orders.created_at[candidate] - HOUR)
    candidate, available = candidate[available > 0], available[available > 0]
    referrer = advocates[rng.integers(0, available)]
    return candidate, referrer


def assign_checkout_codes(
    period: Period,
    orders: OrderTimes,
    identity: OrderIdentity,
    codes: ReferralCodes,
    rng: np.random.Generator,
) -> CheckoutCodes:
    n = len(orders.created_at)
    n_customers = int(orders.customer.max()) + 1
    promo = _promo_codes(period, orders, rng)
    kind = np.zeros(n, dtype=np.int8)
    code = np.full(n, -1, dtype=np.int64)
    form = np.zeros(n, dtype=np.int8)
    has_token = np.zeros(n, dtype=bool)
    via = np.full(n, -1, dtype=np.int8)
    credit = np.zeros(n, dtype=np.int64)

    friend_order, referrer = _friends(period, orders, codes, rng)
    via[friend_order] = rng.choice(3, size=len(friend_order), p=VIA_P)
    kind[friend_order], code[friend_order] = FRIEND_FIRST_ORDER, referrer
    has_token[friend_order] = via[friend_order] != VIA_CODE
    typed = friend_order[via[friend_order] != VIA_LINK]
    form[typed] = np.where(rng.random(len(typed)) < CODE_TYPED_LOWERCASE_SHARE, LOWERCASE, EXACT)
    credit[friend_order] = codes.reward_cents[referrer]
    promo[friend_order] = -1

    free = (kind == NO_REFERRAL) & (promo < 0)
    referrer_of = np.full(n_customers, -1, dtype=np.int64)
    referrer_of[orders.customer[friend_order]] = referrer
    later = (
        free
        & (referrer_of[orders.customer] >= 0)
        & (orders.sequence > 1)
        & (rng.random(n) < FRIEND_LATER_ORDER_CODE_SHARE)
    )
    kind[later], code[later], form[later] = (
        FRIEND_LATER_ORDER,
        referrer_of[orders.customer[later]],
        EXACT,
    )

    own = codes.code_of_customer(n_customers)[orders.customer]
    owns_code_already = (own >= 0) & (
        orders.created_at > codes.issued_at[np.maximum(own, 0)] + HOUR
    )
    draw = rng.random(n)
    free = (kind == NO_REFERRAL) & (promo < 0) & owns_code_already
    variant = free & (identity.email_variant > 0) & (draw < SELF_REFERRAL_VARIANT_SHARE)
    same = free & (identity.email_variant == 0) & (draw < SELF_REFERRAL_SHARE)
    kind[variant], kind[same] = SELF_EMAIL_VARIANT, SELF_SAME_IDENTITY
    self_referral = variant | same
    code[self_referral], form[self_referral] = own[self_referral], EXACT
    # the shop applies any valid code; only the program's reward check looks at who used it
    credit[self_referral] = codes.reward_cents[own[self_referral]]

    issued_before = np.searchsorted(codes.issued_at, orders.created_at)
    draw = rng.random(n)
    free = (kind == NO_REFERRAL) & (promo < 0) & (issued_before > 0)
    unknown_code = free & (draw < UNKNOWN_CODE_SHARE)
    unknown_token = (
        free & (draw >= UNKNOWN_CODE_SHARE) & (draw < UNKNOWN_CODE_SHARE + UNKNOWN_TOKEN_SHARE)
    )
    unknown = unknown_code | unknown_token
    kind[unknown_code], kind[unknown_token] = UNKNOWN_CODE, UNKNOWN_TOKEN
    code[unknown] = rng.integers(0, np.maximum(issued_before[unknown], 1))
    form[unknown_code] = TYPO

    return CheckoutCodes(
        discount_code=_discount_code_text(codes, code, form, promo),
        referral_token=_token_text(codes, code, has_token, unknown_token),
        referral_kind=kind,
        referral_code=np.where(unknown, -1, code),
        via=via,
        percent_off=np.where(promo >= 0, _PROMO_PERCENT[promo], 0),
        free_shipping=(promo >= 0) & _PROMO_FREE_SHIPPING[promo],
        credit_cents=credit,
    )


def _discount_code_text(
    codes: ReferralCodes, code: np.ndarray, form: np.ndarray, promo: np.ndarray
) -> pa.Array:
    typed = pc.take(codes.code, pa.array(code, mask=form == 0))
    typed = pc.if_else(pa.array(form == LOWERCASE), pc.utf8_lower(typed), typed)
    # Crockford base32 never uses O: a code ending in O was never issued
    typo = pc.binary_join_element_wise(pc.utf8_slice_codeunits(typed, 0, -1), "O", "")
    typed = pc.if_else(pa.array(form == TYPO), typo, typed)
    promo_text = pc.take(_PROMO_TEXT, pa.array(promo, mask=promo < 0))
    return pc.if_else(pa.array(promo >= 0), promo_text, typed)


def _token_text(
    codes: ReferralCodes, code: np.ndarray, has_token: np.ndarray, unknown_token: np.ndarray
) -> pa.Array:
    token = pc.take(codes.token, pa.array(code, mask=~(has_token | unknown_token)))
    # nor u: a token ending in u was never issued
    broken = pc.binary_join_element_wise(pc.utf8_slice_codeunits(token, 0, -1), "u", "")
    return pc.if_else(pa.array(unknown_token), broken, token)
