"""What each gate validates: the staged batch as a pandas frame, plus the gate's computed columns.

GX's SQL datasource returns empty metrics on DuckDB (GX issues 10738, 11579), so the batch is
pulled into pandas. Rules GX has no built-in for are made single-column by a computed column
the SQL adds here (documented in expectations/README.md); every computed column starts with `_`
and is only added when the staged table has the columns it needs, so a missing column fails the
column-set expectation instead of crashing the gate.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.ingestion import SOURCES

# known keys a batch's references are checked against: already loaded, or staged in this run
_KNOWN_REFERRAL_CODES = (
    "select referral_code, link_token from raw_referrals.referral_codes "
    "union all select referral_code, link_token from raw_referrals.referral_codes__staged"
)
_KNOWN_ORDERS = (
    "select order_id, customer_id from raw_shop.orders "
    "union all select order_id, customer_id from raw_shop.orders__staged"
)


def _known(column: str, known_column: str, known_set: str) -> str:
    """True/false when `column` is set, null when it is not (GX then ignores the row)."""
    value = f"cast(staged.{column} as varchar)"
    return (
        f"case when staged.{column} is null then null "
        f"else {value} in (select {known_column} from ({known_set})) end"
    )


@dataclass(frozen=True)
class ComputedColumn:
    """A column the gate adds before validation, from the columns it needs."""

    name: str
    sql: str
    needs: tuple[str, ...]


FILE_ROW_COUNT = ComputedColumn(
    "_file_row_count", "count(*) over (partition by staged._source_file)", ("_source_file",)
)


@dataclass(frozen=True)
class GateTarget:
    """One staged table and the suite that validates it."""

    suite: str
    table: str
    key_column: str
    computed: tuple[ComputedColumn, ...] = ()
    # order lines are identified by their order's file and line plus their own line_number
    line_level: bool = False

    @property
    def identity_columns(self) -> tuple[str, ...]:
        identity = ("_source_file", "_source_row_number")
        return (*identity, "line_number") if self.line_level else identity


def _money(column: str) -> str:
    return f"try_cast(staged.{column} as decimal(18, 2))"


ORDER_TOTAL_DIFFERENCE = ComputedColumn(
    "_total_difference",
    f"{_money('total')} - ({_money('subtotal')} - {_money('discount_total')} "
    f"+ {_money('shipping_total')} + {_money('tax_total')})",
    ("total", "subtotal", "discount_total", "shipping_total", "tax_total"),
)
ORDER_LINE_COUNT = ComputedColumn(
    "_line_count",
    "(select count(*) from raw_shop.order_lines__staged as lines"
    " where lines._batch_id = staged._batch_id and lines._source_file = staged._source_file"
    " and lines._source_row_number = staged._source_row_number)",
    ("_source_file", "_source_row_number"),
)

GATES: dict[str, tuple[GateTarget, ...]] = {
    "orders": (
        GateTarget(
            suite="shop__orders",
            table=SOURCES["orders"].staged_table,
            key_column="order_id",
            computed=(
                FILE_ROW_COUNT,
                ORDER_TOTAL_DIFFERENCE,
                ORDER_LINE_COUNT,
                ComputedColumn(
                    "_discount_code_is_referral_code",
                    _known("discount_code", "referral_code", _KNOWN_REFERRAL_CODES),
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
            suite="shop__order_lines",
            table=str(SOURCES["orders"].staged_lines_table),
            key_column="order_id",
            line_level=True,
        ),
    ),
    "referral_codes": (
        GateTarget(
            suite="referrals__referral_codes",
            table=SOURCES["referral_codes"].staged_table,
            key_column="referral_code",
            computed=(FILE_ROW_COUNT,),
        ),
    ),
    "referral_events": (
        GateTarget(
            suite="referrals__referral_events",
            table=SOURCES["referral_events"].staged_table,
            key_column="event_id",
            computed=(
                FILE_ROW_COUNT,
                ComputedColumn(
                    "_referral_code_is_known",
                    _known("referral_code", "referral_code", _KNOWN_REFERRAL_CODES),
                    ("referral_code",),
                ),
            ),
        ),
    ),
    "messages": (
        GateTarget(
            suite="messaging__message_events",
            table=SOURCES["messages"].staged_table,
            key_column="event_id",
            computed=(
                FILE_ROW_COUNT,
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

# loader columns the validation does not need: the source text stays in DuckDB (quarantine
# reads it there) so a large batch does not carry it through pandas
_LEFT_IN_DUCKDB = ("_raw_record", "_record_hash", "_loaded_at", "line_items")


def gate_targets(source: str) -> tuple[GateTarget, ...]:
    try:
        return GATES[source]
    except KeyError:
        raise ValueError(f"unknown source {source!r}; expected one of {sorted(GATES)}") from None


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a table, in table order."""
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return {row[0]: row[1] for row in rows}


# pandas' nanosecond range, which GX's vectorised datetime comparison needs
_PANDAS_MIN = "timestamp '1677-09-22 00:00:00'"
_PANDAS_MAX = "timestamp '2262-04-11 00:00:00'"


def _select(column: str, sql_type: str) -> str:
    """A staged column as the frame gets it: timestamps clamped to pandas' nanosecond range.

    A clamped value (year 0001 or 9999 from a broken export) still fails the time-window rule;
    the quarantine's raw_record keeps the original text.
    """
    if sql_type == "TIMESTAMP":
        # a case, not greatest/least: those skip nulls and would turn a missing time into 1677
        return (
            f"case when staged.{column} > {_PANDAS_MAX} then {_PANDAS_MAX}"
            f" when staged.{column} < {_PANDAS_MIN} then {_PANDAS_MIN}"
            f" else staged.{column} end as {column}"
        )
    return f"staged.{column}"


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """Dtypes GX 1.24 checks fast and correctly.

    GX cannot type-check pandas 3's default `str` dtype (and all-null text arrives as `object`),
    so text becomes the nullable `string` dtype; timestamps become datetime64[ns] and integers
    int64, the dtypes GX compares vectorised instead of value by value.
    """
    converted: dict[str, object] = {}
    for column, dtype in frame.dtypes.items():
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            converted[str(column)] = pd.StringDtype()
        elif pd.api.types.is_datetime64_dtype(dtype):
            converted[str(column)] = "datetime64[ns]"
        elif pd.api.types.is_integer_dtype(dtype):
            has_nulls = bool(frame[column].isna().any())
            converted[str(column)] = pd.Int64Dtype() if has_nulls else "int64"
    return frame.astype(converted) if converted else frame


def batch_frame(con: duckdb.DuckDBPyConnection, target: GateTarget, batch_id: str) -> pd.DataFrame:
    """The staged rows of one batch with the gate's computed columns, typed for GX."""
    columns = table_columns(con, target.table)
    kept = [
        _select(name, sql_type)
        for name, sql_type in columns.items()
        if name not in _LEFT_IN_DUCKDB
    ]
    computed = [
        f"{column.sql} as {column.name}"
        for column in target.computed
        if all(needed in columns for needed in column.needs)
    ]
    order = ", ".join(f"staged.{column}" for column in target.identity_columns if column in columns)
    sql = (
        f"select {', '.join([*kept, *computed])} from {target.table} as staged"
        " where staged._batch_id = ?" + (f" order by {order}" if order else "")
    )
    return _for_gx(con.execute(sql, [batch_id]).df())
