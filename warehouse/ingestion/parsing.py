"""Records -> typed rows with their defects, in one set-based statement per batch.

Every field is first read as text (json_transform to VARCHAR), then cast with try_cast, so a
value that does not cast becomes a defect of that record instead of failing the batch. Each
record gets the list of its defects, in column order; the first one names the quarantine rule.
"""

from __future__ import annotations

import json

from warehouse.ingestion.records import sql_literal
from warehouse.ingestion.schema import LOADED_RECORDS_TABLE
from warehouse.sources import Column, SourceSpec

PARSED_TABLE = "_ingest_parsed"  # temp table, one row per record read

# an explicit offset after the time of day; anything else is a UTC wall-clock time
_OFFSET_PATTERN = r"(?i)\d{2}:\d{2}(:\d{2}(\.\d*)?)?\s*(z|utc|[+-]\d{2}(:?\d{2})?)$"
_INTEGER_PATTERN = r"^\s*[+-]?\d+(\.0*)?\s*$"
_TYPE_WORDS = {
    "timestamp": "an ISO 8601 timestamp",
    "decimal(18, 2)": "a decimal",
    "integer": "an integer",
}


def typed_value(column: Column, text: str) -> str:
    """SQL casting the text expression `text` to the column's raw type (NULL if it does not)."""
    value = f"nullif(trim({text}), '')"
    if column.type == "timestamp":
        return (
            f"case when regexp_matches({value}, '{_OFFSET_PATTERN}') "
            f"then timezone('UTC', try_cast({value} as timestamptz)) "
            f"else try_cast({value} as timestamp) end"
        )
    if column.type == "integer":
        return (
            f"case when regexp_matches({value}, '{_INTEGER_PATTERN}') "
            f"then try_cast(try_cast({value} as decimal(38, 6)) as integer) end"
        )
    if column.type == "decimal(18, 2)":
        return f"try_cast({value} as decimal(18, 2))"
    return text


def _defect(rule: str, detail_sql: str) -> str:
    return f"{{'rule': '{rule}', 'detail': {detail_sql}}}"


def column_defect_sql(column: Column, text: str, prefix_sql: str = "''") -> str:
    """SQL giving a {rule, detail} struct when the value is missing or does not cast, else NULL.

    `prefix_sql` is a SQL string expression opening the detail (which line item).
    """
    missing = f"nullif(trim({text}), '') is null"
    checks = []
    if column.required:
        detail = f"{prefix_sql} || '{column.name} is missing'"
        checks.append(f"when {missing} then {_defect('missing_' + column.name, detail)}")
    if column.type != "varchar":
        shown = f"left({text}, 80)"
        detail = (
            f"{prefix_sql} || '{column.name} ' || to_json({shown}) || "
            f"' is not {_TYPE_WORDS[column.type]}'"
        )
        checks.append(
            f"when not {missing} and ({typed_value(column, text)}) is null "
            f"then {_defect('invalid_' + column.name, detail)}"
        )
    if not checks:
        return "null"
    return "case " + " ".join(checks) + " end"


def columns_ok_sql(columns: tuple[Column, ...], prefix: str) -> str:
    """SQL true when no column has a defect: the cheap test run before building messages."""
    conditions = []
    for column in columns:
        text = f"{prefix}{column.name}"
        present = f"nullif(trim({text}), '') is not null"
        if column.required:
            conditions.append(present)
        if column.type != "varchar":
            conditions.append(f"(not {present} or ({typed_value(column, text)}) is not null)")
    return " and ".join(conditions) or "true"


def _text_struct_spec(columns: tuple[Column, ...], extra: dict[str, str] | None = None) -> str:
    spec = {column.name: "VARCHAR" for column in columns}
    spec.update(extra or {})
    return sql_literal(json.dumps(spec))


def line_item_struct_spec(spec: SourceSpec) -> str:
    """json_transform structure reading one line item's fields as text."""
    return _text_struct_spec(spec.line_item_columns)


