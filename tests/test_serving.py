"""publish_marts on a fixture warehouse whose marts schema is written with SQL (no dbt needed).

The fixture marts' sizes follow one number, `customers`, so two versions never share a row count:
customer_lifetime_value has `customers` rows, cohort_retention_monthly `customers // 2 + 1`,
referral_funnel_monthly `customers % 7 + 3`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml  # type: ignore[import-untyped]

from tests.reader_loop import read_duckdb
from tests.settings_helpers import publish
from warehouse.paths import REPO_ROOT
from warehouse.serving import Publication, read_log
from warehouse.serving import parquet_store as parquet_store_module

READER_LOOP = REPO_ROOT / "tests" / "reader_loop.py"


def write_fixture_marts(warehouse: Path, customers: int) -> dict[str, int]:
    """(Re)build schema marts in `warehouse` with sizes following `customers`; returns row counts.

    Values cover what a loader can get wrong: NULL next to '' and a string with a comma, a quote,
    a newline and a non-ASCII letter; decimals, timestamps with time zone, dates, booleans, lists.
    """
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema if not exists marts")
        con.execute(
            f"""
            create or replace table marts.customer_lifetime_value as
            select
                'c' || lpad(cast(i as varchar), 6, '0') as customer_id,
                case i % 4
                    when 0 then 'paid_search' when 1 then 'referral' when 2 then null
                    else 'odd, "quoted"' || chr(10) || 'café'
                end as acquisition_channel,
                case when i % 5 = 0 then '' else 'note ' || i end as note,
                cast(i % 5 + 1 as integer) as order_count,
                cast(i * 12.5 + 0.25 as decimal(18, 2)) as net_revenue_amount,
                i % 3 = 0 as is_repeat_customer,
                cast(date '2025-01-01' + to_months(i % 12) as date) as cohort_month,
                timestamptz '2025-01-01 08:30:00+00' + to_hours(i) as first_ordered_at,
                [i, i + 1] as order_sizes
            from range(1, {customers} + 1) as numbers(i)
            """
        )
        con.execute(
            f"""
            create or replace table marts.cohort_retention_monthly as
            select
                cast(date '2025-01-01' + to_months(i % 6) as date) as cohort_month,
                cast(i as integer) as months_since_first_order,
                cast(1.0 / (i + 1) as double) as retention_rate
            from range(0, {customers} // 2 + 1) as numbers(i)
            """
        )
        con.execute(
            f"""
            create or replace table marts.referral_funnel_monthly as
            select
                cast(date '2025-01-01' + to_months(i) as date) as referral_month,
                cast(i * 10 as bigint) as referral_count
            from range(0, {customers} % 7 + 3) as numbers(i)
            """
        )
        names = con.execute("select table_name from duckdb_tables() where schema_name = 'marts'")
        return {
            name: int(con.execute(f"select count(*) from marts.{name}").fetchall()[0][0])
            for (name,) in names.fetchall()
        }
    finally:
        con.close()


def serving_counts(path: Path, schema: str = "") -> tuple[str, dict[str, int], dict[str, int]]:
    """(build id, counts recorded in _publication, counted rows) of a published DuckDB file."""
    return read_duckdb(str(path), schema)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    write_fixture_marts(path, customers=10)
    return path


def test_a_second_publication_replaces_the_first_in_every_local_target(
    warehouse: Path, tmp_path: Path
) -> None:
    serving = tmp_path / "serving"
    first = publish(warehouse, serving, "build-1")
    expected = write_fixture_marts(warehouse, customers=23)
    second = publish(warehouse, serving, "build-2")

    # 23 customers -> 23 value rows, 23 // 2 + 1 = 12 retention rows, 23 % 7 + 3 = 5 funnel rows
    assert expected == {
        "customer_lifetime_value": 23,
        "cohort_retention_monthly": 12,
        "referral_funnel_monthly": 5,
    }
    assert first.row_counts["customer_lifetime_value"] == 10
    assert second.row_counts == expected
    assert serving_counts(serving / "marts.duckdb") == ("build-2", expected, expected)
    views = serving / "marts_views.duckdb"
    assert serving_counts(views, "marts") == ("build-2", expected, expected)
    assert os.readlink(serving / "parquet" / "current") == "build-2"
    assert (serving / "parquet" / "CURRENT").read_text().strip() == "build-2"
    recorded = json.loads((serving / "parquet" / "build-2" / "_publication.json").read_text())
    assert recorded["row_counts"] == expected
    assert [r["build_id"] for r in read_log(serving) if r["status"] == "published"] == [
        "build-1",
        "build-2",
    ]
    assert not [p for p in serving.rglob("*") if ".tmp-" in p.name]
    # the v1.0.0 storage format, which the older DuckDB inside BI tools can open
    with duckdb.connect() as con:
        con.execute(f"attach '{serving / 'marts.duckdb'}' as served (read_only)")
        con.execute(f"attach '{views}' as views (read_only)")
        tags = con.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name in ('served', 'views')"
        ).fetchall()
        assert tags == [("v1.0.0+",), ("v1.0.0+",)]


def test_published_tables_hold_the_same_values_as_the_marts(
    warehouse: Path, tmp_path: Path
) -> None:
    publish(warehouse, tmp_path / "serving", "build-1")
    query = "select * from {} order by customer_id"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute(query.format("marts.customer_lifetime_value")).fetchall()
    served = duckdb.connect(str(tmp_path / "serving" / "marts.duckdb"), read_only=True)
    parquet = tmp_path / "serving" / "parquet" / "current" / "customer_lifetime_value.parquet"
    try:
        assert served.execute(query.format("marts.customer_lifetime_value")).fetchall() == expected
        assert served.execute(query.format(f"read_parquet('{parquet}')")).fetchall() == expected
        published_at = served.execute("select distinct published_at from _publication").fetchall()
        assert len(published_at) == 1
    finally:
        served.close()


def test_publication_metadata_names_the_build_and_every_marts_row_count(
    warehouse: Path, tmp_path: Path
) -> None:
    publication = publish(warehouse, tmp_path / "serving", "build-1")
    metadata = publication.as_metadata()
    assert isinstance(publication, Publication)
    assert metadata["build_id"] == "build-1"
    # 10 customers -> 10 + (10 // 2 + 1 = 6) + (10 % 7 + 3 = 6) rows
    assert metadata["customer_lifetime_value_row_count"] == 10
    assert metadata["total_row_count"] == 22
    assert metadata["postgres_target"] == "not published"


def test_a_failure_after_the_serving_file_is_built_leaves_the_previous_publication(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = tmp_path / "serving"
    first = publish(warehouse, serving, "build-1")
    before = (serving / "marts.duckdb").read_bytes()
    write_fixture_marts(warehouse, customers=30)

    def fail_parquet_write(*args: Any, **kwargs: Any) -> Path:
        assert list(serving.glob(".marts.duckdb.tmp-*")), "the new serving file is built by now"
        raise OSError("disk full (injected)")

    monkeypatch.setattr(parquet_store_module, "finish_build", fail_parquet_write)
    with pytest.raises(OSError, match="injected"):
        publish(warehouse, serving, "build-2")

    assert (serving / "marts.duckdb").read_bytes() == before
    assert serving_counts(serving / "marts.duckdb") == (
        "build-1",
        first.row_counts,
        first.row_counts,
    )
    assert serving_counts(serving / "marts_views.duckdb", "marts")[0] == "build-1"
    assert os.readlink(serving / "parquet" / "current") == "build-1"
    assert sorted(p.name for p in (serving / "parquet").iterdir()) == [
        "CURRENT",
        "build-1",
        "current",
    ]
    assert not [p for p in serving.rglob("*") if ".tmp-" in p.name]
    last = read_log(serving)[-1]
    assert (last["status"], last["build_id"]) == ("failed", "build-2")
    assert "injected" in last["error"]


def test_an_unreachable_postgres_fails_the_publication_and_changes_nothing_local(
    warehouse: Path, tmp_path: Path
) -> None:
    serving = tmp_path / "serving"
    publish(warehouse, serving, "build-1")
    write_fixture_marts(warehouse, customers=30)
    closed_port = _free_port()
    with pytest.raises(Exception, match=str(closed_port)):
        publish(
            warehouse,
            serving,
            "build-2",
            serving_pg_dsn=f"host=127.0.0.1 port={closed_port} dbname=x user=x connect_timeout=3",
        )
    assert serving_counts(serving / "marts.duckdb")[0] == "build-1"
    assert os.readlink(serving / "parquet" / "current") == "build-1"
    assert not (serving / "parquet" / "build-2").exists()


def test_only_the_last_three_parquet_builds_are_kept(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    for number in range(1, 6):
        publication = publish(warehouse, serving, f"build-{number}")
    assert publication.pruned_builds == ["build-2"]
    builds = sorted(p.name for p in (serving / "parquet").iterdir() if not p.is_symlink())
    assert builds == ["CURRENT", "build-3", "build-4", "build-5"]


def test_a_reader_that_opened_the_old_file_keeps_its_snapshot(
    warehouse: Path, tmp_path: Path
) -> None:
    serving = tmp_path / "serving"
    first = publish(warehouse, serving, "build-1")
    old_reader = duckdb.connect(str(serving / "marts.duckdb"), read_only=True)
    try:
        write_fixture_marts(warehouse, customers=40)
        publish(warehouse, serving, "build-2")
        counted = old_reader.execute("select count(*) from customer_lifetime_value").fetchone()
        assert counted == (first.row_counts["customer_lifetime_value"],)
    finally:
        old_reader.close()
    assert serving_counts(serving / "marts.duckdb")[0] == "build-2"


def test_bad_build_ids_and_a_warehouse_without_marts_are_refused(tmp_path: Path) -> None:
    for bad in ["../escape", "current", "with space", ""]:
        with pytest.raises(ValueError, match="build id"):
            publish(tmp_path / "warehouse.duckdb", tmp_path / "serving", bad)
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        con.execute("create schema marts")
    with pytest.raises(RuntimeError, match="no table in schema marts"):
        publish(tmp_path / "empty.duckdb", tmp_path / "serving", "build-1")
    assert not (tmp_path / "serving" / "marts.duckdb").exists()


# -- concurrent readers -----------------------------------------------------------------------


def start_reader(mode: str, target: str, work: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    """Start tests/reader_loop.py; returns (process, its stop file, its ready file)."""
    stop, ready = work / f"{mode}.stop", work / f"{mode}.ready"
    command = [sys.executable, str(READER_LOOP), mode, target, "--seconds", "90"]
    process = subprocess.Popen(
        [*command, "--stop-file", str(stop), "--ready-file", str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    return process, stop, ready


def wait_until_ready(readers: list[tuple[subprocess.Popen[str], Path, Path]]) -> None:
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _, _, ready in readers):
        for process, _, _ in readers:
            if process.poll() is not None:
                raise AssertionError(f"reader exited early: {process.communicate()}")
        assert time.monotonic() < deadline, "readers never completed a first read"
        time.sleep(0.05)


def stop_reader(process: subprocess.Popen[str], stop: Path) -> dict[str, Any]:
    stop.touch()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, f"reader failed: {err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


def check_reads(summary: dict[str, Any], publications: list[Publication]) -> str:
    """Assert zero errors and that every read was exactly one publication; returns a report."""
    versions = {p.build_id: p.row_counts for p in publications}
    report = (
        f"{summary['mode']} reader: {summary['reads']} reads, {summary['error_count']} errors, "
        f"{len(summary['observations'])} versions seen of {len(publications)} published"
    )
    assert summary["error_count"] == 0, f"{report}; errors: {summary['errors']}"
    assert summary["reads"] > 0, report
    for seen in summary["observations"]:
        matches = [
            build_id
            for build_id, counts in versions.items()
            if build_id == seen["build_id"] and counts == seen["published"] == seen["counted"]
        ]
        assert len(matches) == 1, f"{report}; a read matching no single publication: {seen}"
    return report


@pytest.mark.integration
def test_concurrent_readers_only_ever_see_complete_publications(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serving = tmp_path / "serving"
    publications = [publish(warehouse, serving, "build-0")]
    readers = {
        "duckdb": start_reader("duckdb", str(serving / "marts.duckdb"), tmp_path),
        "views": start_reader("views", str(serving / "marts_views.duckdb"), tmp_path),
        "parquet": start_reader("parquet", str(serving / "parquet"), tmp_path),
    }
    try:
        wait_until_ready(list(readers.values()))
        for number in range(1, 9):
            write_fixture_marts(warehouse, customers=10 + 13 * number)
            publications.append(publish(warehouse, serving, f"build-{number}"))
            time.sleep(0.5)
        summaries = {mode: stop_reader(p, stop) for mode, (p, stop, _) in readers.items()}
    finally:
        for process, _, _ in readers.values():
            if process.poll() is None:
                process.kill()
    reports = [check_reads(summary, publications) for summary in summaries.values()]
    with capsys.disabled():
        print("\n" + "\n".join(reports))
    for summary in summaries.values():
        assert len(summary["observations"]) >= 2, "the reader never saw a publication change"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the BI guide's sample queries ------------------------------------------------------------

MARTS_DIR = REPO_ROOT / "dbt_project" / "models" / "marts"
BI_GUIDE = REPO_ROOT / "docs" / "bi-guide.md"


def write_contract_marts(warehouse: Path) -> list[str]:
    """Empty marts shaped by the enforced dbt contracts (every column and type in the marts'
    `_<subject>__models.yml`), so the guide's queries are checked against the real column names
    without running dbt."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists marts")
        names = []
        for properties in sorted(MARTS_DIR.rglob("_*__models.yml")):
            for model in yaml.safe_load(properties.read_text()).get("models") or []:
                columns = [c for c in model.get("columns") or [] if c.get("data_type")]
                if not columns:
                    continue
                definition = ", ".join(f'"{c["name"]}" {c["data_type"]}' for c in columns)
                con.execute(f'create or replace table marts."{model["name"]}" ({definition})')
                names.append(model["name"])
        return names
    finally:
        con.close()


def bi_guide_queries() -> list[str]:
    """Every ```sql block of docs/bi-guide.md that reads the marts by table name."""
    blocks = re.findall(r"```sql\n(.*?)```", BI_GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    return [block for block in blocks if "read_parquet" not in block and "read_json" not in block]


def test_every_sample_query_of_the_bi_guide_runs_on_the_published_marts(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    marts = write_contract_marts(warehouse)
    assert {"customer_lifetime_value", "referral_linked_purchases"} <= set(marts)
    publish(warehouse, tmp_path / "serving", "guide-1")
    queries = bi_guide_queries()
    assert len(queries) >= 5
    for path in [
        tmp_path / "serving" / "marts.duckdb",
        tmp_path / "serving" / "marts_views.duckdb",
    ]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            for query in queries:
                con.execute(query).fetchall()
        finally:
            con.close()
