"""How steps open the warehouse and run a transaction."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.connection import open_warehouse, transaction
from warehouse.settings import Settings


def test_a_step_opens_the_configured_file_in_utc_with_its_memory_limit(tmp_path: Path):
    settings = Settings(warehouse_path=tmp_path / "deep" / "w.duckdb", duckdb_memory_limit="512MB")
    with open_warehouse(settings) as con:
        zone = con.execute("select current_setting('TimeZone')").fetchone()
        limit = con.execute("select current_setting('memory_limit')").fetchone()
    assert settings.warehouse_path.exists()
    assert zone == ("UTC",)
    # DuckDB reports the limit in its own units: 512 MB = 488.2 MiB
    assert limit is not None and limit[0].startswith("488")


def test_a_transaction_commits_when_the_block_ends_and_rolls_back_when_it_raises(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table t (i integer)")
        with transaction(con):
            con.execute("insert into t values (1)")
        with pytest.raises(ValueError), transaction(con):
            con.execute("insert into t values (2)")
            raise ValueError("bad row")
        assert con.execute("select i from t").fetchall() == [(1,)]


def test_the_blocks_own_error_surfaces_when_the_transaction_is_already_gone(tmp_path: Path):
    # DuckDB ends a transaction by itself on a fatal error such as a full disk; the rollback then
    # fails with "no transaction is active", which must not replace the error that caused it
    with (
        duckdb.connect(str(tmp_path / "w.duckdb")) as con,
        pytest.raises(OSError, match="No space left on device"),
        transaction(con),
    ):
        con.execute("commit")  # what the fatal error does to the transaction
        raise OSError(28, "No space left on device")
