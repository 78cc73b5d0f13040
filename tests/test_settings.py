"""One settings object: read from the environment once, checked, and followed by every step.

The last test changes settings in one place (a `Settings` object, with decoy environment
variables pointing elsewhere) and checks that ingestion, the gates, dbt, the row-count reader and
the publication all used the object's values.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml  # type: ignore[import-untyped]

from orchestration.definitions import build_definitions
from tests.settings_helpers import settings_for
from warehouse.paths import REPO_ROOT
from warehouse.settings import Settings, SettingsError, settings_table


def test_unset_variables_keep_the_defaults_and_relative_paths_are_read_from_the_repository():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.warehouse_path == REPO_ROOT / "data" / "warehouse.duckdb"
    assert settings.as_of_date is None and settings.serving_pg_dsn is None


def test_each_variable_is_parsed_to_its_type():
    settings = Settings.from_env(
        {
            "DUCKDB_PATH": "/srv/store/w.duckdb",
            "DBT_THREADS": "4",
            "AS_OF_DATE": "2025-03-31",
            "REPORTING_CURRENCY": "GBP",
            "SERVING_PG_LOCK_TIMEOUT": "2.5",
            "SERVING_PG_DSN": "   ",  # blank counts as unset
        }
    )
    assert settings.warehouse_path == Path("/srv/store/w.duckdb")
    assert settings.dbt_threads == 4
    assert settings.as_of_date == dt.date(2025, 3, 31)
    assert settings.reporting_currency == "GBP"
    assert settings.serving_pg_lock_timeout_seconds == 2.5
    assert settings.serving_pg_dsn is None


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DBT_THREADS": "two"}, "DBT_THREADS='two' is not a valid int"),
        ({"AS_OF_DATE": "31/03/2025"}, "AS_OF_DATE='31/03/2025' is not a valid date"),
        (
            {"REPORTING_CURRENCY": "pounds"},
            "REPORTING_CURRENCY (or its old name STORE_CURRENCY) must be an ISO 4217 code",
        ),
        (
            {"STORE_CURRENCY": "pounds"},
            "REPORTING_CURRENCY (or its old name STORE_CURRENCY) must be an ISO 4217 code",
        ),
        ({"REPORTING_TIMEZONE": "Mars/Olympus"}, "REPORTING_TIMEZONE must be an IANA time zone"),
        ({"DUCKDB_MEMORY_LIMIT": "lots"}, "DUCKDB_MEMORY_LIMIT must be a size"),
        ({"REFERRAL_CODE_PATTERN": "(["}, "REFERRAL_CODE_PATTERN is not a regular expression"),
        (
            {"FRESHNESS_WARN_AFTER_HOURS": "48", "FRESHNESS_ERROR_AFTER_HOURS": "24"},
            "FRESHNESS_ERROR_AFTER_HOURS must not be below FRESHNESS_WARN_AFTER_HOURS",
        ),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(environ: dict[str, str], message: str):
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_env(environ)


def test_the_old_name_of_the_reporting_currency_is_read_when_the_new_one_is_unset():
    assert Settings.from_env({"STORE_CURRENCY": "GBP"}).reporting_currency == "GBP"
    both = {"STORE_CURRENCY": "GBP", "REPORTING_CURRENCY": "EUR"}
    assert Settings.from_env(both).reporting_currency == "EUR"
    assert Settings.from_env({"STORE_CURRENCY": " "}).reporting_currency == "USD"


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().reporting_currency = "EUR"  # type: ignore[misc]


def test_dbt_gets_the_same_values_as_vars():
    settings = Settings(as_of_date=dt.date(2025, 1, 31), reporting_currency="EUR", dbt_threads=3)
    args = settings.dbt_cli_args()
    assert args[args.index("--threads") + 1] == "3"
    dbt_vars = yaml.safe_load(args[args.index("--vars") + 1])
    assert dbt_vars["duckdb_path"] == str(settings.warehouse_path)
    assert dbt_vars["as_of_date"] == "2025-01-31"
    assert dbt_vars["reporting_currency"] == "EUR"


def test_the_dbt_project_defaults_are_the_settings_defaults():
    """`dbt build` by hand (no --vars) must judge the marts like the pipeline does."""
    project_vars = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]
    for name, value in Settings().dbt_vars().items():
        if name in ("duckdb_path", "duckdb_memory_limit"):  # profile settings, not project vars
            continue
        assert project_vars[name] == value, name
    assert sorted(project_vars) == sorted(
        name for name in Settings().dbt_vars() if not name.startswith("duckdb_")
    ), "every project var is a setting, and every dbt setting a project var"


def test_the_readme_lists_every_setting_with_its_default():
    readme = (REPO_ROOT / "README.md").read_text()
    for variable, default, _ in settings_table():
        row = re.search(rf"^\| `{variable}` \| `?([^|`]*)`? \|", readme, re.MULTILINE)
        assert row, f"{variable} is missing from the README's settings table"
        assert row.group(1).strip() == default, variable


def test_below_the_entry_points_nothing_reads_the_environment():
    entry_points = {
        "warehouse/settings.py",
        "orchestration/runner/make_run.py",  # DAGSTER_HOME for the Dagster instance
    }
    readers = []
    for package in ("warehouse", "orchestration", "demo_store"):
        for path in (REPO_ROOT / package).rglob("*.py"):
            relative = str(path.relative_to(REPO_ROOT))
            if relative not in entry_points and re.search(r"os\.environ|getenv", path.read_text()):
                readers.append(relative)
    assert readers == []


@pytest.mark.integration
def test_a_setting_changed_in_one_place_moves_python_steps_dbt_and_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from demo_store import generate_store

    # decoys: a step that read the environment instead of the settings would write here
    decoy = tmp_path / "decoy"
    for variable in ("DUCKDB_PATH", "LANDING_DIR", "SERVING_DIR", "GX_DATA_DOCS_DIR"):
        monkeypatch.setenv(variable, str(decoy / variable.lower()))
    monkeypatch.setenv("AS_OF_DATE", "2030-01-01")
    settings = settings_for(tmp_path).replace(
        warehouse_path=tmp_path / "elsewhere" / "store.duckdb",
        as_of_date=dt.date(2025, 6, 30),
        reporting_timezone="Europe/London",
    )
    generate_store(settings.landing_dir, orders=300, seed=5)
    job = build_definitions(settings).resolve_job_def("warehouse_job")
    (tmp_path / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert result.success, [event.step_key for event in result.get_step_failure_events()]

    assert not decoy.exists()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        raw_orders = con.execute("select count(*) from raw_shop.orders").fetchall()[0][0]
        as_of = con.execute(
            "select distinct as_of_date from marts.customer_lifetime_value"
        ).fetchall()
        customers = con.execute("select count(*) from marts.customer_lifetime_value").fetchall()
        # first order dates cut in London time, computed here by DuckDB's own time zone maths
        dates_off = con.execute(
            """
            select count(*) filter (where first_order_date != cast(
                    timezone('Europe/London', timezone('UTC', first_ordered_at)) as date)),
                count(*) filter (where first_order_date != cast(
                    timezone('America/New_York', timezone('UTC', first_ordered_at)) as date))
            from marts.customer_lifetime_value
            """
        ).fetchall()[0]
    # ingestion wrote the raw tables and dbt the marts into the one configured file ...
    assert raw_orders > 0
    # ... with the configured as-of date, not the decoy environment's
    assert as_of == [(dt.date(2025, 6, 30),)]
    # ... and its reporting time zone: London dates everywhere; some differ from New York's
    assert dates_off[0] == 0 and dates_off[1] > 0
    # the row counts Dagster reports were read from that file too
    by_key = {e.asset_key: e for e in result.get_asset_materialization_events()}
    metadata = by_key[dg.AssetKey("customer_lifetime_value")].materialization.metadata
    assert metadata["dagster/row_count"].value == customers[0][0]
    # the gates wrote Data Docs and the publication went where the settings say
    assert any(settings.data_docs_dir.rglob("*.html"))
    assert (settings.serving_dir / "marts.duckdb").exists()


@pytest.mark.integration
def test_the_dbt_unit_tests_pass_whatever_the_store_settings(tmp_path: Path):
    """The pipeline passes the store's settings with --vars, which override project vars: a unit
    test whose expectations depend on a var must pin it (`overrides: vars:`). Run them all with
    settings unlike the defaults, as a store in Tokyo selling in pounds would."""
    from tests.dbt_cli import run_dbt
    from warehouse.connection import connect
    from warehouse.ingestion import ensure_raw_schema

    warehouse, target = tmp_path / "unit.duckdb", tmp_path / "target"
    with connect(warehouse) as con:
        ensure_raw_schema(con)
    # unit tests read the columns of the models' relations: build them empty first
    run_dbt(["seed"], warehouse, target)
    run_dbt(["run", "--empty"], warehouse, target)
    odd = Settings(
        warehouse_path=warehouse,
        reporting_timezone="Asia/Tokyo",
        reporting_currency="GBP",
        as_of_date=dt.date(2030, 1, 1),
        incremental_lookback_hours=5,
        freshness_warn_after_hours=1,
        freshness_error_after_hours=2,
    )
    output = run_dbt(["test", "--select", "test_type:unit", *odd.dbt_cli_args()], warehouse, target)
    assert "ERROR=0" in output and "PASS=" in output


@pytest.mark.integration
def test_the_dbt_graph_is_the_same_whatever_the_store_settings(tmp_path: Path):
    """Dagster draws the graph from a manifest parsed without --vars; the pipeline's dbt parses
    with them. A dependency that only one of them has lets dbt finish a model before its parent
    in Dagster's graph, and Dagster fails the run. Parse both ways and compare every edge."""
    import json

    from orchestration.project import WAREHOUSE_DBT
    from tests.dbt_cli import run_dbt

    odd = Settings(
        warehouse_path=tmp_path / "parse.duckdb",
        as_of_date=dt.date(2025, 6, 30),
        reporting_timezone="Asia/Tokyo",
        reporting_currency="GBP",
    )
    run_dbt(["parse", *odd.dbt_cli_args()], odd.warehouse_path, tmp_path / "target")

    def edges(manifest_path: Path) -> dict[str, list[str]]:
        nodes = json.loads(manifest_path.read_text())["nodes"]
        return {
            unique_id: sorted(node["depends_on"]["nodes"])
            for unique_id, node in nodes.items()
            if node["resource_type"] == "model"
        }

    assert edges(tmp_path / "target" / "manifest.json") == edges(WAREHOUSE_DBT.manifest_path)
