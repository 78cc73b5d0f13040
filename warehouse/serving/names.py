"""The names a publication uses: build ids and mart names, checked before they reach a path."""

from __future__ import annotations

import re

# A build id names a folder and a PostgreSQL schema: a plain token (a Dagster run id fits).
_BUILD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")
# Mart names become file names and identifiers in three engines; dbt model names already fit.
_MART_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED_NAMES = frozenset({"current", "_publication"})


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
