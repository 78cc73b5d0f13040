"""Run suites on pandas frames with GX and build the Data Docs pages of that run.

Each call uses a fresh ephemeral context (nothing GX-specific to keep in the repository): the
suites come from expectations/, the frames from frames.py, and the only thing GX writes is the
Data Docs site under `docs_dir` (one HTML page per suite and run, plus an index of the run).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import great_expectations as gx
import pandas as pd
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
)
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from orchestration.gates.suites import load_suite

SITE_NAME = "gates"


@dataclass(frozen=True)
class SuiteRun:
    """One suite validated on one frame."""

    suite: str
    result: ExpectationSuiteValidationResult
    rows: int
    docs_page: Path | None


def _context(docs_dir: Path) -> Any:
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _file_path(url: str) -> Path:
    return Path(unquote(urlparse(url).path))


def run_suites(
    frames: list[tuple[str, pd.DataFrame, list[str]]],
    parameters: dict[str, Any],
    docs_dir: Path,
    run_name: str,
    run_time: dt.datetime,
) -> list[SuiteRun]:
    """Validate each (suite, frame, index columns) and build Data Docs for the run.

    Results use the COMPLETE format with the index columns, so every failing row of a row rule
    comes back with its file and line.
    """
    # GX logs every Data Docs page it renders at INFO; the run's own log is enough
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("staged")
    run_id = RunIdentifier(run_name=run_name, run_time=run_time)
    validated = []
    for suite_name, frame, index_columns in frames:
        batch_definition = source.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe(
            "batch"
        )
        suite = context.suites.add(load_suite(suite_name))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": index_columns,
                "partial_unexpected_count": 10,
            },
            run_id=run_id,
        )
        validated.append((suite_name, result, len(frame)))
    context.build_data_docs(site_names=[SITE_NAME])
    pages: dict[str, Path] = {}
    for key in context.validation_results_store.list_keys():
        urls = context.get_docs_sites_urls(resource_identifier=key, site_names=[SITE_NAME])
        suite_name = key.expectation_suite_identifier.name
        pages[suite_name] = _file_path(urls[0]["site_url"])
    return [SuiteRun(name, result, rows, pages.get(name)) for name, result, rows in validated]
