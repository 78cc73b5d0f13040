"""Order amounts in integer cents, so every total adds up exactly after rounding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_store import catalog


@dataclass(frozen=True)
class Amounts:
    """Per order, in cents: total = subtotal - discount + shipping + tax."""

    subtotal: np.ndarray
    discount: np.ndarray
    shipping: np.ndarray
    tax: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.subtotal - self.discount + self.shipping + self.tax


def price_orders(
    subtotal: np.ndarray,
    percent_off: np.ndarray,
    free_shipping: np.ndarray,
    credit_cents: np.ndarray,
    tax_rate_bp: np.ndarray,
) -> Amounts:
    # round half up to the cent, in integers
    percent_discount = (subtotal * percent_off + 50) // 100
    discount = np.where(credit_cents > 0, np.minimum(credit_cents, subtotal), percent_discount)
    net = subtotal - discount
    shipping = np.where(
        free_shipping | (net >= catalog.FREE_SHIPPING_FROM_CENTS), 0, catalog.SHIPPING_CENTS
    )
    tax = (net * tax_rate_bp + 5_000) // 10_000
    return Amounts(subtotal=subtotal, discount=discount, shipping=shipping, tax=tax)


def refund_cents(total: np.ndarray, refund_share: np.ndarray) -> np.ndarray:
    """Refunded amount per order: the share of the total, rounded to the cent."""
    return np.where(refund_share >= 1.0, total, np.rint(total * refund_share).astype(np.int64))
