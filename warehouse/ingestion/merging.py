"""merge_staged and record_blocked_batch: the end of a batch, written to the load log.

A staged row is merged unless a quarantine row of the same batch names its file and row (parse
defects from staging, or expectation failures added by the gate after staging).
"""

from __future__ import annotations

import duckdb

from warehouse.connection import drop_tables, transaction
from warehouse.ingestion.load_log import NOW_UTC, LoadLogRow, write_load_log
from warehouse.ingestion.reports import FileLoad, LoadReport
from warehouse.ingestion.schema import (
    LOAD_LOG_TABLE,
    LOADED_RECORDS_TABLE,
    LOADER_COLUMNS,
    STAGED_FILES_TABLE,
    business_columns,
    ensure_raw_schema,
    line_columns,
)
from warehouse.sources import SourceSpec, get_source

_ACCEPTED = "_merge_accepted"  # temp: staged rows of the batch that are not quarantined
_CURRENT = "_merge_current"  # temp: accepted rows that become the current row of their key
_SAME_RECORD = (
    "{a}._batch_id = {b}._batch_id and {a}._source_file = {b}._source_file "
    "and {a}._source_row_number = {b}._source_row_number"
)
_LOADER = ", ".join(name for name, _ in LOADER_COLUMNS)


def _pending_files(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, batch_id: str
) -> list[tuple[str, str, int, int]]:
    """Files staged in this batch and not loaded yet: name, sha256, rows read, duplicates."""
    rows = con.execute(
        f"""
        select file_name, file_sha256, rows_read, rows_duplicate
        from {STAGED_FILES_TABLE}
        where batch_id = ? and source = ?
            and file_name not in (
                select file_name from {LOAD_LOG_TABLE} where source = ? and status = 'loaded'
            )
        order by file_name
        """,
        [batch_id, spec.name, spec.name],
    ).fetchall()
    return [(str(name), str(sha), int(read), int(dup)) for name, sha, read, dup in rows]


def _quarantined_rows(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, batch_id: str
) -> dict[str, int]:
    # the gate may quarantine one record under several expectations: count records, not rows
    rows = con.execute(
        f"""
        select _source_file, count(distinct _source_row_number)
        from {spec.quarantine_table}
        where _batch_id = ?
        group by 1
        """,
        [batch_id],
    ).fetchall()
    return {str(name): int(count) for name, count in rows}


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"select count(*) from {table}").fetchall()[0][0])


def _insert_current(con: duckdb.DuckDBPyConnection, spec: SourceSpec, columns: str) -> None:
    """Replace the raw rows of every key in the current temp table by that table's rows."""
    con.execute(
        f"delete from {spec.raw_table} where {spec.key} in (select {spec.key} from {_CURRENT})"
    )
    con.execute(
        f"insert into {spec.raw_table} ({columns}, {_LOADER}) "
        f"select {columns}, _batch_id, _source_file, _source_row_number, {NOW_UTC} from {_CURRENT}"
    )


