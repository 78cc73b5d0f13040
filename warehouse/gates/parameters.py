"""Values the suites leave open (`{"$PARAMETER": ...}`), fixed at validation time.

- `store_opened_at`: midnight of `settings.store_opened_on`; nothing happened before.
- `latest_allowed_at`: the validation time plus one day (clock-skew allowance for "not in the
  future"); naive UTC like the staged timestamps.
- `store_currencies`: [`settings.reporting_currency`], the one currency the marts sum in.
- `min_rows_per_file`: 30% of the median rows_read of the source's last 14 loaded files in
  raw_meta.load_log; 0 (no bound) when the source has no history yet.

`settings.referral_code_pattern` is not a GX parameter: the gate's SQL uses it to decide which
discount codes look like referral codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from warehouse.ingestion.schema import LOAD_LOG_TABLE
from warehouse.settings import Settings

FUTURE_ALLOWANCE = dt.timedelta(days=1)
VOLUME_HISTORY_FILES = 14
VOLUME_FLOOR_SHARE = 0.3


def volume_history(con: duckdb.DuckDBPyConnection, source: str) -> tuple[float | None, int]:
    """Median rows_read of the source's last loaded files, and how many files it is over."""
    median, files = con.execute(
        f"""
        select median(rows_read), count(*)
        from (
            select rows_read from {LOAD_LOG_TABLE}
            where source = ? and status = 'loaded'
            order by logged_at desc, file_name desc
            limit {VOLUME_HISTORY_FILES}
        )
        """,
        [source],
    ).fetchone()  # type: ignore[misc]
    return (float(median) if median is not None else None), int(files)


def min_rows_per_file(con: duckdb.DuckDBPyConnection, source: str) -> float:
    median, _ = volume_history(con, source)
    return 0.0 if median is None else VOLUME_FLOOR_SHARE * median


def expectation_parameters(
    con: duckdb.DuckDBPyConnection, source: str, now: dt.datetime, settings: Settings
) -> dict[str, Any]:
    """Every parameter the suites use, for one source at validation time `now` (naive UTC)."""
    return {
        "store_opened_at": dt.datetime.combine(settings.store_opened_on, dt.time()),
        "latest_allowed_at": now + FUTURE_ALLOWANCE,
        "store_currencies": [settings.reporting_currency],
        "min_rows_per_file": min_rows_per_file(con, source),
    }
