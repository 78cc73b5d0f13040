"""What each order contains: 1-4 line items, with second orders upgrading a tier more often."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_store import catalog
from demo_store.customers import OrderTimes

# The tier a second order upgrades to, from the first order's main product type
# (starter, core, premium, bundle, subscription).
UPGRADE_TO = np.array(
    [catalog.CORE, catalog.PREMIUM, catalog.BUNDLE, catalog.BUNDLE, catalog.PREMIUM], dtype=np.int8
)


@dataclass(frozen=True)
class Baskets:
    """Line items per order as (orders x MAX_LINES) matrices; line j exists when j < line_count."""

    product: np.ndarray  # int16 index into catalog.PRODUCTS, -1 where there is no line
    quantity: np.ndarray  # int16, 0 where there is no line
    line_count: np.ndarray  # int8, 1..MAX_LINES

    @property
    def subtotal_cents(self) -> np.ndarray:
        price = np.where(self.product >= 0, catalog.PRODUCT_PRICE[self.product], 0)
        return (price * self.quantity).sum(axis=1)

    def has_type(self, *types: int) -> np.ndarray:
        """Orders with at least one line of one of `types`."""
        line_type = np.where(self.product >= 0, catalog.PRODUCT_TYPE[self.product], -1)
        return np.asarray(np.isin(line_type, types).any(axis=1))


def _pick_types(rng: np.random.Generator, p: tuple[float, ...], size: int | tuple) -> np.ndarray:
    return rng.choice(len(catalog.PRODUCT_TYPES), size=size, p=p).astype(np.int8)


def draw_baskets(orders: OrderTimes, rng: np.random.Generator) -> Baskets:
    n = len(orders.created_at)
    line_count = (rng.choice(catalog.MAX_LINES, size=n, p=catalog.LINE_COUNT_P) + 1).astype(np.int8)
    types = _pick_types(rng, catalog.ADDED_LINE_TYPE_P, (n, catalog.MAX_LINES))

    first = orders.sequence == 1
    main = np.where(
        first,
        _pick_types(rng, catalog.FIRST_ORDER_TYPE_P, n),
        _pick_types(rng, catalog.REPEAT_ORDER_TYPE_P, n),
    )
    first_main = np.zeros(int(orders.customer.max()) + 1, dtype=np.int8)
    first_main[orders.customer[first]] = main[first]
    upgrade = (orders.sequence == 2) & (rng.random(n) < catalog.SECOND_ORDER_UPGRADE_P)
    main = np.where(upgrade, UPGRADE_TO[first_main[orders.customer]], main)
    types[:, 0] = main

    offset = (rng.random((n, catalog.MAX_LINES)) * catalog.TYPE_PRODUCT_COUNT[types]).astype(int)
    product = (catalog.TYPE_FIRST_PRODUCT[types] + offset).astype(np.int16)
    quantity = (
        rng.choice(catalog.MAX_QUANTITY, size=(n, catalog.MAX_LINES), p=catalog.QUANTITY_P) + 1
    ).astype(np.int16)
    absent = np.arange(catalog.MAX_LINES)[None, :] >= line_count[:, None]
    product[absent] = -1
    quantity[absent] = 0
    return Baskets(product=product, quantity=quantity, line_count=line_count)
