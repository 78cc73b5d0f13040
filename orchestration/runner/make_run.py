"""`make run`: a demo store when the landing folder is empty, the warehouse job, a summary.

The entry point reads the settings from the environment once and builds the Definitions with
them. The job runs in this process on the Dagster instance of $DAGSTER_HOME (default
.dagster_home/), so the run and its materializations show up in `make dev`. Exit status 1 when
the run failed; the summary then names the failed step and the gate's findings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import dagster as dg

from demo_store import DEFAULT_DEMO_ORDERS, generate_store
from orchestration.project import build_manifest_if_stale
from orchestration.runner.findings import run_findings
from warehouse.connection import open_warehouse
from warehouse.ingestion.discovery import discover_files
from warehouse.paths import REPO_ROOT
from warehouse.settings import Settings
from warehouse.sources import SOURCES
from warehouse.summary import read_summary, render

DAGSTER_YAML = REPO_ROOT / "orchestration" / "dagster.yaml"

DEMO_SEED = 42


def landing_is_empty(landing_dir: Path) -> bool:
    """True when no source folder holds a landing file (names starting with '_' or '.' aside)."""
    return not any(discover_files(landing_dir / spec.landing_folder) for spec in SOURCES.values())


def ensure_demo_store(landing_dir: Path, orders: int, seed: int = DEMO_SEED) -> bool:
    """Write the demo store into an empty landing folder; returns whether it wrote one."""
    if not landing_is_empty(landing_dir):
        return False
    report = generate_store(landing_dir, orders, seed)
    print(report.summary(), flush=True)
    return True


def dagster_instance() -> dg.DagsterInstance:
    """The instance of $DAGSTER_HOME, set up like `make install` does when it is missing."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(DAGSTER_YAML, config)
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
    instance: dg.DagsterInstance, settings: Settings, log_level: str = "INFO"
) -> dg.ExecuteInProcessResult:
    """Execute warehouse_job with `settings` in this process; never raises for a failed step."""
    build_manifest_if_stale()
    # imported after the manifest exists: @dbt_assets reads it when its module loads
    from orchestration.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def("warehouse_job")
    return job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        tags={"ltv_warehouse/launched_by": "make run"},
    )


def summarize(result: dg.ExecuteInProcessResult, settings: Settings) -> str:
    """The run's findings and, when the warehouse can be read, what it holds now."""
    findings = run_findings(result)
    summary = None
    batch_ids = [spec.batch_id(result.run_id) for spec in SOURCES.values()]
    try:
        with open_warehouse(settings, read_only=True) as con:
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

    settings = Settings.from_env()
    landing = settings.landing_dir
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
    print(f"warehouse {settings.warehouse_path}, landing {landing}", flush=True)
    result = run_warehouse_job(instance, settings, args.log_level)
    print("\n" + summarize(result, settings), flush=True)
    return 0 if result.success else 1
