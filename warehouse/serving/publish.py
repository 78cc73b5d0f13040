"""publish_marts: every table of schema `marts`, published for BI tools; build first, swap last.

Order, so that a failure at any step leaves the last good publication in place everywhere:

1. build (nothing visible): a new serving DuckDB file `.marts.duckdb.tmp-*` and the Parquet files
   of the build in a hidden folder, both from one read-only snapshot of the warehouse; the Parquet
   folder is renamed to parquet/<build_id> (not current yet), and the views file is built as a temp.
2. PostgreSQL (optional): load `marts_<build>` and swap it in; the commit is the swap.
3. local swaps, each one rename: marts.duckdb, parquet/current (+ CURRENT), marts_views.duckdb.
4. log the publication, then delete Parquet builds beyond the last `keep`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from warehouse.serving import parquet_store, postgres
from warehouse.serving.names import check_build_id
from warehouse.serving.publication import Publication, append_log
from warehouse.serving.snapshot import build_serving_file, fsync_path
from warehouse.settings import Settings

SERVING_FILE = "marts.duckdb"
VIEWS_FILE = "marts_views.duckdb"
PARQUET_DIR = "parquet"
LOCK_FILE = ".publish.lock"


def publish_marts(settings: Settings, build_id: str) -> Publication:
    """Publish every table of the warehouse's schema `marts` as build `build_id`.

    Opens `settings.warehouse_path` read-only itself: call it when no connection holds the
    warehouse open (after dbt). Writes <serving_dir>/marts.duckdb, <serving_dir>/parquet/<build_id>/
    with the `current` pointer, <serving_dir>/marts_views.duckdb and, when
    `settings.serving_pg_dsn` is set, schema `marts` in PostgreSQL. Raises on any failure, after
    removing its temp files; the previous publication stays in place. Publishers on one serving
    folder run one at a time.
    """
    check_build_id(build_id)
    serving_dir = settings.serving_dir.resolve()
    parquet_root = serving_dir / PARQUET_DIR
    parquet_root.mkdir(parents=True, exist_ok=True)
    with _exclusive(serving_dir / LOCK_FILE):
        parquet_store.remove_leftovers(serving_dir)
        parquet_store.remove_leftovers(parquet_root)
        try:
            return _publish(settings, serving_dir, parquet_root, build_id)
        except BaseException as error:
            append_log(
                serving_dir,
                {
                    "status": "failed",
                    "build_id": build_id,
                    "failed_at": datetime.now(UTC).isoformat(),
                    "error": f"{type(error).__name__}: {error}"[:2000],
                },
            )
            raise


def _publish(
    settings: Settings, serving_dir: Path, parquet_root: Path, build_id: str
) -> Publication:
    started = time.monotonic()
    published_at = datetime.now(UTC)
    serving_file = serving_dir / SERVING_FILE
    views_file = serving_dir / VIEWS_FILE
    serving_tmp = parquet_store.temp_name(serving_file)
    views_tmp = parquet_store.temp_name(views_file)
    parquet_tmp = parquet_store.temp_name(parquet_root / build_id)
    work_dir = Path(tempfile.mkdtemp(prefix=".work.tmp-", dir=serving_dir))
    build_dir: Path | None = None
    try:
        parquet_tmp.mkdir()
        snapshot = build_serving_file(settings, serving_tmp, parquet_tmp, build_id, published_at)
        build_record = {
            "build_id": build_id,
            "published_at": published_at.isoformat(),
            "row_counts": snapshot.row_counts,
        }
        build_dir = parquet_store.finish_build(parquet_tmp, parquet_root, build_id, build_record)
        parquet_store.build_views_file(
            views_tmp, build_dir, snapshot.marts, settings.serving_duckdb_storage_version
        )
        postgres_target = None
        if settings.serving_pg_dsn:
            csv_files = postgres.export_csv(serving_tmp, snapshot, work_dir)
            postgres_target = postgres.publish_to_postgres(
                settings, build_id, published_at, snapshot, csv_files
            )
        # from here on only renames: BI readers switch to the new build
        _replace_read_only(serving_tmp, serving_file)
        parquet_store.switch_current(parquet_root, build_id)
        _replace_read_only(views_tmp, views_file)
        fsync_path(serving_dir)
        pruned = parquet_store.prune(parquet_root, settings.serving_keep_builds)
        publication = Publication(
            build_id=build_id,
            published_at=published_at,
            row_counts=snapshot.row_counts,
            serving_file=serving_file,
            parquet_dir=build_dir,
            views_file=views_file,
            postgres_target=postgres_target,
            duration_seconds=time.monotonic() - started,
            pruned_builds=pruned,
        )
        append_log(serving_dir, publication.as_record())
        return publication
    except BaseException:
        if build_dir is not None and parquet_store.current_build(parquet_root) != build_id:
            shutil.rmtree(build_dir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        for temp in (serving_tmp, views_tmp):
            temp.unlink(missing_ok=True)
            Path(f"{temp}.wal").unlink(missing_ok=True)
        shutil.rmtree(parquet_tmp, ignore_errors=True)


def _replace_read_only(temp: Path, final: Path) -> None:
    """Mark the new file read-only (a BI tool opening it read-write then fails) and rename it in."""
    temp.chmod(0o444)
    os.replace(temp, final)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One publisher per serving folder: a second one waits for the first to finish."""
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
