"""Retry a step only when DuckDB's file lock was taken; fail at once on everything else.

Another process holding the warehouse file (a BI tool with it open read-write, a run started
outside the run queue) makes `duckdb.connect` raise an IOException about a lock; that clears by
itself, so those steps retry with exponential backoff. A bug or a bad file would fail the same way
every time, so any other error becomes a Failure that skips the retry policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

# 5 s, 10 s, 20 s (+/- jitter): enough for another short step or a BI query to let go of the file
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def is_transient(error: BaseException) -> bool:
    """A DuckDB lock conflict (the file is open in another process)."""
    text = str(error).lower()
    return isinstance(error, duckdb.IOException) and "lock" in text


@contextmanager
def fail_fast_unless_transient(step: str) -> Iterator[None]:
    """Let lock conflicts through to the retry policy; turn other errors into a final Failure."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(
            description=f"{step} failed: {type(error).__name__}: {error}",
            allow_retries=False,
        ) from error
