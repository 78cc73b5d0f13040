"""Landing files -> one record per line/row as JSON text, whatever the format.

JSON Lines are split in SQL; CSV and Parquet rows are turned into JSON objects, so one parser
(parsing.py) types and checks every source. A file DuckDB cannot read at all is reported as a
whole-file defect instead of failing the batch.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from warehouse.ingestion.discovery import FileDefect, LandingFile
from warehouse.sources import SourceSpec

RECORDS_TABLE = "_ingest_records"  # temp table: file_name, row_number, row_label, raw_record
_FILE_COLUMN = "_landing_file"


def sql_literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _path_list(paths: list[Path]) -> str:
    return "[" + ", ".join(sql_literal(str(path)) for path in paths) + "]"


def jsonl_records_sql(paths: list[Path]) -> str:
    """Every non-blank line of the JSON Lines files, numbered from 1 as in an editor."""
    if not paths:
        return (
            "select null::varchar as file_name, null::bigint as row_number, "
            "null::varchar as row_label, null::varchar as raw_record where false"
        )
    # split once, then unnest the list column; rtrim()/trim() on long lines are ~10x slower than
    # suffix()/regexp_matches(), which matters at a million lines
    return f"""
        select
            file_name,
            row_number,
            'line' as row_label,
            case
                -- a UTF-8 BOM may open the first line
                when row_number = 1 and starts_with(raw_line, chr(65279))
                    then substr(raw_line, 2)
                else raw_line
            end as raw_record
        from (
            select
                file_name,
                row_number,
                -- CRLF files leave a CR at the end of each line
                case when suffix(line, chr(13)) then line[:-2] else line end as raw_line
            from (
                select
                    file_name,
                    unnest(lines) as line,
                    generate_subscripts(lines, 1) as row_number
                from (
                    select
                        parse_filename(filename) as file_name,
                        string_split(content, chr(10)) as lines
                    from read_text({_path_list(paths)})
                )
            )
        )
        where regexp_matches(raw_line, '\\S')
    """


def _columns_of(con: duckdb.DuckDBPyConnection, relation_sql: str) -> list[str]:
    return [str(column[0]) for column in con.execute(f"{relation_sql} limit 0").description]


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_json(columns: list[str]) -> str:
    """A JSON object of the row's own columns (the reader's file columns left out)."""
    keep = [column for column in columns if column not in (_FILE_COLUMN, "file_row_number")]
    fields = ", ".join(f"{sql_literal(column)}: {_identifier(column)}" for column in keep)
    return f"to_json({{{fields}}})"


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's header record (the file is known to be UTF-8)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _load_csv(con: duckdb.DuckDBPyConnection, files: list[LandingFile]) -> None:
    """Files sharing one header, read with a fixed dialect.

    DuckDB's dialect sniffer may decide to skip leading rows of an irregular file, silently
    losing them; a fixed dialect and the header's own columns make such a file fail instead.
    """
    header = csv_header(files[0].path)
    columns = "{" + ", ".join(f"{sql_literal(name)}: 'VARCHAR'" for name in header) + "}"
    # a temp table keeps the file's row order, so rowid numbers the rows deterministically
    con.execute(
        f"""
        create or replace temp table _ingest_csv as
        select * from read_csv(
            {_path_list([file.path for file in files])}, auto_detect = false, header = true,
            delim = ',', quote = '"', escape = '"', columns = {columns}, strict_mode = true,
            filename = '{_FILE_COLUMN}'
        )
        """
    )
    con.execute(
        f"""
        insert into {RECORDS_TABLE}
        select
            parse_filename({_FILE_COLUMN}),
            row_number() over (partition by {_FILE_COLUMN} order by rowid),
            'row',
            {_row_json(header)}
        from _ingest_csv
        """
    )
    con.execute("drop table _ingest_csv")


def _load_parquet(con: duckdb.DuckDBPyConnection, files: list[LandingFile]) -> None:
    relation = (
        f"select * from read_parquet({_path_list([file.path for file in files])}, "
        f"union_by_name = true, filename = '{_FILE_COLUMN}', file_row_number = true)"
    )
    columns = _columns_of(con, relation)
    con.execute(
        f"""
        insert into {RECORDS_TABLE}
        select parse_filename({_FILE_COLUMN}), file_row_number + 1, 'row', {_row_json(columns)}
        from ({relation})
        """
    )


def check_columns(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, files: list[LandingFile]
) -> dict[str, FileDefect]:
    """missing_column / unreadable_file for each CSV or Parquet file that has one."""
    defects: dict[str, FileDefect] = {}
    for file in files:
        if file.format == "csv":
            columns = set(csv_header(file.path))
        elif file.format == "parquet":
            relation = f"select * from read_parquet({sql_literal(str(file.path))})"
            try:
                columns = set(_columns_of(con, relation))
            except duckdb.Error as error:
                defects[file.name] = _unreadable(file, error)
                continue
        else:
            continue
        missing = [field for field in spec.required_fields if field not in columns]
        if missing:
            where = "CSV header" if file.format == "csv" else "Parquet schema"
            defects[file.name] = FileDefect(
                "missing_column",
                f"{file.name}: missing_column: the {where} lacks required column(s) "
                f"{', '.join(missing)}",
            )
    return defects


def _unreadable(file: LandingFile, error: duckdb.Error) -> FileDefect:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    # DuckDB's CSV errors put the line number and the offending line on the next lines
    reason = " | ".join(lines[:4]) if lines else type(error).__name__
    return FileDefect(
        "unreadable_file",
        f"{file.name}: unreadable_file: the {file.format} reader failed: {reason}",
    )


def _reader_groups(files: list[LandingFile]) -> list[list[LandingFile]]:
    """Files read by one statement: Parquet all together, CSV by identical header."""
    groups: dict[tuple[str, ...], list[LandingFile]] = {}
    for file in files:
        if file.format == "csv":
            groups.setdefault(("csv", *csv_header(file.path)), []).append(file)
        elif file.format == "parquet":
            groups.setdefault(("parquet",), []).append(file)
    return list(groups.values())


def load_tabular_records(
    con: duckdb.DuckDBPyConnection, files: list[LandingFile]
) -> dict[str, FileDefect]:
    """Fill the records temp table from the CSV and Parquet files; returns unreadable files.

    Each group of files is read in one statement; only when that fails are its files read one
    by one, to name the file DuckDB cannot read and still load the others.
    """
    con.execute(
        f"create or replace temp table {RECORDS_TABLE} "
        "(file_name varchar, row_number bigint, row_label varchar, raw_record varchar)"
    )
    defects: dict[str, FileDefect] = {}
    for group in _reader_groups(files):
        loader = _load_csv if group[0].format == "csv" else _load_parquet
        try:
            loader(con, group)
            continue
        except duckdb.Error:
            con.execute(
                f"delete from {RECORDS_TABLE} where file_name in (select unnest(?))",
                [[file.name for file in group]],
            )
        for file in group:
            try:
                loader(con, [file])
            except duckdb.Error as error:
                con.execute(f"delete from {RECORDS_TABLE} where file_name = ?", [file.name])
                defects[file.name] = _unreadable(file, error)
    return defects
