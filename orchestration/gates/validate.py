"""`validate_batch`: the Great Expectations gate between staging and merge for one source.

1. read the staged batch (only this batch's rows) into pandas with the computed columns,
2. validate it with the source's suite(s) and build Data Docs,
3. quarantine the failing rows of every error-severity row rule (always, even within tolerance),
4. return a GateOutcome: blocked when an error rule failed beyond its tolerance.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.gates.frames import GateTarget, batch_frame, gate_targets
from orchestration.gates.gx_runner import run_suites
from orchestration.gates.outcome import GateOutcome
from orchestration.gates.parameters import expectation_parameters
from orchestration.gates.quarantine import clear_gate_rows, write_failures
from orchestration.gates.results import ExpectationResult, failing_rows, read_result
from orchestration.gates.suites import suite_rules
from orchestration.ingestion import SOURCES, ensure_raw_schema
from orchestration.warehouse import REPO_ROOT


def default_docs_dir() -> Path:
    return REPO_ROOT / "gx_data_docs"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _index_columns(target: GateTarget, frame: pd.DataFrame) -> list[str]:
    wanted = [*target.identity_columns, target.key_column]
    return [column for column in dict.fromkeys(wanted) if column in frame.columns]


def validate_batch(
    con: duckdb.DuckDBPyConnection, source: str, batch_id: str, docs_dir: Path | None = None
) -> GateOutcome:
    """Validate the staged batch `batch_id` of `source`, quarantine its failing rows, report."""
    started = time.perf_counter()
    ensure_raw_schema(con)
    targets = gate_targets(source)
    now = _utc_now()
    frames = {target.suite: batch_frame(con, target, batch_id) for target in targets}
    rows = {suite: len(frame) for suite, frame in frames.items()}
    if not any(rows.values()):
        return GateOutcome(source, batch_id, success=True, has_warnings=False, rows_validated=rows)

    runs = run_suites(
        [(t.suite, frames[t.suite], _index_columns(t, frames[t.suite])) for t in targets],
        expectation_parameters(con, source, now),
        docs_dir or default_docs_dir(),
        run_name=f"{source}__{batch_id}",
        run_time=now,
    )

    quarantine_table = SOURCES[source].quarantine_table
    clear_gate_rows(
        con, quarantine_table, batch_id, [r.name for t in targets for r in suite_rules(t.suite)]
    )
    results: list[ExpectationResult] = []
    quarantined: dict[str, int] = {}
    identities = []
    for target, run in zip(targets, runs, strict=True):
        failures = []
        for gx_result in run.result.results:
            result = read_result(target.suite, gx_result, target.key_column)
            results.append(result)
            if result.quarantines and result.unexpected_count:
                failures.append(failing_rows(gx_result, result.name))
        if not failures:
            continue
        rejected = pd.concat(failures, ignore_index=True)
        write_failures(con, quarantine_table, target, batch_id, rejected, now)
        for rule, count in rejected["rule"].value_counts().items():
            quarantined[str(rule)] = quarantined.get(str(rule), 0) + int(count)
        identities.append(rejected[["_source_file", "_source_row_number"]])

    records = pd.concat(identities).drop_duplicates() if identities else pd.DataFrame()
    pages = {run.suite: run.docs_page for run in runs if run.docs_page is not None}
    return GateOutcome(
        source=source,
        batch_id=batch_id,
        success=not any(result.blocks for result in results),
        has_warnings=any(not r.success and r.severity == "warning" for r in results),
        results=tuple(results),
        rows_validated=rows,
        quarantined=quarantined,
        records_quarantined=len(records),
        data_docs_path=pages.get(targets[0].suite),
        data_docs_pages=pages,
        seconds=time.perf_counter() - started,
    )
