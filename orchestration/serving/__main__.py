"""`python -m orchestration.serving`: publish the warehouse's marts by hand (outside Dagster).

Uses the same settings as the pipeline: $DUCKDB_PATH, $SERVING_DIR, $SERVING_PG_DSN. Run it only
when nothing else holds the warehouse open. Prints the publication as JSON.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from orchestration.serving.publish import publish_marts
from orchestration.serving.settings import serving_dir
from orchestration.warehouse import duckdb_path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serving", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=None, help="default $DUCKDB_PATH")
    parser.add_argument("--serving-dir", type=Path, default=None, help="default $SERVING_DIR")
    parser.add_argument("--build-id", default=None, help="default manual-<UTC timestamp>")
    parser.add_argument("--postgres-dsn", default=None, help="default $SERVING_PG_DSN")
    args = parser.parse_args()
    publication = publish_marts(
        args.warehouse or duckdb_path(),
        args.serving_dir or serving_dir(),
        args.build_id or f"manual-{datetime.now(UTC):%Y%m%dT%H%M%SZ}",
        postgres_dsn=args.postgres_dsn,
    )
    print(json.dumps(publication.as_record(), indent=2))


if __name__ == "__main__":
    main()
