"""What each gate validates: staged tables, their suites, keys and the gate's computed columns.

Rules GX has no built-in for are made single-column by a computed column the gate adds to the
frame before validation (documented in expectations/README.md). Computed columns start with `_`
and are only added when the staged table has the columns they need, so a missing column fails
the column-set expectation instead of crashing the gate. They are computed over the whole batch,
so they stay exact when a large batch is validated in chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.ingestion.schema import STAGED_FILES_TABLE
from warehouse.sources import MESSAGES, ORDERS, REFERRAL_CODES, REFERRAL_EVENTS

# known keys a batch's references are checked against: already loaded, or staged in this run
_KNOWN_REFERRAL_CODES = (
    f"select referral_code, link_token from {REFERRAL_CODES.raw_table}"
    f" union all select referral_code, link_token from {REFERRAL_CODES.staged_table}"
)
_KNOWN_ORDERS = (
    f"select order_id, customer_id from {ORDERS.raw_table}"
    f" union all select order_id, customer_id from {ORDERS.staged_table}"
)


def _known(column: str, known_column: str, known_set: str) -> str:
    """True/false when `column` is set, null when it is not (GX then ignores the row)."""
    return (
        f"case when staged.{column} is null then null"
        f" else cast(staged.{column} as varchar) in (select {known_column} from ({known_set})) end"
    )


def _money(column: str) -> str:
    return f"try_cast(staged.{column} as decimal(18, 2))"


@dataclass(frozen=True)
class ComputedColumn:
    """A column the gate adds before validation, from the staged columns it needs."""

    name: str
    sql: str
    needs: tuple[str, ...]
    # a join the expression reads from (an aggregate joins faster than a correlated subquery)
    join: str = ""


@dataclass(frozen=True)
class GateTarget:
    """One staged table and the suite that validates it.

    `chunk_column` spreads a large batch over chunks by hash; every uniqueness rule of the suite
    includes it, so duplicates always meet in the same chunk (tests/test_suites.py checks this).
    """

    suite: str
    table: str
    key_column: str
    chunk_column: str
    computed: tuple[ComputedColumn, ...] = ()
    # order lines are identified by their order's file and line plus their own line_number
    line_level: bool = False

    @property
    def identity_columns(self) -> tuple[str, ...]:
        identity = ("_source_file", "_source_row_number")
        return (*identity, "line_number") if self.line_level else identity


def file_rows_read(source: str) -> ComputedColumn:
    """Rows read from the row's file, as the loader logged it in raw_meta.staged_files (the
    same measure as load_log.rows_read, so exact duplicates the loader skipped still count);
    the file's staged rows when the loader did not list it."""
    return ComputedColumn(
        "_file_rows_read",
        "coalesce(file_rows.rows_read, count(*) over (partition by staged._source_file))",
        ("_source_file",),
        join=(
            f"left join (select batch_id, file_name, max(rows_read) as rows_read"
            f" from {STAGED_FILES_TABLE} where source = '{source}' group by all) as file_rows"
            " on file_rows.batch_id = staged._batch_id"
            " and file_rows.file_name = staged._source_file"
        ),
    )


ORDER_TOTAL_DIFFERENCE = ComputedColumn(
    "_total_difference",
    f"{_money('total')} - ({_money('subtotal')} - {_money('discount_total')}"
    f" + {_money('shipping_total')} + {_money('tax_total')})",
    ("total", "subtotal", "discount_total", "shipping_total", "tax_total"),
)
ORDER_LINE_COUNT = ComputedColumn(
    "_line_count",
    "coalesce(line_counts.line_count, 0)",
    ("_source_file", "_source_row_number"),
    join=(
        "left join (select _batch_id, _source_file, _source_row_number, count(*) as line_count"
        f" from {ORDERS.staged_lines_table} group by all) as line_counts"
        " on line_counts._batch_id = staged._batch_id"
        " and line_counts._source_file = staged._source_file"
        " and line_counts._source_row_number = staged._source_row_number"
    ),
)
CODES_SHARING_LINK_TOKEN = ComputedColumn(
    "_codes_sharing_link_token",
    "case when staged.link_token is null then null"
    " else count(*) over (partition by staged.link_token, staged._source_file) end",
    ("link_token", "_source_file"),
)

GATES: dict[str, tuple[GateTarget, ...]] = {
    ORDERS.name: (
        GateTarget(
            suite=ORDERS.suite_name("orders"),
            table=ORDERS.staged_table,
            key_column="order_id",
            chunk_column="order_id",
            computed=(
                file_rows_read(ORDERS.name),
                ORDER_TOTAL_DIFFERENCE,
                ORDER_LINE_COUNT,
                ComputedColumn(
                    "_discount_code_is_referral_code",
                    # only codes shaped like referral codes: promo codes are legitimately unknown
                    "case when not regexp_full_match(cast(staged.discount_code as varchar),"
                    " $referral_code_pattern) then null else "
                    f"{_known('discount_code', 'referral_code', _KNOWN_REFERRAL_CODES)} end",
                    ("discount_code",),
                ),
                ComputedColumn(
                    "_referral_token_is_known",
                    _known("referral_token", "link_token", _KNOWN_REFERRAL_CODES),
                    ("referral_token",),
                ),
            ),
        ),
        GateTarget(
            suite=ORDERS.suite_name("order_lines"),
            table=str(ORDERS.staged_lines_table),
            key_column="order_id",
            chunk_column="order_id",
            line_level=True,
        ),
    ),
    REFERRAL_CODES.name: (
        GateTarget(
            suite=REFERRAL_CODES.suite_name("referral_codes"),
            table=REFERRAL_CODES.staged_table,
            key_column="referral_code",
            chunk_column="referral_code",
            computed=(file_rows_read(REFERRAL_CODES.name), CODES_SHARING_LINK_TOKEN),
        ),
    ),
    REFERRAL_EVENTS.name: (
        GateTarget(
            suite=REFERRAL_EVENTS.suite_name("referral_events"),
            table=REFERRAL_EVENTS.staged_table,
            key_column="event_id",
            chunk_column="event_id",
            computed=(
                file_rows_read(REFERRAL_EVENTS.name),
                ComputedColumn(
                    "_referral_code_is_known",
                    _known("referral_code", "referral_code", _KNOWN_REFERRAL_CODES),
                    ("referral_code",),
                ),
            ),
        ),
    ),
    MESSAGES.name: (
        GateTarget(
            suite=MESSAGES.suite_name("message_events"),
            table=MESSAGES.staged_table,
            key_column="event_id",
            chunk_column="event_id",
            computed=(
                file_rows_read(MESSAGES.name),
                ComputedColumn(
                    "_customer_is_known",
                    _known("customer_id", "customer_id", _KNOWN_ORDERS),
                    ("customer_id",),
                ),
                ComputedColumn(
                    "_order_is_known",
                    _known("order_id", "order_id", _KNOWN_ORDERS),
                    ("order_id",),
                ),
            ),
        ),
    ),
}


def gate_targets(source: str) -> tuple[GateTarget, ...]:
    """The staged tables a source's gate validates (orders: orders, then order lines)."""
    try:
        return GATES[source]
    except KeyError:
        raise ValueError(f"unknown source {source!r}; expected one of {sorted(GATES)}") from None
