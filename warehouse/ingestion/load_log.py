"""Rows of raw_meta.load_log: one per file and attempt (loaded, rejected, blocked, conflict)."""

from __future__ import annotations

import duckdb

from warehouse.ingestion.schema import LOAD_LOG_TABLE

# the warehouse stores UTC wall-clock timestamps, whatever the session's time zone
NOW_UTC = "timezone('UTC', now())"

# batch_id, source, file_name, file_sha256, status, rows_read, rows_loaded, rows_quarantined,
# rows_duplicate, message
LoadLogRow = tuple[str, str, str, str, str, int, int, int, int, str | None]


def write_load_log(con: duckdb.DuckDBPyConnection, rows: list[LoadLogRow]) -> None:
    """Append load-log rows (inside the caller's transaction)."""
    if rows:
        con.executemany(
            f"insert into {LOAD_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {NOW_UTC})", rows
        )
