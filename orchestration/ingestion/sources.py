"""What each landing source looks like: folder, formats, raw tables, key and typed columns.

This is the landing contract (docs/landing-contract.md) as data: the schema, the parser and the
merge all read it, so a new column is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["varchar", "timestamp", "decimal(18, 2)", "integer"]
MergeKind = Literal["order_versions", "latest_wins", "append"]
FileFormat = Literal["jsonl", "csv", "parquet"]


@dataclass(frozen=True)
class Column:
    """One business column: its landing name, its raw type and whether a record needs it."""

    name: str
    type: ColumnType = "varchar"
    required: bool = False


@dataclass(frozen=True)
class SourceSpec:
    """One landing source and the raw tables it feeds."""

    name: str
    folder: str
    formats: tuple[FileFormat, ...]
    schema: str
    table: str
    key: str
    columns: tuple[Column, ...]
    merge: MergeKind
    # orders only: the nested line items, their table and the append-only version history
    line_items_field: str | None = None
    line_item_columns: tuple[Column, ...] = ()
    lines_table: str | None = None
    history_table: str | None = None

    @property
    def raw_table(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def staged_table(self) -> str:
        return f"{self.schema}.{self.table}__staged"

    @property
    def quarantine_table(self) -> str:
        return f"{self.schema}.{self.table}_quarantine"

    @property
    def raw_lines_table(self) -> str | None:
        return f"{self.schema}.{self.lines_table}" if self.lines_table else None

    @property
    def staged_lines_table(self) -> str | None:
        return f"{self.schema}.{self.lines_table}__staged" if self.lines_table else None

    @property
    def raw_history_table(self) -> str | None:
        return f"{self.schema}.{self.history_table}" if self.history_table else None

    @property
    def required_fields(self) -> tuple[str, ...]:
        required = [column.name for column in self.columns if column.required]
        if self.line_items_field:
            required.append(self.line_items_field)
        return tuple(required)

    @property
    def required_line_item_fields(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.line_item_columns if column.required)


_TS: ColumnType = "timestamp"
_MONEY: ColumnType = "decimal(18, 2)"

ORDERS = SourceSpec(
    name="orders",
    folder="orders",
    formats=("jsonl", "parquet"),
    schema="raw_shop",
    table="orders",
    key="order_id",
    columns=(
        Column("order_id", required=True),
        Column("customer_id"),
        Column("email"),
        Column("created_at", _TS, required=True),
        Column("updated_at", _TS, required=True),
        Column("fulfilled_at", _TS),
        Column("delivered_at", _TS),
        Column("cancelled_at", _TS),
        Column("currency", required=True),
        Column("subtotal", _MONEY, required=True),
        Column("discount_total", _MONEY, required=True),
        Column("shipping_total", _MONEY, required=True),
        Column("tax_total", _MONEY, required=True),
        Column("total", _MONEY, required=True),
        Column("refunded_total", _MONEY, required=True),
        Column("financial_status", required=True),
        Column("fulfillment_status", required=True),
        Column("discount_code"),
        Column("referral_token"),
    ),
    merge="order_versions",
    line_items_field="line_items",
    line_item_columns=(
        Column("product_id", required=True),
        Column("product_type"),
        Column("quantity", "integer", required=True),
        Column("unit_price", _MONEY, required=True),
        Column("unit_cost", _MONEY),
    ),
    lines_table="order_lines",
    history_table="orders_history",
)

REFERRAL_CODES = SourceSpec(
    name="referral_codes",
    folder="referral_codes",
    formats=("csv", "parquet"),
    schema="raw_referrals",
    table="referral_codes",
    key="referral_code",
    columns=(
        Column("referral_code", required=True),
        Column("link_token", required=True),
        Column("owner_customer_id"),
        Column("owner_email"),
        Column("program_variant", required=True),
        Column("reward_amount", _MONEY, required=True),
        Column("reward_currency", required=True),
        Column("offer_framing", required=True),
        Column("issued_at", _TS, required=True),
    ),
    merge="latest_wins",
)

REFERRAL_EVENTS = SourceSpec(
    name="referral_events",
    folder="referral_events",
    formats=("csv", "parquet"),
    schema="raw_referrals",
    table="referral_events",
    key="event_id",
    columns=(
        Column("event_id", required=True),
        Column("referral_code", required=True),
        Column("event_type", required=True),
        Column("occurred_at", _TS, required=True),
        Column("share_channel"),
        Column("referred_customer_id"),
        Column("referred_email"),
        Column("reward_amount", _MONEY),
    ),
    merge="append",
)

MESSAGES = SourceSpec(
    name="messages",
    folder="messages",
    formats=("jsonl", "parquet"),
    schema="raw_messaging",
    table="message_events",
    key="event_id",
    columns=(
        Column("event_id", required=True),
        Column("message_id", required=True),
        Column("customer_id"),
        Column("email"),
        Column("phone"),
        Column("order_id"),
        Column("channel", required=True),
        Column("flow", required=True),
        Column("event_type", required=True),
        Column("variant"),
        Column("occurred_at", _TS, required=True),
    ),
    merge="append",
)

SOURCES: dict[str, SourceSpec] = {
    spec.name: spec for spec in (ORDERS, REFERRAL_CODES, REFERRAL_EVENTS, MESSAGES)
}


def get_source(source: str) -> SourceSpec:
    """The spec of a source by name, with a clear error for an unknown one."""
    try:
        return SOURCES[source]
    except KeyError:
        raise ValueError(f"unknown source {source!r}; expected one of {sorted(SOURCES)}") from None
