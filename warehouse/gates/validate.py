"""`validate_batch`: the Great Expectations gate between staging and merge for one source.

1. read the staged batch (this batch's rows only) with the gate's computed columns,
2. validate it with the source's suite(s), in chunks of `chunk_rows` when it is large,
3. quarantine the failing rows of every error-severity row rule (always, even within tolerance),
4. validate the key rules (uniqueness) on the records still accepted, quarantine their failures,
5. build Data Docs and return a GateOutcome, blocked when an error rule failed beyond tolerance.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from warehouse.gates.frames import CHUNK_ROWS, BatchFrames, batch_frames
from warehouse.gates.gx_runner import GxSession
from warehouse.gates.outcome import GateOutcome
from warehouse.gates.parameters import expectation_parameters
from warehouse.gates.quarantine import clear_gate_rows, write_failures
from warehouse.gates.results import ExpectationResult, failing_rows, merge_chunks, read_result
from warehouse.gates.suites import suite_rules
from warehouse.gates.targets import GateTarget, gate_targets
from warehouse.ingestion import ensure_raw_schema
from warehouse.settings import Settings
from warehouse.sources import SOURCES


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _run_name(source: str, batch_id: str, chunk: int, chunks: int) -> str:
    base = f"{source}__{batch_id}"
    return base if chunks == 1 else f"{base}__chunk_{chunk + 1}_of_{chunks}"


def _key_rule_columns(target: GateTarget) -> set[str]:
    """What the second pass reads: the key rules' columns and the rows' identity."""
    columns = {*target.identity_columns, target.key_column, target.chunk_column}
    for rule in suite_rules(target.suite):
        if rule.after_row_rules and rule.column:
            columns |= set(rule.column.replace("+", ",").split(","))
    return columns


@dataclass
class _Gate:
    """What one gate run collects over its passes and chunks."""

    con: duckdb.DuckDBPyConnection
    source: str
    batch_id: str
    session: GxSession
    now: dt.datetime
    parts: dict[tuple[str, str], list[ExpectationResult]] = field(
        default_factory=lambda: defaultdict(list)
    )
    quarantined: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    identities: list[pd.DataFrame] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    def validate_pass(self, frames: BatchFrames, after_row_rules: bool) -> None:
        """Validate every chunk of every staged table, quarantining as it goes."""
        quarantine_table = SOURCES[self.source].quarantine_table
        for chunk in range(frames.chunks):
            run_name = _run_name(self.source, self.batch_id, chunk, frames.chunks)
            self.runs.append(run_name)
            for target in frames.targets:
                frame = frames.frame(target, chunk)
                # an empty chunk says nothing; an empty table is validated once (and reported)
                if frame.empty and (frames.rows[target.suite] or chunk):
                    continue
                suite_result = self.session.validate(target.suite, frame, run_name, after_row_rules)
                rejected = []
                for gx_result in suite_result.results:
                    failed_rows = failing_rows(gx_result, frame, target.key_column)
                    result = read_result(target.suite, gx_result, failed_rows)
                    self.parts[(target.suite, result.name)].append(result)
                    if result.quarantines and len(failed_rows):
                        rejected.append(failed_rows.assign(rule=result.name))
                if rejected:
                    failures = pd.concat(rejected, ignore_index=True)
                    write_failures(
                        self.con, quarantine_table, target, self.batch_id, failures, self.now
                    )
                    for rule, count in failures["rule"].value_counts().items():
                        self.quarantined[str(rule)] += int(count)
                    self.identities.append(failures[["_source_file", "_source_row_number"]])


def validate_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    batch_id: str,
    settings: Settings,
    chunk_rows: int = CHUNK_ROWS,
) -> GateOutcome:
    """Validate the staged batch `batch_id` of `source`, quarantine its failing rows, report.

    Two passes: every rule but the key rules on all staged records, then the key rules
    (`meta.after_row_rules`: uniqueness) on the records the first pass did not quarantine, so a
    broken copy of a record does not drag its intact twin into quarantine as a duplicate.
    """
    started = time.perf_counter()
    ensure_raw_schema(con)
    targets = gate_targets(source)
    quarantine_table = SOURCES[source].quarantine_table
    now = _utc_now()
    with batch_frames(con, targets, settings.referral_code_pattern) as frames:
        frames.stage(batch_id, chunk_rows)
        rows = dict(frames.rows)
        if not any(rows.values()):
            return GateOutcome(
                source, batch_id, success=True, has_warnings=False, rows_validated=rows
            )
        rules = [rule.name for target in targets for rule in suite_rules(target.suite)]
        clear_gate_rows(con, quarantine_table, batch_id, rules)
        parameters = expectation_parameters(con, source, now, settings)
        session = GxSession(settings.data_docs_dir, parameters, now)
        gate = _Gate(con, source, batch_id, session, now)
        gate.validate_pass(frames, after_row_rules=False)
        chunks = frames.chunks
        key_columns = {target.suite: _key_rule_columns(target) for target in targets}
        frames.stage(batch_id, chunk_rows, key_columns, after_quarantine=quarantine_table)
        gate.validate_pass(frames, after_row_rules=True)
        pages = session.build_docs()

    results = tuple(merge_chunks(chunk_results) for chunk_results in gate.parts.values())
    records = pd.concat(gate.identities).drop_duplicates() if gate.identities else pd.DataFrame()
    first_page = pages.get((targets[0].suite, gate.runs[0]))
    return GateOutcome(
        source=source,
        batch_id=batch_id,
        success=not any(result.blocks for result in results),
        # quarantined rows within an error rule's tolerance are a warning too: the batch loads,
        # but someone should look at what it left out
        has_warnings=any(not r.success and r.severity == "warning" for r in results)
        or not records.empty,
        results=results,
        rows_validated=rows,
        quarantined=dict(gate.quarantined),
        records_quarantined=len(records),
        data_docs_path=first_page,
        data_docs_pages={f"{suite} {run}": page for (suite, run), page in sorted(pages.items())},
        chunks=chunks,
        seconds=time.perf_counter() - started,
    )
