"""stage_new_files: parse the new landing files of a source into its staged batch tables.

Reading and parsing happen in temp tables first (a DuckDB error aborts a transaction, and an
unreadable file must not stop the others); every write to the warehouse is one transaction.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.connection import drop_tables, transaction
from warehouse.ingestion.discovery import (
    FileDefect,
    LandingFile,
    classify_files,
    discover_files,
)
from warehouse.ingestion.load_log import NOW_UTC, write_load_log
from warehouse.ingestion.parsing import (
    PARSED_TABLE,
    line_item_struct_spec,
    parse_sql,
    typed_value,
)
from warehouse.ingestion.records import (
    RECORDS_TABLE,
    check_columns,
    jsonl_records_sql,
    load_tabular_records,
)
from warehouse.ingestion.reports import FileOutcome, StageReport
from warehouse.ingestion.schema import (
    LOADER_COLUMNS,
    STAGED_FILES_TABLE,
    business_columns,
    ensure_raw_schema,
    line_columns,
)
from warehouse.sources import SourceSpec, get_source

_IS_STAGED = "len(defects) = 0 and not is_duplicate"


def _key_defects_sql(spec: SourceSpec) -> str:
    """Append-only sources: a second record with a loaded or already-staged key is quarantined
    as duplicate_key (it differs from the first, or it would be an exact duplicate)."""
    key = spec.key
    return f"""
        update {PARSED_TABLE} set defects = [{{
            'rule': 'duplicate_key',
            'detail': '{key} ' || to_json(clash.record_key) || ' was already '
                || case
                    when clash.loaded_file is not null then 'loaded from ' || clash.loaded_file
                        || case when clash.loaded_file like '%.jsonl' then ' line ' else ' row ' end
                        || clash.loaded_row
                    else 'read from ' || clash.first_file || ' ' || clash.first_label || ' '
                        || clash.first_row
                end || ' with different content'
        }}]
        from (
            select
                parsed.file_name,
                parsed.row_number,
                parsed.row_label,
                parsed.record_key,
                loaded.loaded_file,
                loaded.loaded_row,
                first_value(parsed.file_name) over by_key as first_file,
                first_value(parsed.row_number) over by_key as first_row,
                first_value(parsed.row_label) over by_key as first_label,
                row_number() over by_key as key_rank
            from {PARSED_TABLE} as parsed
            left join (
                select
                    {key},
                    min(_source_file) as loaded_file,
                    min(_source_row_number) as loaded_row
                from {spec.raw_table}
                group by 1
            ) as loaded
                on parsed.record_key = loaded.{key}
            where {_IS_STAGED}
            window by_key as (partition by parsed.record_key order by file_name, row_number)
        ) as clash
        where {PARSED_TABLE}.file_name = clash.file_name
            and {PARSED_TABLE}.row_number = clash.row_number
            and (clash.loaded_file is not null or clash.key_rank > 1)
    """


def _replace_staged(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    header = [name for name, _ in business_columns(spec)]
    items = [spec.line_items_field] if spec.line_items_field else []
    business = [*header, *items]
    loader = [name for name, _ in LOADER_COLUMNS]
    con.execute(f"delete from {spec.staged_table}")
    con.execute(
        f"""
        insert into {spec.staged_table}
            ({", ".join([*business, *loader, "_raw_record", "_record_hash"])})
        select {", ".join(business)}, batch_id, file_name, row_number, {NOW_UTC},
            raw_record, record_hash
        from {PARSED_TABLE}
        where {_IS_STAGED}
        """
    )
    if not (spec.staged_lines_table and spec.line_items_field):
        return
    lines = [name for name, _ in line_columns(spec)]
    typed_items = ", ".join(
        f"{typed_value(column, f'item.{column.name}')} as {column.name}"
        for column in spec.line_item_columns
    )
    con.execute(f"delete from {spec.staged_lines_table}")
    con.execute(
        f"""
        insert into {spec.staged_lines_table} ({", ".join([*lines, *loader, "_raw_record"])})
        select {spec.key}, line_number, {typed_items},
            _batch_id, _source_file, _source_row_number, _loaded_at, item_json
        from (
            select
                *,
                json_transform(item_json, {line_item_struct_spec(spec)}) as item
            from (
                select
                    {spec.key}, _batch_id, _source_file, _source_row_number, _loaded_at,
                    unnest(json_transform({spec.line_items_field}, '["JSON"]'))::varchar
                        as item_json,
                    generate_subscripts(json_transform({spec.line_items_field}, '["JSON"]'), 1)
                        as line_number
                from {spec.staged_table}
            )
        )
        """
    )


def _write_quarantine(con: duckdb.DuckDBPyConnection, spec: SourceSpec, names: list[str]) -> None:
    # quarantine rows of a file that never loaded (blocked, crashed) are provisional: a retry of
    # the file replaces them, so a record is never quarantined twice
    con.execute(
        f"delete from {spec.quarantine_table} where _source_file in (select unnest(?))", [names]
    )
    con.execute(
        f"""
        insert into {spec.quarantine_table}
        select
            batch_id, file_name, row_number, record_key,
            defects[1].rule,
            file_name || ' ' || row_label || ' ' || row_number || ': '
                || array_to_string(list_transform(defects, lambda defect: defect.detail), '; '),
            raw_record,
            {NOW_UTC}
        from {PARSED_TABLE}
        where len(defects) > 0
        """
    )


def _file_counts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, int, int]]:
    rows = con.execute(
        f"""
        select
            file_name,
            count(*),
            count(*) filter (where {_IS_STAGED}),
            count(*) filter (where len(defects) > 0),
            count(*) filter (where is_duplicate)
        from {PARSED_TABLE}
        group by 1
        """
    ).fetchall()
    return {str(name): (read, staged, bad, dup) for name, read, staged, bad, dup in rows}


def _parse_batch(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, files: list[LandingFile], batch_id: str
) -> dict[str, FileDefect]:
    """Fill the parsed temp table from the readable new files; returns whole-file defects."""
    defects = check_columns(con, spec, files)
    defects |= load_tabular_records(con, [file for file in files if file.name not in defects])
    jsonl = [file.path for file in files if file.format == "jsonl" and file.name not in defects]
    records = f"{jsonl_records_sql(jsonl)} union all select * from {RECORDS_TABLE}"
    con.execute(parse_sql(spec, records, batch_id))
    if spec.merge == "append":
        con.execute(_key_defects_sql(spec))
    return defects


def stage_new_files(
    con: duckdb.DuckDBPyConnection, source: str, landing_dir: Path | str, batch_id: str
) -> StageReport:
    """Parse the source's new landing files into its staged tables (replaced: this batch only).

    Parse defects go to the quarantine table, whole-file defects to the load log as rejected,
    changed loaded files to the load log as conflict; exact duplicates are counted, not staged.
    """
    spec = get_source(source)
    ensure_raw_schema(con)
    files = classify_files(con, spec, discover_files(Path(landing_dir) / spec.landing_folder))
    new = [file for file in files if file.state == "new"]
    defects = {file.name: file.defect for file in new if file.defect is not None}
    readable = [file for file in new if file.name not in defects]
    defects |= _parse_batch(con, spec, readable, batch_id)
    counts = _file_counts(con)

    outcomes: list[FileOutcome] = []
    log_rows: list[tuple[str, str, str, str]] = []  # file, sha256, status, message
    manifest: list[tuple[str, str, int, int, int]] = []
    for file in files:
        if file.state == "conflict" and file.defect is not None:
            outcomes.append(FileOutcome(file.name, "conflict", message=file.defect.message))
            if not file.logged_conflict:
                log_rows.append((file.name, file.sha256, "conflict", file.defect.message))
        elif file.state != "new":
            outcomes.append(FileOutcome(file.name, file.state))
        elif file.name in defects:
            message = defects[file.name].message
            outcomes.append(FileOutcome(file.name, "rejected", message=message))
            log_rows.append((file.name, file.sha256, "rejected", message))
        else:
            read, rows_staged, bad, dup = counts.get(file.name, (0, 0, 0, 0))
            outcomes.append(FileOutcome(file.name, "staged", read, rows_staged, bad, dup))
            manifest.append((file.name, file.sha256, read, bad, dup))

    try:
        with transaction(con):
            _write_quarantine(con, spec, [file.name for file in new])
            _replace_staged(con, spec)
            con.execute(f"delete from {STAGED_FILES_TABLE} where source = ?", [spec.name])
            if manifest:
                con.executemany(
                    f"insert into {STAGED_FILES_TABLE} values (?, ?, ?, ?, ?, ?, ?, {NOW_UTC})",
                    [(batch_id, spec.name, *row) for row in manifest],
                )
            write_load_log(
                con,
                [
                    (batch_id, spec.name, name, sha, status, 0, 0, 0, 0, msg)
                    for name, sha, status, msg in log_rows
                ],
            )
    finally:
        drop_tables(con, PARSED_TABLE, RECORDS_TABLE)
    return StageReport(spec.name, batch_id, outcomes)
