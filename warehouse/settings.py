"""Every setting of the warehouse, in one typed, frozen object read from the environment once.

Entry points (`make run`, the Dagster definitions, `python -m warehouse.serving`, the benchmark)
call `Settings.from_env()` and pass the object down; nothing below them reads `os.environ`. dbt
gets the same values from `dbt_vars()` (its `--vars`) and `dbt_cli_args()`, so a changed setting
moves the Python steps and dbt together. `SETTINGS_TABLE` is the README's settings table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import types
import typing
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.paths import from_repo

# a DuckDB memory size as DuckDB and dbt-duckdb accept it: 4GB, 512MB, 1.5GiB
_MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# variables that were renamed: the old name is still read when the new one is unset
_OLD_NAMES = {"REPORTING_CURRENCY": "STORE_CURRENCY"}


def _reads(env: str, doc: str) -> dict[str, str]:
    """A field's metadata: read from environment variable `env`; `doc` is its README line."""
    return {"env": env, "doc": doc}


class SettingsError(ValueError):
    """A setting with a value the warehouse cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """What a store configures. Paths are absolute (relative ones are read from the repository)."""

    # where things live
    warehouse_path: Path = field(
        default=Path("data/warehouse.duckdb"),
        metadata=_reads("DUCKDB_PATH", "the embedded warehouse (gitignored)"),
    )
    landing_dir: Path = field(
        default=Path("data/landing"), metadata=_reads("LANDING_DIR", "where stores drop files")
    )
    serving_dir: Path = field(
        default=Path("data/serving"), metadata=_reads("SERVING_DIR", "published marts for BI tools")
    )
    data_docs_dir: Path = field(
        default=Path("gx_data_docs"),
        metadata=_reads("GX_DATA_DOCS_DIR", "Great Expectations Data Docs of the gates"),
    )
    # the engine
    duckdb_memory_limit: str = field(
        default="4GB",
        metadata=_reads(
            "DUCKDB_MEMORY_LIMIT", "DuckDB's memory limit, shared by the loader and dbt"
        ),
    )
    dbt_threads: int = field(
        default=2, metadata=_reads("DBT_THREADS", "threads dbt builds models with")
    )
    # the store
    store_opened_on: dt.date = field(
        default=dt.date(2024, 1, 1),
        metadata=_reads("STORE_OPENED_ON", "the store's first day: earlier times fail gates"),
    )
    reporting_currency: str = field(
        default="USD",
        metadata=_reads(
            "REPORTING_CURRENCY",
            "ISO 4217 code every mart reports money in; orders in another currency are "
            "converted with the store's `fx_rates` (`STORE_CURRENCY`, the old name, is still "
            "read when this is unset)",
        ),
    )
    reporting_timezone: str = field(
        default="America/New_York",
        metadata=_reads("REPORTING_TIMEZONE", "time zone days and months are cut in"),
    )
    as_of_date: dt.date | None = field(
        default=None,
        metadata=_reads(
            "AS_OF_DATE", "the day marts are judged as of; unset: the latest order date"
        ),
    )
    referral_code_pattern: str = field(
        default="^[A-Z]+-[A-Z0-9]{6}$",
        metadata=_reads(
            "REFERRAL_CODE_PATTERN",
            "shape of the referral program's codes (promo codes do not match it)",
        ),
    )
    # freshness and incremental reads
    freshness_warn_after_hours: int = field(
        default=26,
        metadata=_reads(
            "FRESHNESS_WARN_AFTER_HOURS", "a source without new rows for this many hours warns"
        ),
    )
    freshness_error_after_hours: int = field(
        default=74,
        metadata=_reads(
            "FRESHNESS_ERROR_AFTER_HOURS", "... and for this many fails its freshness check"
        ),
    )
    incremental_lookback_hours: int = field(
        default=72,
        metadata=_reads(
            "INCREMENTAL_LOOKBACK_HOURS", "incremental dbt models re-read this much of raw"
        ),
    )
    # publication
    serving_pg_dsn: str | None = field(
        default=None,
        metadata=_reads("SERVING_PG_DSN", "when set, marts are also published into PostgreSQL"),
    )
    serving_pg_read_role: str | None = field(
        default=None,
        metadata=_reads(
            "SERVING_PG_READ_ROLE", "a role granted read access on every PostgreSQL build"
        ),
    )
    serving_pg_lock_timeout_seconds: float = field(
        default=10.0,
        metadata=_reads(
            "SERVING_PG_LOCK_TIMEOUT", "how long the PostgreSQL swap waits for BI queries"
        ),
    )
    serving_keep_builds: int = field(
        default=3,
        metadata=_reads(
            "SERVING_KEEP_BUILDS", "Parquet builds kept on disk, the current one included"
        ),
    )
    serving_duckdb_storage_version: str = field(
        default="v1.0.0",
        metadata=_reads(
            "SERVING_DUCKDB_STORAGE_VERSION",
            "storage format of the published DuckDB files (older BI drivers read v1.0.0)",
        ),
    )

    def __post_init__(self) -> None:
        for name in ("warehouse_path", "landing_dir", "serving_dir", "data_docs_dir"):
            object.__setattr__(self, name, from_repo(getattr(self, name)))
        _validate(self)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from `environ` (default: the process environment); unset or
        empty variables keep their defaults."""
        source = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for setting in dataclasses.fields(cls):
            env = setting.metadata["env"]
            text = source.get(env, "").strip()
            if not text and env in _OLD_NAMES:
                env = _OLD_NAMES[env]
                text = source.get(env, "").strip()
            if text:
                values[setting.name] = _parse(env, hints[setting.name], text)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def dbt_vars(self) -> dict[str, Any]:
        """The dbt vars these settings decide (profiles.yml and the models read them)."""
        return {
            "duckdb_path": str(self.warehouse_path),
            "duckdb_memory_limit": self.duckdb_memory_limit,
            "reporting_currency": self.reporting_currency,
            "reporting_timezone": self.reporting_timezone,
            "as_of_date": self.as_of_date.isoformat() if self.as_of_date else None,
            "incremental_lookback_hours": self.incremental_lookback_hours,
            "freshness_warn_after_hours": self.freshness_warn_after_hours,
            "freshness_error_after_hours": self.freshness_error_after_hours,
        }

    def dbt_cli_args(self) -> list[str]:
        """Arguments every dbt command of the pipeline takes: `--vars` and `--threads`."""
        return ["--vars", json.dumps(self.dbt_vars()), "--threads", str(self.dbt_threads)]


