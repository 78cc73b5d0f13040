"""Write the rows a gate rejected into the source's quarantine table, set-based.

A quarantined record is identified like a staged one, `(_batch_id, _source_file,
_source_row_number)`; `merge_staged` leaves it out. An order line's failure quarantines its
order version (same identity) with the line number in `rejection_detail`. Re-running the gate on
the same batch replaces its own earlier rows, so a retried step does not count a row twice.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from warehouse.gates.frames import GateTarget, table_columns
from warehouse.gates.results import FAILURE_COLUMNS


def clear_gate_rows(
    con: duckdb.DuckDBPyConnection, quarantine_table: str, batch_id: str, rules: list[str]
) -> None:
    """Remove this batch's earlier gate rows (never the loader's parse rejections)."""
    con.execute(
        f"delete from {quarantine_table}"
        " where _batch_id = ? and list_contains(?, rejection_reason)",
        [batch_id, rules],
    )


def write_failures(
    con: duckdb.DuckDBPyConnection,
    quarantine_table: str,
    target: GateTarget,
    batch_id: str,
    failures: pd.DataFrame,
    quarantined_at: dt.datetime,
) -> int:
    """Insert one quarantine row per (failing row, rule), with the record's source text from the
    staged table. Returns the number of rows written."""
    if failures.empty:
        return 0
    columns = table_columns(con, target.table)
    raw = "staged._raw_record" if "_raw_record" in columns else "null"
    match_line = " and staged.line_number = failures.line_number" if target.line_level else ""
    gate_failures = failures[[*FAILURE_COLUMNS, "rule"]].astype(
        {"line_number": "Int64", "record_key": pd.StringDtype()}
    )
    con.register("gate_failures", gate_failures)
    try:
        con.execute(
            f"""
            insert into {quarantine_table} (
                _batch_id, _source_file, _source_row_number, record_key,
                rejection_reason, rejection_detail, raw_record, _quarantined_at
            )
            select ?, failures._source_file, failures._source_row_number, failures.record_key,
                failures.rule, failures.detail, {raw}, ?
            from gate_failures as failures
            left join {target.table} as staged
                on staged._batch_id = ?
                and staged._source_file = failures._source_file
                and staged._source_row_number = failures._source_row_number{match_line}
            """,
            [batch_id, quarantined_at, batch_id],
        )
    finally:
        con.unregister("gate_failures")
    return len(gate_failures)
