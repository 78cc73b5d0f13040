"""A BI reader in its own process, for the concurrent-reader tests (started with subprocess).

    python tests/reader_loop.py MODE TARGET --stop-file F --ready-file R [--seconds S]

MODE and TARGET: `duckdb <serving_dir>/marts.duckdb`, `views <serving_dir>/marts_views.duckdb`,
`parquet <serving_dir>/parquet`, `postgres <dsn>`. Each read takes the build id and the row
counts recorded in `_publication` and counts every mart's rows in the same connection (for
Parquet: in the folder `current` pointed at once). It loops until the stop file appears or S
seconds pass, touches the ready file after its first good read, and prints one JSON summary:
reads, error_count, the first errors, and the distinct (build id, recorded counts, counted
rows) observations with how often each was seen.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

Counts = dict[str, int]


def read_duckdb(path: str, schema: str) -> tuple[str, Counts, Counts]:
    """One read of a published DuckDB file, opened read-only, in one connection."""
    con = duckdb.connect(path, read_only=True)
    try:
        return _read_catalog(con, schema)
    finally:
        con.close()


def read_parquet(parquet_root: str) -> tuple[str, Counts, Counts]:
    """Resolve `current` once, then read `_publication` and every mart from that build folder."""
    build_dir = Path(parquet_root) / os.readlink(Path(parquet_root) / "current")
    con = duckdb.connect()
    try:
        rows = con.execute(
            "select build_id, mart_name, row_count from read_parquet(?)",
            [str(build_dir / "_publication.parquet")],
        ).fetchall()
        build_id, published = _publication(rows)
        actual = {}
        for mart in published:
            count = con.execute(
                "select count(*) from read_parquet(?)", [str(build_dir / f"{mart}.parquet")]
            ).fetchone()
            actual[mart] = int(count[0]) if count else -1
        return build_id, published, actual
    finally:
        con.close()


def _read_catalog(con: Any, schema: str) -> tuple[str, Counts, Counts]:
    prefix = f"{schema}." if schema else ""
    rows = con.execute(
        f"select build_id, mart_name, row_count from {prefix}_publication"
    ).fetchall()
    build_id, published = _publication(rows)
    actual = {}
    for mart in published:
        count = con.execute(f'select count(*) from {prefix}"{mart}"').fetchone()
        actual[mart] = int(count[0]) if count else -1
    return build_id, published, actual


def _publication(rows: list[tuple[Any, ...]]) -> tuple[str, Counts]:
    build_ids = {row[0] for row in rows}
    if len(build_ids) != 1:
        raise AssertionError(f"_publication holds {len(build_ids)} build ids: {build_ids}")
    return build_ids.pop(), {str(row[1]): int(row[2]) for row in rows}


class PostgresReader:
    """A long-lived connection, like a BI tool's, alternating the two documented read patterns:
    a transaction that reads `marts._publication` first, and one statement over everything."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: Any = None
        self.marts: list[str] = []
        self.turn = 0

    def read(self) -> tuple[str, Counts, Counts]:
        import psycopg

        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.dsn, autocommit=False)
        self.turn += 1
        try:
            with self.conn.cursor() as cur:
                if self.turn % 2 or not self.marts:
                    result = self._transaction(cur)
                else:
                    result = self._one_statement(cur)
            self.conn.commit()
        except Exception:
            self.conn.rollback()
            raise
        self.marts = sorted(result[1])
        return result

    def _transaction(self, cur: Any) -> tuple[str, Counts, Counts]:
        cur.execute("select build_id, mart_name, row_count from marts._publication")
        build_id, published = _publication(cur.fetchall())
        actual = {}
        for mart in published:
            cur.execute(f'select count(*) from marts."{mart}"')
            actual[mart] = int(cur.fetchone()[0])
        return build_id, published, actual

    def _one_statement(self, cur: Any) -> tuple[str, Counts, Counts]:
        parts = ["select 'published', build_id, mart_name, row_count from marts._publication"]
        parts += [f"select 'counted', null, '{m}', count(*) from marts.\"{m}\"" for m in self.marts]
        cur.execute(" union all ".join(parts))
        rows = cur.fetchall()
        build_id, published = _publication([r[1:] for r in rows if r[0] == "published"])
        actual = {str(r[2]): int(r[3]) for r in rows if r[0] == "counted"}
        return build_id, published, actual


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["duckdb", "views", "parquet", "postgres"])
    parser.add_argument("target")
    parser.add_argument("--stop-file", type=Path, required=True)
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    postgres = PostgresReader(args.target) if args.mode == "postgres" else None
    readers = {
        "duckdb": lambda: read_duckdb(args.target, ""),
        "views": lambda: read_duckdb(args.target, "marts"),
        "parquet": lambda: read_parquet(args.target),
        "postgres": lambda: postgres.read() if postgres else ("", {}, {}),
    }
    read = readers[args.mode]
    deadline = time.monotonic() + args.seconds
    reads, errors = 0, []
    seen: Counter[str] = Counter()
    while time.monotonic() < deadline and not args.stop_file.exists():
        try:
            build_id, published, actual = read()
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
            time.sleep(0.01)
            continue
        reads += 1
        seen[json.dumps([build_id, published, actual], sort_keys=True)] += 1
        if reads == 1:
            args.ready_file.touch()
    observations = [
        {"build_id": b, "published": p, "counted": a, "reads": n}
        for (b, p, a), n in ((json.loads(key), n) for key, n in seen.items())
    ]
    summary = {
        "mode": args.mode,
        "reads": reads,
        "error_count": len(errors),
        "errors": errors[:10],
        "observations": observations,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
