"""publish_marts into a throwaway PostgreSQL started by scripts/postgres_serving.sh.

The server runs on 127.0.0.1, on a free port, with its data in a temporary folder, and is stopped
at the end of the session. The script installs PostgreSQL with apt-get when it is missing and this
is root; the tests are skipped (with the script's reason) only when that is impossible.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest

from tests.settings_helpers import publish
from tests.test_serving import (
    bi_guide_queries,
    check_reads,
    start_reader,
    stop_reader,
    wait_until_ready,
    write_contract_marts,
    write_fixture_marts,
)
from warehouse.paths import REPO_ROOT
from warehouse.serving import Publication

SCRIPT = REPO_ROOT / "scripts" / "postgres_serving.sh"
UNAVAILABLE = 3  # the script's exit status when PostgreSQL is missing and cannot be installed

pytestmark = pytest.mark.integration


class Server:
    def __init__(self, dsn: str, env: dict[str, str]) -> None:
        self.dsn = dsn
        self.env = env
        fields = dict(part.split("=", 1) for part in dsn.split())
        self.port, self.user, self.dbname = fields["port"], fields["user"], fields["dbname"]

    def psql(self, query: str) -> list[str]:
        """`psql -h 127.0.0.1 -p PORT -U USER -d DB -tA -c QUERY`: one string per output row."""
        psql = shutil.which("psql") or sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
        connection = [psql, "-X", "-h", "127.0.0.1", "-p", self.port, "-U", self.user]
        options = ["-v", "ON_ERROR_STOP=1", "-tA", "-F", "|"]
        completed = subprocess.run(
            [*connection, "-d", self.dbname, *options, "-c", query],
            capture_output=True,
            text=True,
            check=False,
            env=self.env,
        )
        assert completed.returncode == 0, completed.stderr
        return completed.stdout.rstrip("\n").split("\n")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    data = Path(tempfile.mkdtemp(prefix="ltv-serving-pg-"))  # /tmp: the postgres user reaches it
    env = {
        **os.environ,
        "SERVING_PG_DATA": str(data),
        "SERVING_PG_PORT": "auto",
        "SERVING_PG_USER": "postgres",
        "SERVING_PG_DB": "warehouse_test",
    }
    env.pop("SERVING_PG_PASSWORD", None)
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=900
    )
    if started.returncode == UNAVAILABLE:
        shutil.rmtree(data, ignore_errors=True)
        pytest.skip(f"no PostgreSQL on this machine: {started.stderr.strip()}")
    assert started.returncode == 0, f"postgres_serving.sh start failed:\n{started.stderr}"
    try:
        yield Server(started.stdout.strip().splitlines()[-1], env)
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(data, ignore_errors=True)


def duckdb_figures(warehouse: Path, query: str) -> list[str]:
    """The same query on the warehouse marts, rendered as psql -tA renders it."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(query).fetchall()
    finally:
        con.close()
    return ["|".join(_render(value) for value in row) for row in rows]


def _render(value: object) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return str(value)
    return "" if value is None else str(value)


# every query runs unchanged on DuckDB and PostgreSQL
FIGURES = [
    "select count(*), sum(net_revenue_amount), sum(order_count) from marts.customer_lifetime_value",
    "select count(acquisition_channel), count(*) filter (where note = ''), "
    "count(*) filter (where is_repeat_customer) from marts.customer_lifetime_value",
    # NULL, '' and the string with a comma, quotes, a newline and an accent all arrive intact
    "select md5(string_agg(coalesce(acquisition_channel, '<null>') || '|' || note, ',' "
    "order by customer_id)) from marts.customer_lifetime_value",
    "select cast(extract(epoch from min(first_ordered_at)) as bigint), max(cohort_month) "
    "from marts.customer_lifetime_value",
    "select cohort_month, count(*) from marts.cohort_retention_monthly group by 1 order by 1",
    "select referral_month, referral_count from marts.referral_funnel_monthly order by 1",
]


