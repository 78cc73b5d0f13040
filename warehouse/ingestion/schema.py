"""The raw, staged, quarantine and load-log tables, created from the source specs.

Every statement is `if not exists`, so any step may call `ensure_raw_schema` first; the column
lists are the landing contract (docs/landing-contract.md, "What the warehouse keeps").
"""

from __future__ import annotations

import duckdb

from warehouse.sources import SOURCES, SourceSpec

LOADER_COLUMNS = (
    ("_batch_id", "varchar"),
    ("_source_file", "varchar"),
    ("_source_row_number", "bigint"),
    ("_loaded_at", "timestamp"),
)
# staged rows also keep their source text, and its md5 to find exact duplicates
STAGED_EXTRA_COLUMNS = (("_raw_record", "varchar"), ("_record_hash", "varchar"))

QUARANTINE_COLUMNS = (
    ("_batch_id", "varchar"),
    ("_source_file", "varchar"),
    ("_source_row_number", "bigint"),
    ("record_key", "varchar"),
    ("rejection_reason", "varchar"),
    ("rejection_detail", "varchar"),
    ("raw_record", "varchar"),
    ("_quarantined_at", "timestamp"),
)

LOAD_LOG_TABLE = "raw_meta.load_log"
LOAD_LOG_COLUMNS = (
    ("batch_id", "varchar"),
    ("source", "varchar"),
    ("file_name", "varchar"),
    ("file_sha256", "varchar"),
    ("status", "varchar"),
    ("rows_read", "bigint"),
    ("rows_loaded", "bigint"),
    ("rows_quarantined", "bigint"),
    ("rows_duplicate", "bigint"),
    ("message", "varchar"),
    ("logged_at", "timestamp"),
)

# the files of the batch waiting between stage_new_files and merge_staged / record_blocked_batch
STAGED_FILES_TABLE = "raw_meta.staged_files"
STAGED_FILES_COLUMNS = (
    ("batch_id", "varchar"),
    ("source", "varchar"),
    ("file_name", "varchar"),
    ("file_sha256", "varchar"),
    ("rows_read", "bigint"),
    ("rows_quarantined", "bigint"),
    ("rows_duplicate", "bigint"),
    ("staged_at", "timestamp"),
)

# md5 of every record ever loaded per source: an exact copy arriving later is a duplicate, even
# when the raw table no longer holds it (a referral code overwritten by a later file)
LOADED_RECORDS_TABLE = "raw_meta.loaded_records"
LOADED_RECORDS_COLUMNS = (
    ("source", "varchar"),
    ("record_hash", "varchar"),
    ("batch_id", "varchar"),
    ("file_name", "varchar"),
    ("row_number", "bigint"),
)

Columns = tuple[tuple[str, str], ...]


def business_columns(spec: SourceSpec) -> Columns:
    """The typed landing columns of a source's main table (orders: the header fields)."""
    return tuple((column.name, column.type) for column in spec.columns)


def line_columns(spec: SourceSpec) -> Columns:
    """The business columns of a lines table (raw_shop.order_lines): key, position, item."""
    items = tuple((column.name, column.type) for column in spec.line_item_columns)
    return ((spec.key, "varchar"), ("line_number", "integer"), *items)


def table_columns(spec: SourceSpec) -> dict[str, Columns]:
    """Every table of one source with its columns, in creation order."""
    header = business_columns(spec)
    tables: dict[str, Columns] = {
        spec.raw_table: (*header, *LOADER_COLUMNS),
    }
    if spec.line_items_field:
        items = ((spec.line_items_field, "varchar"),)  # JSON text of the line items
        tables[spec.staged_table] = (*header, *items, *LOADER_COLUMNS, *STAGED_EXTRA_COLUMNS)
    else:
        tables[spec.staged_table] = (*header, *LOADER_COLUMNS, *STAGED_EXTRA_COLUMNS)
    tables[spec.quarantine_table] = QUARANTINE_COLUMNS
    if spec.raw_lines_table and spec.staged_lines_table:
        lines = line_columns(spec)
        tables[spec.raw_lines_table] = (*lines, *LOADER_COLUMNS)
        tables[spec.staged_lines_table] = (*lines, *LOADER_COLUMNS, ("_raw_record", "varchar"))
    if spec.raw_history_table and spec.line_items_field:
        items = ((spec.line_items_field, "varchar"),)
        tables[spec.raw_history_table] = (*header, *items, *LOADER_COLUMNS)
    return tables


def _create_table(con: duckdb.DuckDBPyConnection, name: str, columns: Columns) -> None:
    column_sql = ", ".join(f"{column} {sql_type}" for column, sql_type in columns)
    con.execute(f"create table if not exists {name} ({column_sql})")


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw, staged, quarantine and load-log table that does not exist yet."""
    schemas = {"raw_meta", *(spec.schema for spec in SOURCES.values())}
    for schema in sorted(schemas):
        con.execute(f"create schema if not exists {schema}")
    _create_table(con, LOAD_LOG_TABLE, LOAD_LOG_COLUMNS)
    _create_table(con, STAGED_FILES_TABLE, STAGED_FILES_COLUMNS)
    _create_table(con, LOADED_RECORDS_TABLE, LOADED_RECORDS_COLUMNS)
    for spec in SOURCES.values():
        for name, columns in table_columns(spec).items():
            _create_table(con, name, columns)
