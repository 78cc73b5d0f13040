"""Incremental staging models give the same marts as a full refresh, on a small demo store.

The demo store (2,500 orders, January to June 2025, no dirty rows) is loaded with the ingestion
library, its last 5 days held back. Each loaded raw row's `_loaded_at` is then set to the morning
after the day its file covers (06:00 UTC), as if a daily job had loaded the files one by one, so
the lookback has a history to skip. `dbt build` builds everything in full. The held-back days
(later versions of orders loaded before, new orders, messages, referral events), plus a new
version of an early order with fewer lines, are loaded for real and `dbt build` runs again,
incrementally; a copy of that warehouse is then rebuilt with `dbt build --full-refresh`. Every
table in schema `marts` must be the same in both.

To see which rows the incremental run read, the rows of the incremental models get a marker after
the first build: `_loaded_at` one microsecond early (no mart reads `_loaded_at`). A row the
incremental run read again carries the raw `_loaded_at` afterwards, one it skipped the marker.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from demo_store import generate_store
from tests.dbt_cli import run_dbt
from warehouse.connection import connect
from warehouse.ingestion import ensure_raw_schema, merge_staged, stage_new_files

pytestmark = pytest.mark.integration

SOURCES = ["orders", "referral_codes", "referral_events", "messages"]
FIRST_HELD_BACK_DAY = "2025-06-26"  # the store ends 2025-06-30: 5 days held back
LOOKBACK = timedelta(hours=72)  # var('incremental_lookback_hours'), the project default
# incremental model -> (its key, the raw table it reads, that key in the raw table, alias raw)
INCREMENTAL_MODELS = {
    "stg_shop__orders": ("order_id", "raw_shop.orders", "raw.order_id"),
    "stg_shop__order_lines": (
        "order_line_id",
        "raw_shop.order_lines",
        "raw.order_id || '-' || cast(raw.line_number as varchar)",
    ),
    "stg_messaging__message_events": (
        "message_event_id",
        "raw_messaging.message_events",
        "raw.event_id",
    ),
}


@dataclass
class Warehouses:
    incremental: Path  # built in full, then incrementally after the held-back days were loaded
    full_refresh: Path  # a copy of `incremental`, rebuilt with --full-refresh
    # incremental model -> the _loaded_at its incremental run read from
    cutoffs: dict[str, datetime]
    orders_versioned_again: int  # held-back order versions of orders loaded before them
    amended_order_id: str  # an early order whose last version keeps only the first of its lines
    incremental_run: dict[str, str]  # incremental model -> SQL dbt ran in the incremental build


def _load(duckdb_file: Path, landing: Path, batch: str) -> None:
    """Stage and merge every new landing file of every source (no gates: tested elsewhere)."""
    with connect(duckdb_file) as con:
        ensure_raw_schema(con)
        for source in SOURCES:
            batch_id = f"{batch}-{source}"
            stage_new_files(con, source, landing, batch_id)
            merge_staged(con, source, batch_id)


def _hold_back(landing: Path, held_back: Path) -> list[Path]:
    """Move the files of FIRST_HELD_BACK_DAY and later aside; returns where they went."""
    moved = []
    for path in sorted(landing.glob("*/*_20*")):
        if path.stem.rsplit("_", 1)[-1] >= FIRST_HELD_BACK_DAY:
            target = held_back / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            moved.append(Path(shutil.move(path, target)))
    return moved


def _backdate_loads(duckdb_file: Path) -> None:
    """Every raw row as if loaded at 06:00 UTC the day after the day its file covers."""
    with connect(duckdb_file) as con:
        for _, raw_table, _ in INCREMENTAL_MODELS.values():
            con.execute(
                f"""
                update {raw_table}
                set _loaded_at = cast(regexp_extract(_source_file, '\\d{{4}}-\\d{{2}}-\\d{{2}}')
                    as date) + interval 30 hour
                """
            )


def _mark_rows_and_find_cutoffs(duckdb_file: Path) -> dict[str, datetime]:
    """Set the marker on every row of the incremental models; the cutoff each will read from."""
    cutoffs = {}
    with connect(duckdb_file) as con:
        for model in INCREMENTAL_MODELS:
            con.execute(
                f"update staging.{model} set _loaded_at = _loaded_at - interval 1 microsecond"
            )
            newest = con.execute(f"select max(_loaded_at) from staging.{model}").fetchall()[0][0]
            cutoffs[model] = newest - LOOKBACK
    return cutoffs


def _amend_an_order_to_one_line(duckdb_file: Path, landing: Path, skip: set[str]) -> str:
    """Write a new version of an early two-line order that keeps only its first line.

    The generator never changes an order's lines, so this file is what tests that the lines a new
    version drops also leave the incremental model (delete+insert by order_id, not by line).
    """
    with connect(duckdb_file, read_only=True) as con:
        candidates = con.execute(
            """
            select orders.order_id, orders._source_file, orders._source_row_number
            from raw_shop.orders as orders
            inner join raw_shop.order_lines as lines
                on orders.order_id = lines.order_id
            where orders._source_file < 'orders_2025-02-01'
                and orders.discount_total = 0 and orders.refunded_total = 0
            group by 1, 2, 3
            having count(*) >= 2
            order by 1
            """
        ).fetchall()
    order_id, source_file, row_number = next(row for row in candidates if row[0] not in skip)
    line = (landing / "orders" / source_file).read_text().splitlines()[row_number - 1]
    record = json.loads(line, parse_float=Decimal)
    first_line = record["line_items"][0]
    subtotal = first_line["quantity"] * first_line["unit_price"]
    total = subtotal + record["shipping_total"] + record["tax_total"]
    record |= {
        "updated_at": "2025-06-30T23:00:00Z",
        "subtotal": f"{subtotal:.2f}",
        "total": f"{total:.2f}",
        "line_items": [first_line],
    }
    amended = landing / "orders" / "orders_2025-06-30-amended.jsonl"
    amended.write_text(json.dumps(record, default=str) + "\n")
    return str(order_id)


def _incremental_run_sql(target_dir: Path) -> dict[str, str]:
    results = json.loads((target_dir / "run_results.json").read_text())
    return {
        result["unique_id"].rsplit(".", 1)[-1]: result["compiled_code"]
        for result in results["results"]
        if result["unique_id"].rsplit(".", 1)[-1] in INCREMENTAL_MODELS
        and result["status"] == "success"
    }


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouses]:
    folder = tmp_path_factory.mktemp("incremental_equivalence")
    landing, held_back = folder / "landing", folder / "held_back"
    generate_store(landing, orders=2_500, seed=11, dirty_rate=0, end=date(2025, 6, 30))
    moved = _hold_back(landing, held_back)
    incremental = folder / "incremental" / "warehouse.duckdb"

    _load(incremental, landing, "initial")
    _backdate_loads(incremental)
    run_dbt(["build"], incremental, folder / "target_initial")
    cutoffs = _mark_rows_and_find_cutoffs(incremental)

    with connect(incremental) as con:
        loaded_orders = {
            row[0] for row in con.execute("select order_id from raw_shop.orders").fetchall()
        }
    held_back_orders = [
        json.loads(line)["order_id"]
        for path in moved
        if path.parent.name == "orders"
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    for path in moved:
        shutil.move(path, landing / path.parent.name / path.name)
    amended_order_id = _amend_an_order_to_one_line(incremental, landing, set(held_back_orders))
    _load(incremental, landing, "increment")
    run_dbt(["build"], incremental, folder / "target_incremental")

    full_refresh = folder / "full_refresh" / "warehouse.duckdb"  # same name: same catalog name
    full_refresh.parent.mkdir()
    shutil.copyfile(incremental, full_refresh)
    run_dbt(["build", "--full-refresh"], full_refresh, folder / "target_full_refresh")
    yield Warehouses(
        incremental=incremental,
        full_refresh=full_refresh,
        cutoffs=cutoffs,
        orders_versioned_again=sum(order_id in loaded_orders for order_id in held_back_orders),
        amended_order_id=amended_order_id,
        incremental_run=_incremental_run_sql(folder / "target_incremental"),
    )


def test_the_held_back_days_bring_new_versions_of_orders_loaded_before(
    warehouses: Warehouses,
) -> None:
    # the upsert path (a changed order replaces its row and its lines) is exercised
    assert warehouses.orders_versioned_again > 0


def test_an_order_whose_new_version_has_fewer_lines_loses_its_old_lines(
    warehouses: Warehouses,
) -> None:
    with connect(warehouses.incremental, read_only=True) as con:
        lines = con.execute(
            "select line_number from staging.stg_shop__order_lines where order_id = ?",
            [warehouses.amended_order_id],
        ).fetchall()
    assert lines == [(1,)]


def test_the_second_build_runs_the_incremental_models_incrementally(warehouses: Warehouses):
    assert set(warehouses.incremental_run) == set(INCREMENTAL_MODELS)
    for model, sql in warehouses.incremental_run.items():
        # is_incremental() was true: the cutoff subquery on the model itself is in the SQL run
        assert f'"staging"."{model}"' in sql and "_loaded_at >=" in sql, model


@pytest.mark.parametrize("model", list(INCREMENTAL_MODELS))
def test_the_incremental_run_reads_again_only_rows_loaded_within_the_lookback(
    warehouses: Warehouses, model: str
) -> None:
    key, raw_table, raw_key = INCREMENTAL_MODELS[model]
    cutoff = warehouses.cutoffs[model]
    with connect(warehouses.incremental, read_only=True) as con:
        rows = con.execute(
            f"""
            select
                raw._loaded_at >= ? as is_within_lookback,
                model._loaded_at = raw._loaded_at as was_read_again,
                count(*) as row_count
            from staging.{model} as model
            inner join {raw_table} as raw
                on model.{key} = {raw_key}
            group by 1, 2
            """,
            [cutoff],
        ).fetchall()
    counts = {(within, read_again): count for within, read_again, count in rows}
    # every row loaded since the cutoff was read again, every older row kept its marker
    assert set(counts) == {(True, True), (False, False)}, counts
    # and most rows are older: the run read a few days, not the whole table
    assert counts[(False, False)] > counts[(True, True)], counts


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? and table_type = 'BASE TABLE'"
        " order by 1",
        [catalog, schema],
    ).fetchall()
    return [row[0] for row in rows]


def _differences(
    con: duckdb.DuckDBPyConnection, left: str, right: str, exclude: str = ""
) -> tuple[int, int, int, int]:
    """Row counts of both tables, and rows of each missing from the other (EXCEPT ALL)."""
    columns = f"* exclude ({exclude})" if exclude else "*"
    row = con.execute(
        f"""
        select
            (select count(*) from {left}),
            (select count(*) from {right}),
            (select count(*) from (
                select {columns} from {left} except all select {columns} from {right}
            )),
            (select count(*) from (
                select {columns} from {right} except all select {columns} from {left}
            ))
        """
    ).fetchall()[0]
    return (int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def test_every_mart_is_identical_after_an_incremental_build_and_a_full_refresh(
    warehouses: Warehouses,
) -> None:
    with connect(warehouses.incremental, read_only=True) as con:
        con.execute(f"attach '{warehouses.full_refresh}' as full_refresh (read_only)")
        marts = _tables(con, "warehouse", "marts")
        assert marts == _tables(con, "full_refresh", "marts")
        assert len(marts) >= 7
        for mart in marts:
            counts = _differences(con, f"warehouse.marts.{mart}", f"full_refresh.marts.{mart}")
            incremental_rows, full_rows, only_incremental, only_full = counts
            assert incremental_rows > 0, mart
            assert (incremental_rows, only_incremental, only_full) == (full_rows, 0, 0), mart


@pytest.mark.parametrize("model", list(INCREMENTAL_MODELS))
def test_an_incremental_model_holds_the_same_rows_as_its_full_refresh(
    warehouses: Warehouses, model: str
) -> None:
    # _loaded_at differs only by the test's marker on the rows the run did not read again
    with connect(warehouses.incremental, read_only=True) as con:
        con.execute(f"attach '{warehouses.full_refresh}' as full_refresh (read_only)")
        incremental_rows, full_rows, only_incremental, only_full = _differences(
            con,
            f"warehouse.staging.{model}",
            f"full_refresh.staging.{model}",
            exclude="_loaded_at",
        )
    assert (incremental_rows, only_incremental, only_full) == (full_rows, 0, 0)
