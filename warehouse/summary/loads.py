"""What the load log says about the files loaded: per source, per run, and what was left out.

Counts come from raw_meta.load_log, where every loaded file satisfies
rows_read = rows_loaded + rows_quarantined + rows_duplicate; `SourceCounts.adds_up` re-checks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from warehouse.ingestion.schema import LOAD_LOG_TABLE as LOAD_LOG
from warehouse.sources import SOURCES


@dataclass(frozen=True)
class SourceCounts:
    """Rows of the loaded files of one source (one run's batches, or all of them)."""

    source: str
    files: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0

    @property
    def adds_up(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_duplicate


@dataclass(frozen=True)
class FileNote:
    """A file of this run that was not loaded: blocked by a gate, rejected, or a conflict."""

    source: str
    file_name: str
    status: str
    message: str


def _counts(
    con: duckdb.DuckDBPyConnection, where: str, params: list[Any]
) -> dict[str, SourceCounts]:
    rows = con.execute(
        f"""
        select source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined),
            sum(rows_duplicate)
        from {LOAD_LOG}
        where status = 'loaded' and {where}
        group by 1
        """,
        params,
    ).fetchall()
    found = {row[0]: SourceCounts(row[0], *(int(value or 0) for value in row[1:])) for row in rows}
    return {source: found.get(source, SourceCounts(source)) for source in SOURCES}


def load_counts(
    con: duckdb.DuckDBPyConnection, batch_ids: Iterable[str] | None = None
) -> dict[str, SourceCounts]:
    """Per source: loaded files and their rows, for the given batches or for all of them."""
    if batch_ids is None:
        return _counts(con, "true", [])
    return _counts(con, "batch_id in (select unnest(?))", [list(batch_ids)])


def file_notes(con: duckdb.DuckDBPyConnection, batch_ids: Iterable[str]) -> list[FileNote]:
    rows = con.execute(
        f"""
        select source, file_name, status, coalesce(message, '')
        from {LOAD_LOG}
        where status != 'loaded' and batch_id in (select unnest(?))
        order by source, file_name
        """,
        [list(batch_ids)],
    ).fetchall()
    return [FileNote(*map(str, row)) for row in rows]


def quarantine_by_rule(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(source, rule, rows) over every quarantine table, largest first."""
    selects = [
        f"select '{name}' as source, rejection_reason as rule, count(*) as row_count "
        f"from {spec.quarantine_table} group by 1, 2"
        for name, spec in SOURCES.items()
    ]
    rows = con.execute(" union all ".join(selects) + " order by 3 desc, 1, 2").fetchall()
    return [(str(source), str(rule), int(count)) for source, rule, count in rows]


def raw_tables() -> list[str]:
    tables = []
    for spec in SOURCES.values():
        tables += [spec.raw_table, spec.raw_lines_table, spec.raw_history_table]
    return [table for table in tables if table]


def raw_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = {}
    for table in raw_tables():
        row = con.execute(f"select count(*) from {table}").fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts
