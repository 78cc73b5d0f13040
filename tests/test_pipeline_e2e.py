"""`make run` end to end: demo store -> warehouse_job -> summary; a second run loads nothing."""

from pathlib import Path

import duckdb
import pytest

from orchestration.runner import make_run as run_pipeline
from warehouse.summary import SourceCounts, raw_tables


def test_a_landing_folder_with_only_generator_leftovers_counts_as_empty(tmp_path: Path):
    (tmp_path / "orders").mkdir()
    (tmp_path / "_generation_report.json").write_text("{}")
    assert run_pipeline.landing_is_empty(tmp_path)
    (tmp_path / "orders" / "orders_2025-01-01.jsonl").write_text("{}\n")
    assert not run_pipeline.landing_is_empty(tmp_path)
    # a folder with files is never overwritten by the demo store
    assert not run_pipeline.ensure_demo_store(tmp_path, orders=10)


def test_source_counts_add_up_only_when_every_row_is_accounted_for():
    assert SourceCounts("orders", 1, 10, 7, 2, 1).adds_up
    assert not SourceCounts("orders", 1, 10, 7, 2, 0).adds_up


def _raw_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
            for table in raw_tables()
        }


@pytest.mark.integration
def test_make_run_loads_a_demo_store_and_a_second_run_changes_nothing(
    warehouse_env: Path, capsys: pytest.CaptureFixture[str]
):
    warehouse = warehouse_env / "warehouse.duckdb"

    # the landing folder is empty: main writes a (small) demo store first
    assert run_pipeline.main(["--demo-orders", "2000", "--log-level", "WARNING"]) == 0
    first = capsys.readouterr().out
    assert "demo store: 2,000 orders" in first
    assert "warehouse_job run" in first and "succeeded" in first
    assert "customer_lifetime_value:" in first and "not available" not in first

    with duckdb.connect(str(warehouse), read_only=True) as con:
        files = con.execute(
            "select source, file_name, rows_read, rows_loaded, rows_quarantined, rows_duplicate"
            " from raw_meta.load_log where status = 'loaded'"
        ).fetchall()
    assert {row[0] for row in files} == {"orders", "referral_codes", "referral_events", "messages"}
    for source, name, read, loaded, quarantined, duplicate in files:
        assert read == loaded + quarantined + duplicate, (source, name)
    # the dirty demo rows were caught: some quarantined, some duplicates
    assert sum(row[4] for row in files) > 0 and sum(row[5] for row in files) > 0
    counts = _raw_counts(warehouse)
    assert counts["raw_shop.orders"] == 2000

    # nothing new in landing: every raw table keeps its row count
    assert run_pipeline.main(["--log-level", "WARNING"]) == 0
    second = capsys.readouterr().out
    assert "demo store" not in second
    assert _raw_counts(warehouse) == counts
    assert (warehouse_env / "serving" / "marts.duckdb").exists()