def test_postgres_holds_the_same_figures_as_the_duckdb_marts(
    postgres_server: Server, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    counts = write_fixture_marts(warehouse, customers=25)
    publication = publish(
        warehouse, tmp_path / "serving", "pg-1", serving_pg_dsn=postgres_server.dsn
    )

    assert publication.postgres_target and publication.postgres_target.endswith("schema marts")
    for query in FIGURES:
        assert postgres_server.psql(query) == duckdb_figures(warehouse, query), query
    # a double column: the same sum to 12 significant digits (summation order may differ)
    retention = "select sum(retention_rate) from marts.cohort_retention_monthly"
    assert float(postgres_server.psql(retention)[0]) == pytest.approx(
        float(duckdb_figures(warehouse, retention)[0]), rel=1e-12
    )
    # a DuckDB list arrives as a jsonb array
    sizes = postgres_server.psql(
        "select sum(jsonb_array_length(order_sizes)) from marts.customer_lifetime_value"
    )
    assert sizes == [str(2 * counts["customer_lifetime_value"])]
    published = postgres_server.psql(
        "select build_id, mart_name, row_count from marts._publication order by mart_name"
    )
    assert published == [f"pg-1|{mart}|{n}" for mart, n in sorted(counts.items())]
    assert postgres_server.psql(
        "select data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'customer_lifetime_value' and column_name = 'net_revenue_amount'"
    ) == ["numeric"]


def test_a_republication_keeps_the_previous_schema_and_drops_older_ones(
    postgres_server: Server, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    for number, customers in enumerate([11, 12, 13]):
        write_fixture_marts(warehouse, customers=customers)
        publish(
            warehouse, tmp_path / "serving", f"keep-{number}", serving_pg_dsn=postgres_server.dsn
        )
    schemas = postgres_server.psql(
        "select nspname from pg_namespace where nspname like 'marts%' order by 1"
    )
    assert schemas == ["marts", "marts_previous"]
    assert postgres_server.psql("select distinct build_id from marts._publication") == ["keep-2"]
    previous = postgres_server.psql("select distinct build_id from marts_previous._publication")
    assert previous == ["keep-1"]


def test_a_reader_transaction_keeps_its_version_and_the_swap_waits_for_it(
    postgres_server: Server, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    write_fixture_marts(warehouse, customers=14)
    publish(warehouse, tmp_path / "serving", "wait-1", serving_pg_dsn=postgres_server.dsn)
    write_fixture_marts(warehouse, customers=41)
    outcome: list[Publication | BaseException] = []

    def publish_in_background() -> None:
        try:
            outcome.append(
                publish(
                    warehouse, tmp_path / "serving", "wait-2", serving_pg_dsn=postgres_server.dsn
                )
            )
        except BaseException as error:
            outcome.append(error)

    with psycopg.connect(postgres_server.dsn) as reader:
        first = reader.execute("select distinct build_id from marts._publication").fetchall()
        publisher = threading.Thread(target=publish_in_background)
        publisher.start()
        time.sleep(2.0)  # the publisher has loaded its schema and waits for our lock by now
        counted = reader.execute("select count(*) from marts.customer_lifetime_value").fetchall()
        assert (first, counted, outcome) == ([("wait-1",)], [(14,)], [])
        reader.commit()
        publisher.join(timeout=60)
        assert outcome and isinstance(outcome[0], Publication), outcome
        assert reader.execute("select distinct build_id from marts._publication").fetchall() == [
            ("wait-2",)
        ]
        counted = reader.execute("select count(*) from marts.customer_lifetime_value").fetchall()
        assert counted == [(41,)]


def test_postgres_readers_never_see_a_mix_during_republication(
    postgres_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    write_fixture_marts(warehouse, customers=9)
    publications = [
        publish(warehouse, tmp_path / "serving", "mix-0", serving_pg_dsn=postgres_server.dsn)
    ]
    reader = start_reader("postgres", postgres_server.dsn, tmp_path)
    try:
        wait_until_ready([reader])
        for number in range(1, 7):
            write_fixture_marts(warehouse, customers=9 + 17 * number)
            publications.append(
                publish(
                    warehouse,
                    tmp_path / "serving",
                    f"mix-{number}",
                    serving_pg_dsn=postgres_server.dsn,
                )
            )
            time.sleep(0.3)
        summary = stop_reader(reader[0], reader[1])
    finally:
        if reader[0].poll() is None:
            reader[0].kill()
    report = check_reads(summary, publications)
    with capsys.disabled():
        print("\n" + report)
    assert len(summary["observations"]) >= 2, f"{report}: the reader never saw a new version"


def test_every_sample_query_of_the_bi_guide_runs_on_postgres(
    postgres_server: Server, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    write_contract_marts(warehouse)
    publish(warehouse, tmp_path / "serving", "guide-pg", serving_pg_dsn=postgres_server.dsn)
    with psycopg.connect(postgres_server.dsn) as conn:
        for query in bi_guide_queries():
            conn.execute(query).fetchall()
