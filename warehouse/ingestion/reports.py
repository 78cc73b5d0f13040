"""What a staging or merge call did, per file and in total, for logs and Dagster metadata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MetadataValue = int | str


def _total(files: Sequence[object], count: str) -> int:
    """One per-file count summed over a report's files."""
    return sum(getattr(file, count) for file in files)


class _RowTotals:
    """The row counts both reports sum over their files."""

    files: Sequence[object]

    @property
    def rows_read(self) -> int:
        return _total(self.files, "rows_read")

    @property
    def rows_quarantined(self) -> int:
        return _total(self.files, "rows_quarantined")

    @property
    def rows_duplicate(self) -> int:
        return _total(self.files, "rows_duplicate")


@dataclass(frozen=True)
class FileOutcome:
    """One landing file seen by stage_new_files.

    status: staged (parsed into the batch), rejected (whole-file defect), conflict (changed
    after it was loaded), already_loaded or previously_rejected (same content as before: skipped).
    """

    file_name: str
    status: str
    rows_read: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    message: str | None = None


@dataclass(frozen=True)
class StageReport(_RowTotals):
    """Result of stage_new_files for one source and batch."""

    source: str
    batch_id: str
    files: list[FileOutcome] = field(default_factory=list)

    def _with_status(self, status: str) -> list[FileOutcome]:
        return [file for file in self.files if file.status == status]

    @property
    def staged_files(self) -> list[FileOutcome]:
        return self._with_status("staged")

    @property
    def rejected_files(self) -> list[FileOutcome]:
        return self._with_status("rejected")

    @property
    def conflicts(self) -> list[FileOutcome]:
        return self._with_status("conflict")

    @property
    def rows_staged(self) -> int:
        return _total(self.files, "rows_staged")

    def as_metadata(self) -> dict[str, MetadataValue]:
        """Flat counts plus one readable line per file that needs attention or was staged."""
        metadata: dict[str, MetadataValue] = {"source": self.source, "batch_id": self.batch_id}
        for status in ("staged", "rejected", "conflict", "already_loaded", "previously_rejected"):
            metadata[f"files_{status}"] = len(self._with_status(status))
        metadata.update(
            rows_read=self.rows_read,
            rows_staged=self.rows_staged,
            rows_quarantined=self.rows_quarantined,
            rows_duplicate=self.rows_duplicate,
        )
        lines = [
            f"{file.file_name}: {file.status}"
            + (
                f", read {file.rows_read}, staged {file.rows_staged}, quarantined "
                f"{file.rows_quarantined}, duplicate {file.rows_duplicate}"
                if file.status == "staged"
                else f" ({file.message})"
                if file.message
                else ""
            )
            for file in self.files
            if file.status != "already_loaded"
        ]
        metadata["files"] = "\n".join(lines)
        return metadata


@dataclass(frozen=True)
class FileLoad:
    """One file merged into the raw tables: rows_read = loaded + quarantined + duplicate."""

    file_name: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_duplicate: int


@dataclass(frozen=True)
class LoadReport(_RowTotals):
    """Result of merge_staged for one source and batch."""

    source: str
    batch_id: str
    files: list[FileLoad] = field(default_factory=list)
    # rows inserted or replaced in the main raw table: orders whose current version changed
    # (their lines were replaced), codes upserted, events appended
    current_rows_changed: int = 0

    @property
    def rows_loaded(self) -> int:
        return _total(self.files, "rows_loaded")

    def as_metadata(self) -> dict[str, MetadataValue]:
        """Flat totals plus one line per file."""
        return {
            "source": self.source,
            "batch_id": self.batch_id,
            "files_loaded": len(self.files),
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_duplicate": self.rows_duplicate,
            "current_rows_changed": self.current_rows_changed,
            "files": "\n".join(
                f"{file.file_name}: read {file.rows_read}, loaded {file.rows_loaded}, "
                f"quarantined {file.rows_quarantined}, duplicate {file.rows_duplicate}"
                for file in self.files
            ),
        }