def _line_items_defects(spec: SourceSpec) -> str:
    """Defects of the line_items array and of each item ('line item 2: quantity ...')."""
    field = spec.line_items_field
    items = "line_items_typed"
    item_checks = ", ".join(
        column_defect_sql(column, f"item.{column.name}", "'line item ' || item_index || ': '")
        for column in spec.line_item_columns
    )
    items_ok = columns_ok_sql(spec.line_item_columns, "item.")
    missing = _defect(f"missing_{field}", f"'{field} is missing'")
    not_a_list = _defect(f"invalid_{field}", f"'{field} is not a list'")
    empty = _defect(f"missing_{field}", f"'{field} is empty (one item at least)'")
    return f"""
        case
            when line_items_json is null then [{missing}]
            when json_type(line_items_json) <> 'ARRAY' then [{not_a_list}]
            when json_array_length(line_items_json) = 0 then [{empty}]
            when list_bool_and(list_transform({items}, lambda item: {items_ok})) then []
            else list_filter(
                flatten(list_transform({items}, lambda item, item_index: [{item_checks}])),
                lambda defect: defect is not null
            )
        end
    """


def parse_sql(spec: SourceSpec, records_sql: str, batch_id: str) -> str:
    """The statement creating the parsed temp table from the records of this batch."""
    extra = {spec.line_items_field: "JSON"} if spec.line_items_field else None
    struct = _text_struct_spec(spec.columns, extra)
    typed = ",\n".join(
        f"{typed_value(column, f'fields.{column.name}')} as {column.name}"
        for column in spec.columns
    )
    defects = ", ".join(
        column_defect_sql(column, f"fields.{column.name}") for column in spec.columns
    )
    line_items_select = ""
    line_items_defects = "[]"
    items_column = ""
    typed_items_select = ""
    if spec.line_items_field:
        # Parquet writers may store the array as a JSON string; read it as the array it holds
        line_items_select = f""",
            case
                when json_type(fields.{spec.line_items_field}) = 'VARCHAR'
                    and json_valid(fields.{spec.line_items_field} ->> '$')
                    then (fields.{spec.line_items_field} ->> '$')::json
                else fields.{spec.line_items_field}
            end as line_items_json"""
        line_items_defects = _line_items_defects(spec)
        item_struct = line_item_struct_spec(spec)[1:-1]
        typed_items_select = (
            f", json_transform(line_items_json, '[{item_struct}]') as line_items_typed"
        )
        items_column = f"\n                line_items_json::varchar as {spec.line_items_field},"
    unparseable = _defect(
        "unparseable_line",
        "case when json_valid(raw_record) then 'is JSON but not an object' "
        "else 'is not valid JSON' end",
    )
    header_ok = columns_ok_sql(spec.columns, "fields.")
    key = spec.key
    return f"""
        create or replace temp table {PARSED_TABLE} as
        with

        records as ({records_sql}),

        objects as (
            select
                *,
                md5(raw_record) as record_hash,
                coalesce(
                    case when json_valid(raw_record) then json_type(raw_record) end = 'OBJECT',
                    false
                ) as is_object
            from records
        ),

        extracted as (
            select
                *,
                case when is_object then json_transform(raw_record, {struct}) end as fields
            from objects
        ),

        with_items as (
            select *{line_items_select}
            from extracted
        ),

        with_typed_items as (
            select *{typed_items_select}
            from with_items
        ),

        typed as (
            select
                file_name,
                row_number,
                row_label,
                raw_record,
                record_hash,
                fields.{key} as record_key,
                {typed},{items_column}
                case
                    when not is_object then [{unparseable}]
                    when {header_ok} then {line_items_defects}
                    else list_filter(
                        [{defects}] || {line_items_defects}, lambda defect: defect is not null
                    )
                end as defects
            from with_typed_items
        ),

        flagged as (
            select
                *,
                len(defects) = 0 and (
                    record_hash in (
                        select record_hash from {LOADED_RECORDS_TABLE}
                        where source = {sql_literal(spec.name)}
                    )
                    or row_number() over (
                        partition by record_hash, len(defects) = 0
                        order by file_name, row_number
                    ) > 1
                ) as is_duplicate
            from typed
        )

        select
            *,
            {sql_literal(batch_id)} as batch_id
        from flagged
    """
