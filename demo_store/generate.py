"""`generate_store`: simulate the store, add dirty rows, write the daily landing files."""

from __future__ import annotations

import itertools
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from demo_store import render
from demo_store.checkout_codes import (
    FRIEND_FIRST_ORDER,
    FRIEND_LATER_ORDER,
    SELF_EMAIL_VARIANT,
    SELF_SAME_IDENTITY,
    UNKNOWN_CODE,
    UNKNOWN_TOKEN,
)
from demo_store.dirty import add_dirty_rows
from demo_store.period import NEVER, Period
from demo_store.report import REPORT_FILE_NAME, GenerationReport, SourceReport
from demo_store.store import Store, simulate_store, source_records
from demo_store.writer import DailyFiles

DEFAULT_DEMO_ORDERS = 20_000
DEFAULT_DIRTY_RATE = 0.005
DEFAULT_START = date(2025, 1, 1)
DEFAULT_END = date(2026, 10, 31)
PROGRESS_FROM_ORDERS = 200_000
# source -> (file extension, CSV header or None, dirty kinds, renderer)
SOURCES = {
    "orders": ("jsonl", None, render.ORDER_DIRTY_KINDS, render.render_orders),
    "referral_codes": (
        "csv",
        render.REFERRAL_CODE_HEADER,
        render.REFERRAL_CODE_DIRTY_KINDS,
        render.render_referral_codes,
    ),
    "referral_events": (
        "csv",
        render.REFERRAL_EVENT_HEADER,
        render.REFERRAL_EVENT_DIRTY_KINDS,
        render.render_referral_events,
    ),
    "messages": ("jsonl", None, render.MESSAGE_DIRTY_KINDS, render.render_messages),
}


def _prepare_folders(out_dir: Path, overwrite: bool) -> None:
    """Create the source folders; refuse to mix with an earlier store unless told to replace it."""
    existing = [
        path
        for name, (extension, *_) in SOURCES.items()
        for path in sorted((out_dir / name).glob(f"{name}_*.{extension}"))
    ]
    if existing and not overwrite:
        raise FileExistsError(
            f"{out_dir} already holds {len(existing)} landing files (e.g. {existing[0]}); "
            "pass overwrite=True (--overwrite) to replace them"
        )
    for path in existing:
        path.unlink()
    for name in SOURCES:
        (out_dir / name).mkdir(parents=True, exist_ok=True)


def _write_source(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    name: str,
    out_dir: Path,
    dirty_rate: float,
    seed: int,
    progress: bool,
) -> SourceReport:
    extension, header, kinds, render_chunk = SOURCES[name]
    period = store.period
    rng = np.random.default_rng([seed, 100 + list(SOURCES).index(name)])
    # the clean table is dropped once the dirty copies are merged in: one copy in memory
    records, dirty = add_dirty_rows(
        source_records(store, name), kinds, dirty_rate, period.n_days - 1, rng
    )
    days = records["_day"].to_numpy()
    day_names = period.day_names()
    file_names = [f"{name}_{day}.{extension}" for day in day_names]
    month_starts = period.month_first_days()
    bounds = np.searchsorted(days, np.append(month_starts, period.n_days))
    files = DailyFiles(out_dir / name, file_names, header)
    try:
        # a month at a time keeps the rendered text, the bulk of the memory, small
        for month, (start, end) in enumerate(itertools.pairwise(bounds)):
            if end == start:
                continue
            files.write(
                days[start:end], render_chunk(con, records.slice(start, end - start), store)
            )
            if progress:
                print(
                    f"demo store: {name} {day_names[month_starts[month]][:7]} "
                    f"{end:,}/{len(days):,} records",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        files.close()
    return SourceReport(
        records=records.num_rows,
        clean_records=records.num_rows - sum(dirty.values()),
        dirty_records=dirty,
        files=files.files,
        bytes=files.bytes,
    )


def _facts(store: Store) -> dict[str, int]:
    """Counts about the clean store, as the files show it at the end of the period."""
    t_end = store.period.t_end
    kind = store.checkout.referral_kind
    life = store.lifecycle

    def known(times: np.ndarray) -> int:
        return int(((times != NEVER) & (times < t_end)).sum())

    return {
        "customers": len(store.customers),
        "registered_customers": int((store.customers.customer_number > 0).sum()),
        "guest_checkout_orders": int(store.identity.is_guest_checkout.sum()),
        "order_lines": int(store.baskets.line_count.astype(np.int64).sum()),
        "cancelled_orders": known(life.cancelled_at),
        "delivered_orders": known(life.delivered_at),
        "refunded_orders": known(life.refunded_at),
        "referral_codes": int((store.codes.issued_at < t_end).sum()),
        "friend_first_orders": int((kind == FRIEND_FIRST_ORDER).sum()),
        "friend_later_orders_with_code": int((kind == FRIEND_LATER_ORDER).sum()),
        "self_referral_orders": int(np.isin(kind, (SELF_SAME_IDENTITY, SELF_EMAIL_VARIANT)).sum()),
        "unknown_code_orders": int((kind == UNKNOWN_CODE).sum()),
        "unknown_token_orders": int((kind == UNKNOWN_TOKEN).sum()),
        "messages_sent": len(store.messages.sent_at),
    }


def generate_store(
    out_dir: Path,
    orders: int,
    seed: int,
    dirty_rate: float = DEFAULT_DIRTY_RATE,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    *,
    overwrite: bool = False,
    progress: bool | None = None,
) -> GenerationReport:
    """Write a deterministic demo store into `out_dir` as daily landing files.

    Same arguments, same bytes. `progress` (default: for 200k orders and more) prints a line
    per source and month to stderr. Also writes `_generation_report.json` next to the source
    folders (ingestion skips names starting with `_`).
    """
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if not 0 <= dirty_rate <= 0.5:
        raise ValueError("dirty_rate must be between 0 and 0.5")
    period = Period(start, end)
    out_dir = Path(out_dir)
    _prepare_folders(out_dir, overwrite)
    if progress is None:
        progress = orders >= PROGRESS_FROM_ORDERS
    if progress:
        print(f"demo store: simulating {orders:,} orders", file=sys.stderr, flush=True)
    store = simulate_store(period, orders, seed)
    # timestamps are rendered from naive UTC values (make_timestamp), so no time zone applies
    con = duckdb.connect(config={"memory_limit": "2GB"})
    con.execute("set enable_progress_bar = false")
    try:
        sources = {
            name: _write_source(con, store, name, out_dir, dirty_rate, seed, progress)
            for name in SOURCES
        }
    finally:
        con.close()
    report = GenerationReport(
        orders=orders,
        seed=seed,
        dirty_rate=dirty_rate,
        start=start,
        end=end,
        referral_go_live=period.go_live_date,
        sources=sources,
        facts=_facts(store),
    )
    report.write_json(out_dir / REPORT_FILE_NAME)
    return report
