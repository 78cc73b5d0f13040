"""Where publications go and which optional targets are on, read from the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path

from orchestration.warehouse import REPO_ROOT

# A build id names a folder and a PostgreSQL schema: a plain token (a Dagster run id fits).
_BUILD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")
# Mart names become file names and identifiers in three engines; dbt model names already fit.
_MART_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED_NAMES = frozenset({"current", "_publication"})


def serving_dir() -> Path:
    """The folder BI tools read: $SERVING_DIR, default data/serving (relative to the repository)."""
    path = Path(os.environ.get("SERVING_DIR", "data/serving"))
    return path if path.is_absolute() else REPO_ROOT / path


def postgres_dsn_from_env() -> str | None:
    """The optional PostgreSQL target: $SERVING_PG_DSN (libpq string or URL), None when unset."""
    return os.environ.get("SERVING_PG_DSN") or None


def duckdb_storage_version() -> str:
    """Storage format of the published DuckDB files: $SERVING_DUCKDB_STORAGE_VERSION, v1.0.0.

    BI tools bundle their own DuckDB (JDBC drivers, Metabase, DBeaver), often older than ours: a
    file in the v1.0.0 format opens in DuckDB 1.0 and later, one in our default (v2.0.0+) does not.
    """
    return os.environ.get("SERVING_DUCKDB_STORAGE_VERSION", "v1.0.0")


def keep_builds() -> int:
    """How many Parquet builds stay on disk, the current one included: $SERVING_KEEP_BUILDS, 3."""
    return max(1, int(os.environ.get("SERVING_KEEP_BUILDS", "3")))


def postgres_lock_timeout_seconds() -> float:
    """How long the schema swap waits for BI queries per attempt: $SERVING_PG_LOCK_TIMEOUT, 10 s."""
    return float(os.environ.get("SERVING_PG_LOCK_TIMEOUT", "10"))


def postgres_read_role() -> str | None:
    """A role granted read access on every new schema: $SERVING_PG_READ_ROLE, none when unset."""
    return os.environ.get("SERVING_PG_READ_ROLE") or None


def check_build_id(build_id: str) -> str:
    """Refuse build ids that are not a plain token of letters, digits, '_' and '-' (max 48)."""
    if not _BUILD_ID.match(build_id) or build_id.lower() in RESERVED_NAMES:
        raise ValueError(
            f"build id {build_id!r} must match {_BUILD_ID.pattern} and not be one of "
            f"{sorted(RESERVED_NAMES)}"
        )
    return build_id


def check_mart_name(name: str) -> str:
    """Refuse a mart name that could not be a file name and an unquoted identifier everywhere."""
    if not _MART_NAME.match(name) or name in RESERVED_NAMES:
        raise ValueError(f"mart name {name!r} must match {_MART_NAME.pattern}")
    return name