def _parse(env: str, hint: Any, text: str) -> Any:
    """`text` as the field's type (the optional types parse as their inner type)."""
    if isinstance(hint, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    parsers: dict[Any, Callable[[str], Any]] = {
        Path: Path,
        str: str,
        int: int,
        float: float,
        dt.date: dt.date.fromisoformat,
    }
    try:
        return parsers[hint](text)
    except ValueError as error:
        raise SettingsError(f"{env}={text!r} is not a valid {hint.__name__}: {error}") from None


def _env(name: str) -> str:
    return str(Settings.__dataclass_fields__[name].metadata["env"])


def _validate(settings: Settings) -> None:
    problems = []
    if not _MEMORY_SIZE.match(settings.duckdb_memory_limit):
        problems.append(f"{_env('duckdb_memory_limit')} must be a size such as 4GB or 512MB")
    if not _CURRENCY.match(settings.reporting_currency):
        variable = _env("reporting_currency")
        problems.append(
            f"{variable} (or its old name {_OLD_NAMES[variable]}) must be an ISO 4217 code "
            "such as USD or GBP"
        )
    try:
        zoneinfo.ZoneInfo(settings.reporting_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"{_env('reporting_timezone')} must be an IANA time zone (Europe/London)")
    try:
        re.compile(settings.referral_code_pattern)
    except re.error as error:
        problems.append(f"{_env('referral_code_pattern')} is not a regular expression: {error}")
    for name in ("dbt_threads", "serving_keep_builds", "freshness_warn_after_hours"):
        if getattr(settings, name) < 1:
            problems.append(f"{_env(name)} must be at least 1")
    if settings.freshness_error_after_hours < settings.freshness_warn_after_hours:
        problems.append(
            f"{_env('freshness_error_after_hours')} must not be below "
            f"{_env('freshness_warn_after_hours')}"
        )
    if settings.incremental_lookback_hours < 0:
        problems.append(f"{_env('incremental_lookback_hours')} must not be negative")
    if problems:
        raise SettingsError("; ".join(problems))


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting, in declaration order (the README table)."""
    rows = []
    for setting in dataclasses.fields(Settings):
        default = "unset" if setting.default is None else str(setting.default)
        rows.append((setting.metadata["env"], default, setting.metadata["doc"]))
    return rows


if __name__ == "__main__":
    # `python -m warehouse.settings`: the dbt vars of the environment's settings, as JSON, for
    # `make build` and friends (dbt run by hand judges the marts like the pipeline does)
    print(json.dumps(Settings.from_env().dbt_vars()))
