"""What one publication was: build id, time, row count of every mart; and the publication log."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

LOG_NAME = "publications.jsonl"


@dataclass(frozen=True)
class Publication:
    """One published version of the marts, the same in every target it reached."""

    build_id: str
    published_at: datetime
    row_counts: dict[str, int]
    serving_file: Path
    parquet_dir: Path
    views_file: Path
    postgres_target: str | None = None  # "host:port/dbname schema marts", no password
    duration_seconds: float = 0.0
    pruned_builds: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def as_metadata(self) -> dict[str, Any]:
        """Flat values for Dagster metadata: a `<mart>_row_count` per mart, which the UI plots."""
        metadata: dict[str, Any] = {
            "build_id": self.build_id,
            "published_at": self.published_at.isoformat(),
            "mart_count": len(self.row_counts),
            "total_row_count": self.total_rows,
            "serving_file": str(self.serving_file),
            "parquet_dir": str(self.parquet_dir),
            "views_file": str(self.views_file),
            "postgres_target": self.postgres_target or "not published",
            "duration_seconds": round(self.duration_seconds, 3),
        }
        metadata.update({f"{mart}_row_count": n for mart, n in sorted(self.row_counts.items())})
        return metadata

    def as_record(self) -> dict[str, Any]:
        """The JSON shape written to `_publication.json` and the publication log."""
        return {
            "status": "published",
            "build_id": self.build_id,
            "published_at": self.published_at.isoformat(),
            "row_counts": dict(sorted(self.row_counts.items())),
            "serving_file": str(self.serving_file),
            "parquet_dir": str(self.parquet_dir),
            "views_file": str(self.views_file),
            "postgres_target": self.postgres_target,
            "duration_seconds": round(self.duration_seconds, 3),
            "pruned_builds": self.pruned_builds,
        }


def append_log(serving_dir: Path, record: dict[str, Any]) -> None:
    """Append one JSON line to serving_dir/publications.jsonl and flush it to disk."""
    with (serving_dir / LOG_NAME).open("a", encoding="utf-8") as log:
        log.write(json.dumps(record, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def read_log(serving_dir: Path) -> list[dict[str, Any]]:
    """Every record of the publication log, oldest first (empty when nothing was published)."""
    path = serving_dir / LOG_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
