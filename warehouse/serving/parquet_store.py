"""Parquet builds under serving_dir/parquet: one folder per build, an atomic `current` pointer.

    parquet/<build_id>/<mart>.parquet, _publication.parquet, _publication.json
    parquet/current -> <build_id>      (relative symlink, replaced with os.replace)
    parquet/CURRENT                    (the same build id as text, for tools that ignore symlinks)

A reader resolves `current` once and reads every file from that folder: older folders stay on
disk for the last `keep` builds, so a reader that resolved an old pointer can finish.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb

from warehouse.serving.snapshot import (
    PUBLICATION_TABLE,
    fsync_path,
    quote_identifier,
    sql_literal,
)

CURRENT_LINK = "current"
CURRENT_FILE = "CURRENT"
PUBLICATION_JSON = "_publication.json"


def temp_name(final: Path) -> Path:
    """A hidden sibling of `final` for building it; `remove_leftovers` knows the pattern."""
    return final.with_name(f".{final.name}.tmp-{uuid.uuid4().hex[:12]}")


def current_build(parquet_root: Path) -> str | None:
    """The build id `current` points at, None before the first publication."""
    link = parquet_root / CURRENT_LINK
    if link.is_symlink():
        return Path(os.readlink(link)).name
    marker = parquet_root / CURRENT_FILE
    return marker.read_text(encoding="utf-8").strip() if marker.exists() else None


def finish_build(staging: Path, parquet_root: Path, build_id: str, record: dict[str, Any]) -> Path:
    """Add `_publication.json`, flush every file, and rename the staging folder to <build_id>."""
    (staging / PUBLICATION_JSON).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for path in staging.iterdir():
        fsync_path(path)
    fsync_path(staging)
    final = parquet_root / build_id
    if final.exists():
        if current_build(parquet_root) == build_id:
            raise ValueError(f"build {build_id} is the current publication: publish a new build id")
        shutil.rmtree(final)
    os.rename(staging, final)
    fsync_path(parquet_root)
    return final


def switch_current(parquet_root: Path, build_id: str) -> None:
    """Point `current` (symlink) and `CURRENT` (text file) at the build, each by one rename."""
    link_tmp = temp_name(parquet_root / CURRENT_LINK)
    os.symlink(build_id, link_tmp)
    os.replace(link_tmp, parquet_root / CURRENT_LINK)
    marker_tmp = temp_name(parquet_root / CURRENT_FILE)
    marker_tmp.write_text(build_id + "\n", encoding="utf-8")
    fsync_path(marker_tmp)
    os.replace(marker_tmp, parquet_root / CURRENT_FILE)
    fsync_path(parquet_root)


def build_views_file(target: Path, build_dir: Path, marts: list[str], storage_version: str) -> None:
    """A small DuckDB file with one view per mart in schema `marts` over this build's Parquet.

    The views name the build folder itself (absolute path), not `current`: a reader that opened
    this file reads one build in every query, even while `current` moves on.
    """
    con = duckdb.connect()
    try:
        con.execute(
            f"attach {sql_literal(target)} as views "
            f"(storage_version {sql_literal(storage_version)})"
        )
        con.execute("create schema views.marts")
        for table in [*marts, PUBLICATION_TABLE]:
            parquet_file = (build_dir / f"{table}.parquet").resolve()
            con.execute(
                f"create view views.marts.{quote_identifier(table)} as "
                f"select * from read_parquet({sql_literal(parquet_file)})"
            )
        con.execute("checkpoint views")
        con.execute("detach views")
    finally:
        con.close()
    fsync_path(target)


def prune(parquet_root: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` builds (never the current one); returns the deleted ids."""
    current = current_build(parquet_root)
    builds = [
        path
        for path in parquet_root.iterdir()
        if path.is_dir() and not path.is_symlink() and not path.name.startswith(".")
    ]
    builds.sort(key=_published_at, reverse=True)
    kept = {current} if current else set()
    for path in builds:
        if len(kept) >= keep:
            break
        kept.add(path.name)
    deleted = []
    for path in builds:
        if path.name not in kept:
            shutil.rmtree(path, ignore_errors=True)
            deleted.append(path.name)
    return sorted(deleted)


def _published_at(build_dir: Path) -> str:
    """Sort key: the build's published_at (ISO text sorts in time order), else its mtime."""
    try:
        record = json.loads((build_dir / PUBLICATION_JSON).read_text(encoding="utf-8"))
        return str(record["published_at"])
    except (OSError, ValueError, KeyError):
        return f"0000-mtime-{build_dir.stat().st_mtime:020.6f}"


def remove_leftovers(folder: Path) -> None:
    """Delete temp files and folders a crashed publication left behind (callers hold the lock)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name.startswith(".") and ".tmp-" in path.name:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
