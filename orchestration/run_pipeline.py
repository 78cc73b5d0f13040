"""`make run`: a demo store when the landing folder is empty, the warehouse job, a summary.

The job runs in this process on the Dagster instance of $DAGSTER_HOME (default .dagster_home/), so
the run and its materializations show up in `make dev`. Exit status 1 when the run failed; the
summary then names the failed step and the gate's findings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import dagster as dg

from orchestration import warehouse
from orchestration.assets.ingestion import batch_id_for
from orchestration.definitions import defs
from orchestration.demo_store import DEFAULT_DEMO_ORDERS, generate_store
from orchestration.ingestion import SOURCES
from orchestration.ingestion.discovery import discover_files
from orchestration.summary import read_summary, render, run_findings

DEMO_SEED = 42


def landing_is_empty(landing_dir: Path) -> bool:
    """True when no source folder holds a landing file (names starting with '_' or '.' aside)."""
    return not any(discover_files(landing_dir / spec.folder) for spec in SOURCES.values())


def ensure_demo_store(landing_dir: Path, orders: int, seed: int = DEMO_SEED) -> bool:
    """Write the demo store into an empty landing folder; returns whether it wrote one."""
    if not landing_is_empty(landing_dir):
        return False
    report = generate_store(landing_dir, orders, seed)
    print(report.summary(), flush=True)
    return True


def dagster_instance() -> dg.DagsterInstance:
    """The instance of $DAGSTER_HOME, set up like `make install` does when it is missing."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(warehouse.REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(Path(__file__).with_name("dagster.yaml"), config)
    return dg.DagsterInstance.get()


def _runs_in_progress(instance: dg.DagsterInstance) -> list[str]:
    in_progress = [
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
    ]
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=in_progress))
    return [run.run_id for run in runs]


def run_warehouse_job(
    instance: dg.DagsterInstance, log_level: str = "INFO"
) -> dg.ExecuteInProcessResult:
    """Execute warehouse_job in this process; never raises for a failed step."""
    job = defs.resolve_job_def("warehouse_job")
    return job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        tags={"ltv_warehouse/launched_by": "make run"},
    )


def summarize(result: dg.ExecuteInProcessResult) -> str:
    """The run's findings and, when the warehouse can be read, what it holds now."""
    findings = run_findings(result)
    summary = None
    batch_ids = [batch_id_for(result.run_id, source) for source in SOURCES]
    try:
        with warehouse.connect(read_only=True) as con:
            summary = read_summary(con, batch_ids)
    except Exception as error:  # the run failed before the warehouse existed
        print(f"(warehouse not readable: {error})", file=sys.stderr)
    return render(findings, summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--demo-orders",
        type=int,
        default=DEFAULT_DEMO_ORDERS,
        help="orders in the demo store written when the landing folder is empty",
    )
    parser.add_argument("--log-level", default="INFO", help="Dagster console log level")
    args = parser.parse_args(argv)

    landing = warehouse.landing_dir()
    if ensure_demo_store(landing, args.demo_orders):
        print(f"wrote a demo store into {landing}", flush=True)
    instance = dagster_instance()
    busy = _runs_in_progress(instance)
    if busy:
        print(
            f"warning: {len(busy)} run(s) in progress on this instance ({', '.join(busy)}); "
            "steps retry while the DuckDB file is locked",
            file=sys.stderr,
        )
    print(f"warehouse {warehouse.duckdb_path()}, landing {landing}", flush=True)
    result = run_warehouse_job(instance, args.log_level)
    print("\n" + summarize(result), flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
