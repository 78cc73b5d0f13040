"""What a generation wrote: per source records, dirty rows by kind and files; store facts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

REPORT_FILE_NAME = "_generation_report.json"


@dataclass(frozen=True)
class SourceReport:
    records: int  # lines written, dirty ones included (CSV header lines not counted)
    clean_records: int
    dirty_records: dict[str, int]  # kind -> lines
    files: int
    bytes: int

    @property
    def dirty_total(self) -> int:
        return sum(self.dirty_records.values())


@dataclass(frozen=True)
class GenerationReport:
    orders: int
    seed: int
    dirty_rate: float
    start: date
    end: date
    referral_go_live: date
    sources: dict[str, SourceReport]
    # ground truth of the clean store (known by the end of the period), for end-to-end checks
    facts: dict[str, int]

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("start", "end", "referral_go_live"):
            data[key] = data[key].isoformat()
        return data

    def write_json(self, path: Path) -> None:
        """Deterministic JSON (no timings or paths), so equal seeds give equal bytes."""
        path.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True) + "\n")

    def summary(self) -> str:
        lines = [
            f"demo store: {self.orders:,} orders, seed {self.seed}, {self.start}..{self.end}, "
            f"referral program live {self.referral_go_live}, dirty rate {self.dirty_rate:g}"
        ]
        for name, source in self.sources.items():
            dirty = ", ".join(
                f"{kind} {count:,}" for kind, count in source.dirty_records.items() if count
            )
            lines.append(
                f"  {name:<16} {source.records:>11,} records in {source.files:>4,} files "
                f"({source.bytes / 1e6:,.1f} MB); dirty {source.dirty_total:,}"
                + (f": {dirty}" if dirty else "")
            )
        return "\n".join(lines)
