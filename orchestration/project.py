"""The dbt project as Dagster sees it, and the manifest `@dbt_assets` reads when definitions load.

`dagster dev` re-parses the project on every load (dagster-dbt's own rule). Everywhere else
(`make run`, tests, a fresh clone, the webserver) the manifest is parsed when it is missing or
older than any dbt file, so loading the definitions never needs a manual `dbt parse`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.warehouse import REPO_ROOT

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


def parse_manifest(project: DbtProject = WAREHOUSE_DBT) -> Path:
    """`dbt parse` into the project's target folder, one process at a time; returns the manifest."""
    target = project.project_dir / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".manifest.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # another process may have parsed while this one waited for the lock
            if manifest_is_stale(project) or os.environ.get("DAGSTER_IS_DEV_CLI"):
                DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
                    ["parse", "--quiet"], target_path=project.target_path
                ).wait()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return project.manifest_path


def prepare_if_dev(project: DbtProject = WAREHOUSE_DBT) -> None:
    """Make sure a current manifest exists before `@dbt_assets` reads it.

    Under `dagster dev` always parse (edits show up on reload); elsewhere only when the manifest is
    missing or stale. A failing parse with an older manifest on disk keeps the old one and logs
    the error, so a half-edited model does not take the whole code location down.
    """
    if not (os.environ.get("DAGSTER_IS_DEV_CLI") or manifest_is_stale(project)):
        return
    try:
        parse_manifest(project)
    except Exception:
        if not project.manifest_path.exists():
            raise
        logger.exception("dbt parse failed; using the previous %s", project.manifest_path)


prepare_if_dev()
