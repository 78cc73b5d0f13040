"""landing_files_sensor: one warehouse run per tick in which new or changed landing files appeared.

The cursor is the JSON snapshot of every landing file seen so far ("<folder>/<name>" ->
[mtime_ns, size]). A tick compares the folders to it: files that are new or whose mtime or size
changed make one RunRequest, whose run key is a hash of exactly that set of files, so the same
files never start two runs. The run itself decides what is new by content (SHA-256 in the load
log); the sensor only has to notice that something arrived.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.assets.dbt_models import DBT_LAYERS
from orchestration.jobs import WAREHOUSE_RUN_TAGS, warehouse_job
from warehouse.ingestion.discovery import discover_files
from warehouse.settings import Settings
from warehouse.sources import SOURCES

FileState = tuple[int, int]  # mtime in ns, size in bytes


def landing_snapshot(landing_dir: Path) -> dict[str, FileState]:
    """Every landing file of every source, keyed "<folder>/<name>", with its mtime and size."""
    snapshot: dict[str, FileState] = {}
    for spec in SOURCES.values():
        for path in discover_files(landing_dir / spec.landing_folder):
            stat = path.stat()
            snapshot[f"{spec.landing_folder}/{path.name}"] = (stat.st_mtime_ns, stat.st_size)
    return snapshot


def parse_cursor(cursor: str | None) -> dict[str, FileState]:
    if not cursor:
        return {}
    return {name: (int(state[0]), int(state[1])) for name, state in json.loads(cursor).items()}


def dump_cursor(snapshot: dict[str, FileState]) -> str:
    return json.dumps({name: list(state) for name, state in sorted(snapshot.items())})


def new_files(seen: dict[str, FileState], current: dict[str, FileState]) -> dict[str, FileState]:
    """Files in `current` that `seen` does not have, or has with another mtime or size."""
    return {name: state for name, state in current.items() if seen.get(name) != state}


def run_key_for(files: dict[str, FileState]) -> str:
    """A stable key for one set of new files: the same set never starts a second run."""
    payload = json.dumps(sorted((name, list(state)) for name, state in files.items()))
    return "landing-" + hashlib.sha256(payload.encode()).hexdigest()[:32]


@dg.sensor(
    name="landing_files_sensor",
    job=warehouse_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the warehouse job once for all files that arrived since the last tick.",
)
def landing_files_sensor(
    context: dg.SensorEvaluationContext, settings: dg.ResourceParam[Settings]
) -> dg.SensorResult:
    seen = parse_cursor(context.cursor)
    current = landing_snapshot(settings.landing_dir)
    arrived = new_files(seen, current)
    cursor = dump_cursor(current)
    if not arrived:
        return dg.SensorResult(skip_reason="no new or changed landing files", cursor=cursor)
    names = sorted(arrived)
    context.log.info(f"{len(names)} new or changed landing file(s): {', '.join(names[:10])}")
    request = dg.RunRequest(
        run_key=run_key_for(arrived),
        tags={"ltv_warehouse/new_landing_files": str(len(names))},
    )
    return dg.SensorResult(run_requests=[request], cursor=cursor)


# Evaluates the dbt models' AutomationCondition.eager(): a model whose inputs were updated outside
# a full warehouse run (e.g. one raw table materialized from the UI) is rebuilt. Its runs carry the
# writer tag, so they queue behind any warehouse run.
dbt_models_automation_sensor = dg.AutomationConditionSensorDefinition(
    "dbt_models_automation_sensor",
    target=dg.AssetSelection.groups(*DBT_LAYERS),
    run_tags=WAREHOUSE_RUN_TAGS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
    description="Rebuilds dbt models whose inputs changed since they were last built.",
)

SENSORS = [landing_files_sensor, dbt_models_automation_sensor]
