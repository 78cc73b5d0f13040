"""Who is behind an order: account or guest checkout, and the e-mail typed at checkout.

Guest checkouts by registered customers are how the same person shows up under two
identities; some type their address with different case, without the dot or with a +tag,
which mailbox providers treat as the same address.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo_store import catalog
from demo_store.customers import Customers, OrderTimes

REGISTERED_GUEST_CHECKOUT_SHARE = 0.03
# Of those guest checkouts, the share typing a variant of their address (case, dot, +tag).
EMAIL_VARIANT_SHARE = 0.5
CANONICAL, CAPITALISED, WITHOUT_DOT, PLUS_TAG = range(4)
PLUS_TAG_TEXT = "+shop"

_FIRST = pa.array(catalog.FIRST_NAMES)
_LAST = pa.array(catalog.LAST_NAMES)
_FIRST_CAPITALISED = pa.array([name.capitalize() for name in catalog.FIRST_NAMES])
_LAST_CAPITALISED = pa.array([name.capitalize() for name in catalog.LAST_NAMES])
_DOMAINS = pa.array(catalog.EMAIL_DOMAINS)


@dataclass(frozen=True)
class OrderIdentity:
    """Per order."""

    customer_number: np.ndarray  # int64, 0 for a guest checkout (customer_id null)
    email_variant: np.ndarray  # int8: CANONICAL, CAPITALISED, WITHOUT_DOT or PLUS_TAG

    @property
    def is_guest_checkout(self) -> np.ndarray:
        return self.customer_number == 0


def draw_order_identity(
    customers: Customers, orders: OrderTimes, rng: np.random.Generator
) -> OrderIdentity:
    n = len(orders.customer)
    registered_guest = ~customers.is_guest[orders.customer] & (
        rng.random(n) < REGISTERED_GUEST_CHECKOUT_SHARE
    )
    number = np.where(registered_guest, 0, customers.customer_number[orders.customer])
    variant = np.where(
        registered_guest & (rng.random(n) < EMAIL_VARIANT_SHARE), rng.integers(1, 4, size=n), 0
    )
    return OrderIdentity(number.astype(np.int64), variant.astype(np.int8))


def emails(
    customers: Customers, customer: np.ndarray, variant: np.ndarray | None = None
) -> pa.Array:
    """The e-mail of each `customer` index, as typed in `variant` (canonical when None).

    The customer's position makes the address unique: `emma.smith42@example.com`.
    """
    first_index = customers.first_name[customer]
    last_index = customers.last_name[customer]
    first, last = pc.take(_FIRST, first_index), pc.take(_LAST, last_index)
    separator: pa.Array | str = "."
    tag: pa.Array | str = ""
    if variant is not None:
        capitalised = pa.array(variant == CAPITALISED)
        first = pc.if_else(capitalised, pc.take(_FIRST_CAPITALISED, first_index), first)
        last = pc.if_else(capitalised, pc.take(_LAST_CAPITALISED, last_index), last)
        separator = pc.if_else(pa.array(variant == WITHOUT_DOT), "", ".")
        tag = pc.if_else(pa.array(variant == PLUS_TAG), PLUS_TAG_TEXT, "")
    number = pc.cast(pa.array(customer.astype(np.int64) + 1), pa.string())
    domain = pc.take(_DOMAINS, customers.email_domain[customer])
    return pc.binary_join_element_wise(first, separator, last, number, tag, "@", domain, "")