def _merge_order_versions(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> int:
    """Every version to history; the latest updated_at (then later file, line) becomes current."""
    assert spec.raw_history_table and spec.raw_lines_table and spec.staged_lines_table
    header = ", ".join(name for name, _ in business_columns(spec))
    con.execute(
        f"insert into {spec.raw_history_table} ({header}, {spec.line_items_field}, {_LOADER}) "
        f"select {header}, {spec.line_items_field}, _batch_id, _source_file, "
        f"_source_row_number, {NOW_UTC} from {_ACCEPTED}"
    )
    # rank a narrow projection, then fetch the winning rows: ranking whole rows is ~3x slower
    con.execute(
        f"""
        create or replace temp table {_CURRENT} as
        with

        newest as (
            select {spec.key}, updated_at, _source_file, _source_row_number
            from (
                select
                    {spec.key}, updated_at, _source_file, _source_row_number,
                    row_number() over (
                        partition by {spec.key}
                        order by updated_at desc, _source_file desc, _source_row_number desc
                    ) as version_rank
                from {_ACCEPTED}
            )
            where version_rank = 1
        ),

        winners as (
            select newest._source_file, newest._source_row_number
            from newest
            left join {spec.raw_table} as current_row
                on newest.{spec.key} = current_row.{spec.key}
            -- a version older than the current one arrived late: history only
            where current_row.{spec.key} is null
                or (newest.updated_at, newest._source_file, newest._source_row_number)
                    > (current_row.updated_at, current_row._source_file,
                       current_row._source_row_number)
        )

        select accepted.*
        from {_ACCEPTED} as accepted
        inner join winners
            on accepted._source_file = winners._source_file
            and accepted._source_row_number = winners._source_row_number
        """
    )
    _insert_current(con, spec, header)
    lines = ", ".join(f"lines.{name}" for name, _ in line_columns(spec))
    con.execute(
        f"delete from {spec.raw_lines_table} "
        f"where {spec.key} in (select {spec.key} from {_CURRENT})"
    )
    con.execute(
        f"""
        insert into {spec.raw_lines_table}
        select {lines}, lines._batch_id, lines._source_file, lines._source_row_number, {NOW_UTC}
        from {spec.staged_lines_table} as lines
        inner join {_CURRENT} as current_row
            on {_SAME_RECORD.format(a="lines", b="current_row")}
        """
    )
    return _count(con, _CURRENT)


def _merge_latest_wins(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> int:
    """The newest load wins per key; within a batch the later file, then the later row."""
    columns = ", ".join(name for name, _ in business_columns(spec))
    con.execute(
        f"""
        create or replace temp table {_CURRENT} as
        select * from {_ACCEPTED}
        qualify row_number() over (
            partition by {spec.key} order by _source_file desc, _source_row_number desc
        ) = 1
        """
    )
    _insert_current(con, spec, columns)
    return _count(con, _CURRENT)


def _merge_append(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> int:
    """Events are immutable: append (staging already quarantined keys seen before)."""
    columns = ", ".join(name for name, _ in business_columns(spec))
    con.execute(
        f"insert into {spec.raw_table} ({columns}, {_LOADER}) "
        f"select {columns}, _batch_id, _source_file, _source_row_number, {NOW_UTC} "
        f"from {_ACCEPTED}"
    )
    return _count(con, _ACCEPTED)


def merge_staged(con: duckdb.DuckDBPyConnection, source: str, batch_id: str) -> LoadReport:
    """Merge the batch's staged rows that are not quarantined into the raw tables, in one
    transaction, and log each file as loaded; a batch already merged changes nothing."""
    spec = get_source(source)
    ensure_raw_schema(con)
    pending = _pending_files(con, spec, batch_id)
    if not pending:
        return LoadReport(spec.name, batch_id)
    names = [name for name, *_ in pending]
    try:
        with transaction(con):
            con.execute(
                f"""
                create or replace temp table {_ACCEPTED} as
                select staged.* exclude (_raw_record)
                from {spec.staged_table} as staged
                where staged._batch_id = ?
                    and staged._source_file in (select unnest(?))
                    and not exists (
                        select 1 from {spec.quarantine_table} as quarantine
                        where {_SAME_RECORD.format(a="quarantine", b="staged")}
                    )
                """,
                [batch_id, names],
            )
            merge = {
                "order_versions": _merge_order_versions,
                "latest_wins": _merge_latest_wins,
                "append": _merge_append,
            }[spec.merge]
            current_changed = merge(con, spec)
            con.execute(
                f"insert into {LOADED_RECORDS_TABLE} select ?, _record_hash, _batch_id, "
                f"_source_file, _source_row_number from {_ACCEPTED}",
                [spec.name],
            )
            loaded = dict(
                con.execute(f"select _source_file, count(*) from {_ACCEPTED} group by 1").fetchall()
            )
            quarantined = _quarantined_rows(con, spec, batch_id)
            files, log_rows = [], []
            for name, sha256, read, duplicate in pending:
                file = FileLoad(
                    name, read, int(loaded.get(name, 0)), quarantined.get(name, 0), duplicate
                )
                if file.rows_read != file.rows_loaded + file.rows_quarantined + file.rows_duplicate:
                    raise RuntimeError(
                        f"{spec.name} batch {batch_id}, {name}: rows do not add up (read "
                        f"{file.rows_read} != loaded {file.rows_loaded} + quarantined "
                        f"{file.rows_quarantined} + duplicate {file.rows_duplicate}); "
                        "nothing merged"
                    )
                files.append(file)
                log_rows.append(_log_row(batch_id, spec, sha256, file, "loaded", None))
            write_load_log(con, log_rows)
            con.execute(
                f"delete from {STAGED_FILES_TABLE} where batch_id = ? and source = ?",
                [batch_id, spec.name],
            )
    finally:
        drop_tables(con, _ACCEPTED, _CURRENT)
    return LoadReport(spec.name, batch_id, files, current_changed)


def _log_row(
    batch_id: str, spec: SourceSpec, sha256: str, file: FileLoad, status: str, message: str | None
) -> LoadLogRow:
    return (
        batch_id,
        spec.name,
        file.file_name,
        sha256,
        status,
        file.rows_read,
        file.rows_loaded,
        file.rows_quarantined,
        file.rows_duplicate,
        message,
    )


def record_blocked_batch(
    con: duckdb.DuckDBPyConnection, source: str, batch_id: str, message: str
) -> None:
    """Log the batch's staged files as blocked by a gate; they stay unloaded, so the next run
    retries them (a corrected file, or the same one under a changed suite)."""
    spec = get_source(source)
    ensure_raw_schema(con)
    pending = _pending_files(con, spec, batch_id)
    quarantined = _quarantined_rows(con, spec, batch_id)
    rows = [
        _log_row(
            batch_id,
            spec,
            sha256,
            FileLoad(name, read, 0, quarantined.get(name, 0), duplicate),
            "blocked",
            f"{name}: blocked by the gate: {message}",
        )
        for name, sha256, read, duplicate in pending
    ]
    with transaction(con):
        write_load_log(con, rows)
        con.execute(
            f"delete from {STAGED_FILES_TABLE} where batch_id = ? and source = ?",
            [batch_id, spec.name],
        )
