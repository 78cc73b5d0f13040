"""One benchmark stage, run in its own process so its peak memory can be read on its own.

Usage: python -m benchmarks.stage <stage> <source|-> <batch_id>
Stages: stage (parse new landing files), gate (Great Expectations on the staged batch),
merge (staged rows into raw tables), scan (one query reading every column of the raw tables).
"""

from __future__ import annotations

import json
import sys
import time

from orchestration.warehouse import connect, landing_dir

RAW_TABLES = [
    "raw_shop.orders",
    "raw_shop.order_lines",
    "raw_referrals.referral_codes",
    "raw_referrals.referral_events",
    "raw_messaging.message_events",
]


def _scan_raw_tables() -> dict[str, object]:
    """Read every column of every raw table once: the floor any model build must pay."""
    with connect() as con:
        rows = 0
        for table in RAW_TABLES:
            # max() over every column forces DuckDB to read and decode each one
            con.execute(f"select count(*), max(columns(*)) from {table}").fetchall()
            rows += con.execute(f"select count(*) from {table}").fetchall()[0][0]
    return {"rows": rows}


def main(argv: list[str]) -> int:
    stage, source, batch_id = argv
    started = time.perf_counter()
    details: dict[str, object] = {}
    if stage == "scan":
        details = _scan_raw_tables()
    else:
        from orchestration import ingestion

        with connect() as con:
            ingestion.ensure_raw_schema(con)
            if stage == "stage":
                report = ingestion.stage_new_files(con, source, landing_dir(), batch_id)
                details = report.as_metadata()
            elif stage == "gate":
                from orchestration.gates import validate_batch

                outcome = validate_batch(con, source, batch_id)
                details = {"success": outcome.success, "warnings": outcome.has_warnings}
                if not outcome.success:
                    ingestion.record_blocked_batch(con, source, batch_id, "benchmark gate")
            elif stage == "merge":
                details = ingestion.merge_staged(con, source, batch_id).as_metadata()
            else:
                raise SystemExit(f"unknown stage {stage!r}")
    details["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(details, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
