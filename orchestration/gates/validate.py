"""`validate_batch`: the Great Expectations gate between staging and merge for one source.

1. read the staged batch (this batch's rows only) with the gate's computed columns,
2. validate it with the source's suite(s), in chunks of `chunk_rows` when it is large,
3. quarantine the failing rows of every error-severity row rule (always, even within tolerance),
4. build Data Docs and return a GateOutcome, blocked when an error rule failed beyond tolerance.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.gates.frames import CHUNK_ROWS, batch_frames
from orchestration.gates.gx_runner import GxSession
from orchestration.gates.outcome import GateOutcome
from orchestration.gates.parameters import expectation_parameters
from orchestration.gates.quarantine import clear_gate_rows, write_failures
from orchestration.gates.results import ExpectationResult, failing_rows, merge_chunks, read_result
from orchestration.gates.suites import suite_rules
from orchestration.gates.targets import GateTarget, gate_targets
from orchestration.ingestion import SOURCES, ensure_raw_schema
from orchestration.warehouse import REPO_ROOT


def default_docs_dir() -> Path:
    """Where Data Docs go unless told otherwise: <repo>/gx_data_docs (gitignored)."""
    return REPO_ROOT / "gx_data_docs"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _index_columns(target: GateTarget, frame: pd.DataFrame) -> list[str]:
    wanted = [*target.identity_columns, target.key_column]
    return [column for column in dict.fromkeys(wanted) if column in frame.columns]


def _run_name(source: str, batch_id: str, chunk: int, chunks: int) -> str:
    base = f"{source}__{batch_id}"
    return base if chunks == 1 else f"{base}__chunk_{chunk + 1}_of_{chunks}"


def validate_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    batch_id: str,
    docs_dir: Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> GateOutcome:
    """Validate the staged batch `batch_id` of `source`, quarantine its failing rows, report."""
    started = time.perf_counter()
    ensure_raw_schema(con)
    targets = gate_targets(source)
    quarantine_table = SOURCES[source].quarantine_table
    now = _utc_now()
    parts: dict[tuple[str, str], list[ExpectationResult]] = defaultdict(list)
    quarantined: dict[str, int] = defaultdict(int)
    identities: list[pd.DataFrame] = []

    with batch_frames(con, targets, batch_id, chunk_rows) as frames:
        if not any(frames.rows.values()):
            return GateOutcome(
                source, batch_id, success=True, has_warnings=False, rows_validated=frames.rows
            )
        rules = [rule.name for target in targets for rule in suite_rules(target.suite)]
        clear_gate_rows(con, quarantine_table, batch_id, rules)
        session = GxSession(
            docs_dir or default_docs_dir(), expectation_parameters(con, source, now), now
        )
        for chunk in range(frames.chunks):
            run_name = _run_name(source, batch_id, chunk, frames.chunks)
            for target in targets:
                frame = frames.frame(target, chunk)
                # an empty chunk says nothing; an empty table is validated once (and reported)
                if frame.empty and (frames.rows[target.suite] or chunk):
                    continue
                suite_result = session.validate(
                    target.suite, frame, _index_columns(target, frame), run_name
                )
                del frame
                rejected = []
                for gx_result in suite_result.results:
                    failed_rows = failing_rows(gx_result, target.key_column)
                    result = read_result(target.suite, gx_result, failed_rows)
                    parts[(target.suite, result.name)].append(result)
                    if result.quarantines and len(failed_rows):
                        rejected.append(failed_rows.assign(rule=result.name))
                if rejected:
                    failures = pd.concat(rejected, ignore_index=True)
                    write_failures(con, quarantine_table, target, batch_id, failures, now)
                    for rule, count in failures["rule"].value_counts().items():
                        quarantined[str(rule)] += int(count)
                    identities.append(failures[["_source_file", "_source_row_number"]])
        pages = session.build_docs()

    results = tuple(merge_chunks(chunk_results) for chunk_results in parts.values())
    records = pd.concat(identities).drop_duplicates() if identities else pd.DataFrame()
    first_run = _run_name(source, batch_id, 0, frames.chunks)
    docs = {suite: page for (suite, run), page in sorted(pages.items()) if run == first_run}
    return GateOutcome(
        source=source,
        batch_id=batch_id,
        success=not any(result.blocks for result in results),
        has_warnings=any(not r.success and r.severity == "warning" for r in results),
        results=results,
        rows_validated=frames.rows,
        quarantined=dict(quarantined),
        records_quarantined=len(records),
        data_docs_path=docs.get(targets[0].suite),
        data_docs_pages={f"{suite} {run}": page for (suite, run), page in sorted(pages.items())},
        chunks=frames.chunks,
        seconds=time.perf_counter() - started,
    )
