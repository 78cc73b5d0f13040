"""Run the real dbt CLI from the repository root against a test's own DuckDB file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from warehouse.paths import REPO_ROOT

DBT = Path(sys.executable).with_name("dbt")


def run_dbt(args: list[str], duckdb_file: Path, target_dir: Path, check: bool = True) -> str:
    """`dbt <args>` on `duckdb_file`, with artefacts in `target_dir` so parallel runs never share.

    Returns the combined output; raises with that output when dbt fails and `check` is set.
    """
    env = {
        **os.environ,
        "DUCKDB_PATH": str(duckdb_file),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_LOG_PATH": str(target_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        [str(DBT), *args, "--target-path", str(target_dir), "--project-dir", str(REPO_ROOT)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    if check and completed.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{output[-6000:]}")
    return output
