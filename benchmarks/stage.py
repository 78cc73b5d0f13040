"""One benchmark stage, run in its own process so its peak memory can be read on its own.

Usage: python -m benchmarks.stage <stage> <source|-> <batch_id>
Stages: stage (parse new landing files), gate (Great Expectations on the staged batch),
merge (staged rows into raw tables), scan (one query reading every column of the raw tables).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from warehouse import ingestion
from warehouse.connection import open_warehouse
from warehouse.settings import Settings
from warehouse.sources import SOURCES

# the tables dbt's staging reads (the order history is not modelled)
RAW_TABLES = [
    table
    for spec in SOURCES.values()
    for table in (spec.raw_table, spec.raw_lines_table)
    if table is not None
]


def _scan_raw_tables(settings: Settings) -> dict[str, Any]:
    """Read every column of every raw table once: the floor any model build must pay."""
    with open_warehouse(settings) as con:
        rows = 0
        for table in RAW_TABLES:
            # max() over every column forces DuckDB to read and decode each one
            con.execute(f"select count(*), max(columns(*)) from {table}").fetchall()
            rows += con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return {"rows": rows}


def main(argv: list[str]) -> int:
    stage, source, batch_id = argv
    started = time.perf_counter()
    details: dict[str, Any] = {}
    settings = Settings.from_env()
    if stage == "scan":
        details = _scan_raw_tables(settings)
    else:
        with open_warehouse(settings) as con:
            ingestion.ensure_raw_schema(con)
            if stage == "stage":
                report = ingestion.stage_new_files(con, source, settings.landing_dir, batch_id)
                details = dict(report.as_metadata())
            elif stage == "gate":
                from warehouse.gates import validate_batch

                outcome = validate_batch(con, source, batch_id, settings)
                details = {"success": outcome.success, "warnings": outcome.has_warnings}
                if not outcome.success:
                    ingestion.record_blocked_batch(con, source, batch_id, "benchmark gate")
            elif stage == "merge":
                details = dict(ingestion.merge_staged(con, source, batch_id).as_metadata())
            else:
                raise SystemExit(f"unknown stage {stage!r}")
    details["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(details, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
