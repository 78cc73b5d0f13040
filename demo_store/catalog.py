"""Fixed reference data of the demo store: products, codes, referral arms, names.

Everything here is a constant so that the generated store depends only on the seed.
"""

from __future__ import annotations

import numpy as np

# Tiers in upgrade order; subscription sits apart (replenishment, not an upgrade step).
PRODUCT_TYPES = ("starter", "core", "premium", "bundle", "subscription")
STARTER, CORE, PREMIUM, BUNDLE, SUBSCRIPTION = range(5)
HIGHEST_UPGRADE_TIER = BUNDLE

# (product_id, type, unit price in cents, unit cost in cents or -1 when the shop never entered it)
# 4 of 20 costs are unknown: the brief asks for ~80% known.
PRODUCTS = (
    ("SKU-STR-01", STARTER, 1490, 510),
    ("SKU-STR-02", STARTER, 1990, 720),
    ("SKU-STR-03", STARTER, 2490, -1),
    ("SKU-STR-04", STARTER, 2990, 1150),
    ("SKU-COR-01", CORE, 3990, 1480),
    ("SKU-COR-02", CORE, 4490, 1710),
    ("SKU-COR-03", CORE, 4990, 1900),
    ("SKU-COR-04", CORE, 5490, -1),
    ("SKU-COR-05", CORE, 5990, 2300),
    ("SKU-PRM-01", PREMIUM, 7990, 2950),
    ("SKU-PRM-02", PREMIUM, 9990, 3600),
    ("SKU-PRM-03", PREMIUM, 12990, -1),
    ("SKU-PRM-04", PREMIUM, 8990, 3300),
    ("SKU-BUN-01", BUNDLE, 9990, 4100),
    ("SKU-BUN-02", BUNDLE, 11990, 4800),
    ("SKU-BUN-03", BUNDLE, 14990, 6200),
    ("SKU-SUB-01", SUBSCRIPTION, 2490, 800),
    ("SKU-SUB-02", SUBSCRIPTION, 2990, 1000),
    ("SKU-SUB-03", SUBSCRIPTION, 3490, -1),
    ("SKU-SUB-04", SUBSCRIPTION, 1990, 640),
)
PRODUCT_TYPE = np.array([p[1] for p in PRODUCTS], dtype=np.int8)
PRODUCT_PRICE = np.array([p[2] for p in PRODUCTS], dtype=np.int64)
PRODUCT_COST = np.array([p[3] for p in PRODUCTS], dtype=np.int64)
# Products sorted by type, so a type's products are a contiguous range.
TYPE_FIRST_PRODUCT = np.searchsorted(PRODUCT_TYPE, np.arange(len(PRODUCT_TYPES)))
TYPE_PRODUCT_COUNT = np.bincount(PRODUCT_TYPE, minlength=len(PRODUCT_TYPES))
MAX_LINES = 4
MAX_QUANTITY = 3

# Type of the first line of a first order, of a repeat order, and of added lines.
FIRST_ORDER_TYPE_P = (0.40, 0.35, 0.10, 0.10, 0.05)
REPEAT_ORDER_TYPE_P = (0.12, 0.33, 0.22, 0.13, 0.20)
ADDED_LINE_TYPE_P = (0.35, 0.35, 0.10, 0.05, 0.15)
LINE_COUNT_P = (0.55, 0.28, 0.12, 0.05)
QUANTITY_P = (0.85, 0.11, 0.04)
# A second order upgrades one tier above the first order's main product this often (upsell).
SECOND_ORDER_UPGRADE_P = 0.40

CURRENCY = "USD"
SHIPPING_CENTS = 595
FREE_SHIPPING_FROM_CENTS = 7500
# US sales tax rates in basis points, one per customer (their state).
TAX_RATES_BP = np.array([0, 400, 625, 725, 825, 887], dtype=np.int64)

# Ordinary promo codes: (code, percent off, free shipping).
PROMO_CODES = (
    ("WELCOME10", 10, False),
    ("SPRING15", 15, False),
    ("FREESHIP", 0, True),
    ("VIP20", 20, False),
    ("BFCM25", 25, False),
)
WELCOME10, SPRING15, FREESHIP, VIP20, BFCM25 = range(5)

# Referral program A/B arms: (program_variant, reward in dollars, offer framing, share of owners
# who become active advocates). The richer arm recruits more advocates, so the A/B test has an
# effect to find.
REFERRAL_ARMS = (
    ("give10_get10", 10, "discount_credit", 0.28),
    ("give15_get15", 15, "discount_credit", 0.38),
    ("give10_free_mini", 10, "free_mini_product", 0.32),
)
SHARE_CHANNELS = ("email", "sms", "social", "copy_link")
SHARE_CHANNEL_P = (0.35, 0.20, 0.25, 0.20)

# Crockford base32 leaves out I, L, O and U, so a code with an O in it is never a real code.
CODE_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
TOKEN_ALPHABET = np.frombuffer(b"0123456789abcdefghjkmnpqrstvwxyz", dtype=np.uint8)

FLOWS = (
    "welcome",
    "post_purchase_referral_ask",
    "upgrade_offer",
    "replenishment",
    "win_back",
    "review_request",
)
WELCOME, REFERRAL_ASK, UPGRADE_OFFER, REPLENISHMENT, WIN_BACK, REVIEW_REQUEST = range(6)
CHANNELS = ("email", "sms")
MESSAGE_EVENT_TYPES = ("sent", "delivered", "bounced", "opened", "clicked", "unsubscribed")
MESSAGE_VARIANTS = ("A", "B")

FINANCIAL_STATUSES = ("pending", "paid", "partially_refunded", "refunded", "voided")
PENDING, PAID, PARTIALLY_REFUNDED, REFUNDED, VOIDED = range(5)
FULFILLMENT_STATUSES = ("unfulfilled", "fulfilled", "delivered", "returned")
UNFULFILLED, FULFILLED, DELIVERED, RETURNED = range(4)

REFERRAL_EVENT_TYPES = ("shared", "clicked", "signed_up", "reward_issued")
SHARED, CLICKED, SIGNED_UP, REWARD_ISSUED = range(4)

FIRST_NAMES = (
    "emma",
    "olivia",
    "ava",
    "sophia",
    "mia",
    "amelia",
    "harper",
    "evelyn",
    "grace",
    "chloe",
    "nora",
    "zoe",
    "liam",
    "noah",
    "oliver",
    "elijah",
    "james",
    "lucas",
    "henry",
    "mason",
    "ethan",
    "daniel",
    "leo",
    "mateo",
)
LAST_NAMES = (
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "lopez",
    "wilson",
    "anderson",
    "taylor",
    "thomas",
    "moore",
    "lee",
    "perez",
    "white",
    "harris",
    "clark",
    "lewis",
    "walker",
    "young",
)
# Reserved example domains (RFC 2606): a demo address can never reach a real person.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
EMAIL_DOMAIN_P = (0.45, 0.25, 0.2, 0.1)
