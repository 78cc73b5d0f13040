"""Each landing source described once: the landing contract as data, and every name it goes by.

A source has two names and everything else derives from them (docs/architecture.md, "Names"):

- `name`, the store-facing id: the landing folder (`data/landing/<name>/`), the `source` column of
  the load log, the landing asset `landing/<name>_batch` and batch ids `<name>-<run id>`;
- `system` + `table`, the warehouse name of each table it feeds: raw table
  `raw_<system>.<table>` (the dbt source `<system>.<table>`), asset key `[<system>, <table>]`,
  suite `expectations/<system>__<table>.json`, staging model `stg_<system>__<table>`.

Check names are the asset key joined by `_` plus the property: `landing_orders_batch_meets_suite`,
`shop_orders_is_fresh`. The schema, the parser, the merge, the gates and the Dagster assets all
read this module, so a new column or source is added here once. Nothing here imports Dagster:
asset keys are plain tuples that orchestration/ turns into `dg.AssetKey`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["varchar", "timestamp", "decimal(18, 2)", "integer"]
MergeKind = Literal["order_versions", "latest_wins", "append"]
FileFormat = Literal["jsonl", "csv", "parquet"]
AssetPath = tuple[str, ...]

LANDING_ASSET_PREFIX = "landing"


@dataclass(frozen=True)
class Column:
    """One business column: its landing name, its raw type and whether a record needs it."""

    name: str
    type: ColumnType = "varchar"
    required: bool = False


def check_name(asset_path: AssetPath, prop: str) -> str:
    """`<asset key joined by _>_<property>`: the one rule every asset check is named by."""
    return "_".join((*asset_path, prop))


@dataclass(frozen=True)
class SourceSpec:
    """One landing source and the raw tables it feeds."""

    name: str
    formats: tuple[FileFormat, ...]
    system: str
    table: str
    key: str
    columns: tuple[Column, ...]
    merge: MergeKind
    # orders only: the nested line items, their table and the append-only version history
    line_items_field: str | None = None
    line_item_columns: tuple[Column, ...] = ()
    lines_table: str | None = None
    history_table: str | None = None

    # the landing side
    @property
    def landing_folder(self) -> str:
        return self.name

    @property
    def landing_asset_path(self) -> AssetPath:
        """The staged batch of the source's new files: landing/<name>_batch."""
        return (LANDING_ASSET_PREFIX, f"{self.name}_batch")

    @property
    def gate_check_name(self) -> str:
        return check_name(self.landing_asset_path, "meets_suite")

    def batch_id(self, run_id: str) -> str:
        """The batch a run stages for this source (a plain token: it names GX runs and logs)."""
        return f"{self.name}-{run_id}"

    # the warehouse side
    @property
    def schema(self) -> str:
        return f"raw_{self.system}"

    @property
    def tables(self) -> tuple[str, ...]:
        """Every raw table the merge writes: the main table first (orders: lines, history)."""
        return tuple(t for t in (self.table, self.lines_table, self.history_table) if t)

    @property
    def validated_tables(self) -> tuple[str, ...]:
        """The tables whose staged batch a suite validates (orders: orders, order lines)."""
        return tuple(t for t in (self.table, self.lines_table) if t)

    def asset_path(self, table: str) -> AssetPath:
        """[<system>, <table>]: the raw table asset, also the dbt source's key."""
        return (self.system, table)

    @property
    def raw_asset_paths(self) -> tuple[AssetPath, ...]:
        return tuple(self.asset_path(table) for table in self.tables)

    @property
    def freshness_check_name(self) -> str:
        return check_name(self.asset_path(self.table), "is_fresh")

    def suite_name(self, table: str) -> str:
        return f"{self.system}__{table}"

    @property
    def suites(self) -> tuple[str, ...]:
        return tuple(self.suite_name(table) for table in self.validated_tables)

    def staging_model(self, table: str) -> str:
        return f"stg_{self.system}__{table}"

    def qualified(self, table: str) -> str:
        return f"{self.schema}.{table}"

    @property
    def raw_table(self) -> str:
        return self.qualified(self.table)

    @property
    def staged_table(self) -> str:
        return f"{self.raw_table}__staged"

    @property
    def quarantine_table(self) -> str:
        return f"{self.raw_table}_quarantine"

    @property
    def raw_lines_table(self) -> str | None:
        return self.qualified(self.lines_table) if self.lines_table else None

    @property
    def staged_lines_table(self) -> str | None:
        return f"{self.raw_lines_table}__staged" if self.lines_table else None

    @property
    def raw_history_table(self) -> str | None:
        return self.qualified(self.history_table) if self.history_table else None

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
    formats=("jsonl", "parquet"),
    system="shop",
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
    formats=("csv", "parquet"),
    system="referrals",
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
    formats=("csv", "parquet"),
    system="referrals",
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
    formats=("jsonl", "parquet"),
    system="messaging",
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
