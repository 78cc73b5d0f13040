# Every target installs what it needs first, so a fresh clone only needs Python 3.11+ and make.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv from PATH when present, otherwise a private copy bootstrapped into .tools/
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen

# settings (DUCKDB_PATH, LANDING_DIR, ...) are read by warehouse/settings.py, defaults there
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DBT_PROFILES_DIR ?= $(CURDIR)

# dbt run by hand gets the same --vars as the pipeline (warehouse/settings.py)
DBT_SETTINGS = --vars "$$($(RUN) python -m warehouse.settings)"

# sqlfluff's dbt templater opens a DuckDB file: give it a scratch one, never the live warehouse
LINT_ENV := DUCKDB_PATH=$(CURDIR)/target/sqlfluff/lint.duckdb DBT_TARGET_PATH=$(CURDIR)/target/sqlfluff

.PHONY: help install run dev build unit docs test lint fix bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet --disable-pip-version-check uv

install: $(if $(shell command -v uv 2>/dev/null),,$(CURDIR)/.tools/bin/uv)  ## uv sync --frozen (bootstraps uv if missing)
	$(UV) sync --frozen --quiet
	@mkdir -p $(DAGSTER_HOME) && cp -n orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	@# the manifest the Dagster definitions read (dbt parse, only when a dbt file changed)
	@$(RUN) python -m orchestration.project >/dev/null

run: install  ## demo store if landing is empty, then the whole pipeline, then a summary
	$(RUN) python -m orchestration.runner

dev: install  ## Dagster UI on http://127.0.0.1:3000
	$(RUN) dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

build: install  ## dbt build from the repository root, with the settings of the environment
	$(RUN) dbt build $(DBT_SETTINGS)

unit: install  ## dbt unit tests only
	$(RUN) dbt test --select test_type:unit $(DBT_SETTINGS)

docs: install  ## dbt docs generate
	$(RUN) dbt docs generate $(DBT_SETTINGS)

test: install  ## the test suite (pytest on real DuckDB files, dbt and Dagster)
	$(RUN) pytest

lint: install  ## every pre-commit hook on every file: hygiene, ruff, sqlfluff, mypy
	@mkdir -p target/sqlfluff
	$(RUN) pre-commit run --all-files --show-diff-on-failure

fix: install  ## apply ruff and sqlfluff fixes
	$(RUN) ruff check --fix .
	$(RUN) ruff format .
	@mkdir -p target/sqlfluff
	$(LINT_ENV) $(RUN) sqlfluff fix dbt_project/models dbt_project/tests

bench: install  ## benchmark S and M (BENCH_ARGS=--large adds L = 10M orders)
	$(RUN) python -m benchmarks.run $(BENCH_ARGS)

clean:  ## remove the warehouse, landing data, Dagster state and build artefacts
	rm -rf data .dagster_home target logs gx_data_docs benchmarks/results .pytest_cache .ruff_cache
