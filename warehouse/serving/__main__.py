"""`python -m warehouse.serving`: publish the warehouse's marts by hand (outside Dagster).

Uses the same settings as the pipeline (DUCKDB_PATH, SERVING_DIR, SERVING_PG_DSN, ...; see the
README); the flags override them. Run it only when nothing else holds the warehouse open. Prints
the publication as JSON.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from warehouse.serving.publish import publish_marts
from warehouse.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m warehouse.serving", description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=None, help="default $DUCKDB_PATH")
    parser.add_argument("--serving-dir", type=Path, default=None, help="default $SERVING_DIR")
    parser.add_argument("--build-id", default=None, help="default manual-<UTC timestamp>")
    parser.add_argument("--postgres-dsn", default=None, help="default $SERVING_PG_DSN")
    args = parser.parse_args()
    settings = Settings.from_env()
    overrides = {
        "warehouse_path": args.warehouse,
        "serving_dir": args.serving_dir,
        "serving_pg_dsn": args.postgres_dsn,
    }
    settings = settings.replace(**{k: v for k, v in overrides.items() if v is not None})
    publication = publish_marts(
        settings, args.build_id or f"manual-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    )
    print(json.dumps(publication.as_record(), indent=2))


if __name__ == "__main__":
    main()
