"""`python -m demo_store`: write a demo store and print what was written."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from demo_store.generate import (
    DEFAULT_DEMO_ORDERS,
    DEFAULT_DIRTY_RATE,
    DEFAULT_END,
    DEFAULT_START,
    generate_store,
)
from demo_store.report import REPORT_FILE_NAME


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m demo_store",
        description=(
            "Write a deterministic demo online store (orders, referral codes, referral events, "
            "lifecycle messages) into OUT as daily landing files per docs/landing-contract.md: "
            "OUT/<source>/<source>_YYYY-MM-DD.jsonl|csv, plus OUT/" + REPORT_FILE_NAME + ". "
            "The same arguments always give the same bytes."
        ),
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=DEFAULT_DEMO_ORDERS,
        help=f"orders placed over the period (default {DEFAULT_DEMO_ORDERS:,})",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write into")
    parser.add_argument(
        "--dirty-rate",
        type=float,
        default=DEFAULT_DIRTY_RATE,
        help="extra dirty lines per clean record and source: duplicates, missing "
        "keys, negative amounts, unknown statuses, unparseable lines, future or "
        f"malformed timestamps; 0 disables (default {DEFAULT_DIRTY_RATE})",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        help=f"first day, YYYY-MM-DD (default {DEFAULT_START})",
    )
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=DEFAULT_END,
        help=f"last day, included (default {DEFAULT_END})",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace landing files an earlier run left in OUT"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        report = generate_store(
            args.out,
            args.orders,
            args.seed,
            args.dirty_rate,
            args.start,
            args.end,
            overwrite=args.overwrite,
        )
    except (FileExistsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(report.summary())
    print(f"  written to {args.out} in {seconds:.1f} s")
    # last line as JSON, for scripts (benchmarks/run.py reads it as the stage's details)
    print(
        json.dumps(
            {
                "orders": report.orders,
                "seconds": round(seconds, 2),
                "records": {name: source.records for name, source in report.sources.items()},
                "megabytes": round(
                    sum(source.bytes for source in report.sources.values()) / 1e6, 1
                ),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
