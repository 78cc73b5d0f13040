"""The dbt project as Dagster sees it, and the manifest `@dbt_assets` reads when definitions load.

`dagster dev` re-parses the project on every load (dagster-dbt's `prepare_if_dev`). Everywhere
else the entry points call `build_manifest_if_stale()` before they load the definitions:
`make install`, `make run` (orchestration.runner), and pytest's start-up (tests/conftest.py).
Importing this module never starts dbt.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from warehouse.paths import REPO_ROOT

logger = logging.getLogger(__name__)

# `uv run` puts the venv on PATH; `.venv/bin/python -m ...` does not, so fall back to the dbt
# that sits next to this interpreter
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))

WAREHOUSE_DBT = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT)

# everything `dbt parse` reads: a change to any of these makes the manifest stale
_DBT_INPUTS = ("dbt_project.yml", "profiles.yml", "dbt_project", "seeds")


def _dbt_input_files(project_dir: Path) -> Iterator[Path]:
    for name in _DBT_INPUTS:
        path = project_dir / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (child for child in path.rglob("*") if child.is_file())


def manifest_is_stale(project: DbtProject = WAREHOUSE_DBT) -> bool:
    """True when target/manifest.json is missing or older than a dbt source file."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in _dbt_input_files(project.project_dir))


def build_manifest_if_stale(project: DbtProject = WAREHOUSE_DBT) -> Path:
    """`dbt parse` into the project's target folder when the manifest is missing or stale, one
    process at a time; returns the manifest.

    A failing parse with an older manifest on disk keeps the old one and logs the error, so a
    half-edited model does not take the whole code location down.
    """
    target = project.project_dir / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".manifest.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # another process may have parsed while this one waited for the lock
            if manifest_is_stale(project):
                _parse(project)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return project.manifest_path


def _parse(project: DbtProject) -> None:
    try:
        DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()
    except Exception:
        if not project.manifest_path.exists():
            raise
        logger.exception("dbt parse failed; using the previous %s", project.manifest_path)


# under `dagster dev` (DAGSTER_IS_DEV_CLI) dagster-dbt parses on every load; elsewhere a no-op
WAREHOUSE_DBT.prepare_if_dev()


if __name__ == "__main__":
    print(build_manifest_if_stale())
