"""Which landing files are new: discovery, SHA-256, whole-file byte checks and the load log.

Files are read once here in chunks (hash, UTF-8 validity, emptiness in one pass) so DuckDB only
parses files that can be parsed, and a defect is reported against the file that has it.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from warehouse.ingestion.schema import LOAD_LOG_TABLE
from warehouse.sources import SourceSpec

_CHUNK_BYTES = 8 * 1024 * 1024
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}

FileState = Literal["new", "already_loaded", "conflict", "previously_rejected"]


@dataclass(frozen=True)
class FileDefect:
    """A whole-file defect: the rule name (load log / docs) and a message naming file and rule."""

    rule: str
    message: str


@dataclass(frozen=True)
class LandingFile:
    """One file in a source's landing folder, hashed and classified against the load log."""

    path: Path
    format: str  # jsonl, csv, parquet, or the unsupported extension
    sha256: str
    state: FileState
    defect: FileDefect | None = None
    logged_conflict: bool = False  # this exact conflicting content is already in the load log

    @property
    def name(self) -> str:
        return self.path.name


def discover_files(folder: Path) -> list[Path]:
    """Landing files of one source in name order; names starting with '_' or '.' are ignored."""
    if not folder.is_dir():
        return []
    return sorted(
        (path for path in folder.iterdir() if path.is_file() and path.name[0] not in "_."),
        key=lambda path: path.name,
    )


def _file_format(path: Path) -> str:
    return _EXTENSIONS.get(path.suffix.lower(), path.suffix.lower() or "(none)")


def scan_file(path: Path, file_format: str) -> tuple[str, FileDefect | None]:
    """SHA-256 of the file, plus empty_file / invalid_encoding for text formats."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    text = file_format in ("jsonl", "csv")
    has_content = False
    defect: FileDefect | None = None
    offset = 0
    lines_before = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
            has_content = has_content or bool(chunk.strip()) or not text
            if text and defect is None:
                pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    position = offset - pending + error.start
                    line = lines_before + chunk.count(b"\n", 0, max(position - offset, 0)) + 1
                    defect = FileDefect(
                        "invalid_encoding",
                        f"{path.name}: invalid_encoding: not UTF-8 (bad byte at offset {position}, "
                        f"line {line}); re-export the file as UTF-8",
                    )
                lines_before += chunk.count(b"\n")
            offset += len(chunk)
    if defect is None and text:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            defect = FileDefect(
                "invalid_encoding",
                f"{path.name}: invalid_encoding: the file ends inside a UTF-8 character",
            )
    if defect is None and not has_content:
        what = "0 bytes" if offset == 0 else "only blank lines"
        defect = FileDefect("empty_file", f"{path.name}: empty_file: the file has {what}")
    return digest.hexdigest(), defect


def _unsupported(spec: SourceSpec, path: Path, file_format: str) -> FileDefect:
    accepted = ", ".join(f".{fmt}" for fmt in spec.formats)
    return FileDefect(
        "unsupported_format",
        f"{path.name}: unsupported_format: {spec.name} accepts {accepted}, got {file_format}",
    )


def classify_files(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, paths: list[Path]
) -> list[LandingFile]:
    """Hash every file and decide, from the load log, whether it is new, loaded or a conflict.

    Loaded with the same hash: nothing to do. Loaded with another hash: conflict (never loaded).
    Rejected with the same hash: the same defect again, so skipped. Blocked: retried, the gate or
    its suite may have changed since.
    """
    history: dict[str, list[tuple[str, str]]] = {}
    rows = con.execute(
        f"select file_name, file_sha256, status from {LOAD_LOG_TABLE} where source = ?",
        [spec.name],
    ).fetchall()
    for file_name, sha256, status in rows:
        history.setdefault(file_name, []).append((sha256, status))

    files = []
    for path in paths:
        file_format = _file_format(path)
        sha256, defect = scan_file(path, file_format)
        if defect is None and file_format not in spec.formats:
            defect = _unsupported(spec, path, file_format)
        logged = history.get(path.name, [])
        loaded_hashes = {digest for digest, status in logged if status == "loaded"}
        state: FileState = "new"
        if sha256 in loaded_hashes:
            state = "already_loaded"
        elif loaded_hashes:
            state = "conflict"
            defect = FileDefect(
                "conflict",
                f"{path.name}: conflict: a file of this name was already loaded with other "
                f"content (sha256 {sorted(loaded_hashes)[0][:12]}..., now {sha256[:12]}...); "
                "it is not loaded again, put corrections in a new file",
            )
        elif (sha256, "rejected") in logged:
            state = "previously_rejected"
        logged_conflict = (sha256, "conflict") in logged
        files.append(LandingFile(path, file_format, sha256, state, defect, logged_conflict))
    return files
