"""The staged batch as pandas frames for GX, in chunks when it is large.

GX's SQL datasource returns empty metrics on DuckDB (GX issues 10738, 11579), so the batch is
pulled into pandas. The batch with its computed columns is first written to a temporary table
(computed columns see the whole batch), then read back chunk by chunk: a chunk is the rows whose
`chunk_column` hashes to it, so a 10M-row first load never sits in pandas at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from warehouse.gates.targets import GateTarget

# rows of the first staged table per chunk: 1M orders + 1.5M lines peak at 1.6 GB RSS in 4 chunks
# (1.8 GB in one), and a 10M-row first load stays near that instead of growing tenfold
CHUNK_ROWS = 250_000
# loader columns the validation does not need: the source text stays in DuckDB (quarantine
# reads it there) so a large batch does not carry it through pandas
_LEFT_IN_DUCKDB = ("_raw_record", "_record_hash", "_loaded_at", "line_items")
# pandas' nanosecond range, which GX's vectorised datetime comparison needs
_PANDAS_MIN = "timestamp '1677-09-22 00:00:00'"
_PANDAS_MAX = "timestamp '2262-04-11 00:00:00'"


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a table, in table order."""
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return {row[0]: row[1] for row in rows}


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
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            converted[str(column)] = pd.StringDtype()
        elif pd.api.types.is_datetime64_dtype(dtype):
            converted[str(column)] = "datetime64[ns]"
        elif pd.api.types.is_integer_dtype(dtype):
            has_nulls = bool(frame[column].isna().any())
            converted[str(column)] = pd.Int64Dtype() if has_nulls else "int64"
    return frame.astype(converted) if converted else frame


def _work_table(target: GateTarget) -> str:
    return f"_gate_{target.suite}"


def _batch_rows(after_quarantine: str | None) -> str:
    """The batch's staged rows, less the records already quarantined when asked."""
    where = " where staged._batch_id = $batch_id"
    if after_quarantine:
        where += (
            f" and not exists (select 1 from {after_quarantine} as quarantine"
            " where quarantine._batch_id = staged._batch_id"
            " and quarantine._source_file = staged._source_file"
            " and quarantine._source_row_number = staged._source_row_number)"
        )
    return where


def _stage_sql(
    con: duckdb.DuckDBPyConnection,
    target: GateTarget,
    chunks: int,
    needed: set[str] | None,
    after_quarantine: str | None,
) -> str:
    columns = table_columns(con, target.table)
    kept = [
        _select(name, sql_type)
        for name, sql_type in columns.items()
        if name not in _LEFT_IN_DUCKDB and (needed is None or name in needed)
    ]
    computed = [
        column
        for column in target.computed
        if all(c in columns for c in column.needs) and (needed is None or column.name in needed)
    ]
    chunk_of = target.chunk_column if target.chunk_column in columns else "_source_row_number"
    selected = [
        *kept,
        *(f"{column.sql} as {column.name}" for column in computed),
        f"hash(cast(staged.{chunk_of} as varchar)) % {chunks} as _gate_chunk",
    ]
    joins = "".join(f" {column.join}" for column in computed if column.join)
    return f"select {', '.join(selected)} from {target.table} as staged{joins}" + _batch_rows(
        after_quarantine
    )


class BatchFrames:
    """The staged batch of one source, ready to be read chunk by chunk."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        targets: tuple[GateTarget, ...],
        referral_code_pattern: str,
    ):
        self.con = con
        self.targets = targets
        self.referral_code_pattern = referral_code_pattern
        self.rows: dict[str, int] = {}
        self.chunks = 1

    def stage(
        self,
        batch_id: str,
        chunk_rows: int,
        needed: dict[str, set[str]] | None = None,
        after_quarantine: str | None = None,
    ) -> None:
        """Write the batch's frames to temporary tables, split into chunks of ~`chunk_rows`.

        `needed`: per suite, the only columns to read. `after_quarantine`: leave out the records
        this quarantine table already holds for the batch (what merge_staged would leave out).
        """
        self.drop()
        first = self.targets[0]  # orders for the orders gate: it decides how many chunks
        (rows,) = self.con.execute(
            f"select count(*) from {first.table} as staged" + _batch_rows(after_quarantine),
            {"batch_id": batch_id},
        ).fetchone()  # type: ignore[misc]
        self.chunks = max(1, math.ceil(rows / chunk_rows))
        self.rows = {}
        for target in self.targets:
            only = needed.get(target.suite) if needed is not None else None
            sql = _stage_sql(self.con, target, self.chunks, only, after_quarantine)
            parameters = {"batch_id": batch_id}
            if "$referral_code_pattern" in sql:
                parameters["referral_code_pattern"] = self.referral_code_pattern
            self.con.execute(
                f"create or replace temp table {_work_table(target)} as {sql}", parameters
            )
            (self.rows[target.suite],) = self.con.execute(
                f"select count(*) from {_work_table(target)}"
            ).fetchone()  # type: ignore[misc]

    def frame(self, target: GateTarget, chunk: int) -> pd.DataFrame:
        """The rows of one chunk, typed for GX and indexed by `file:line` (order lines:
        `file:line line n`), the labels GX reports failing rows and Data Docs show them by."""
        frame = _for_gx(
            self.con.execute(
                f"select * exclude (_gate_chunk) from {_work_table(target)} where _gate_chunk = ?",
                [chunk],
            ).df()
        )
        if "_source_file" in frame and "_source_row_number" in frame:
            label = (
                frame["_source_file"].astype(str) + ":" + frame["_source_row_number"].astype(str)
            )
            if "line_number" in frame:
                label = label + " line " + frame["line_number"].astype(str)
            if not label.is_unique:  # a loader bug, but the labels must still tell rows apart
                label = label + "#" + label.groupby(label).cumcount().astype(str)
            frame.index = pd.Index(label.astype(object), name=None)
        return frame

    def drop(self) -> None:
        for target in self.targets:
            self.con.execute(f"drop table if exists {_work_table(target)}")


@contextmanager
def batch_frames(
    con: duckdb.DuckDBPyConnection, targets: tuple[GateTarget, ...], referral_code_pattern: str
) -> Iterator[BatchFrames]:
    """Frames staged in temporary tables for the time of a validation, dropped afterwards."""
    frames = BatchFrames(con, targets, referral_code_pattern)
    try:
        yield frames
    finally:
        frames.drop()
