"""Run suites on pandas frames with GX and build the Data Docs pages of the run.

Each gate uses a fresh ephemeral context (nothing GX-specific to keep in the repository): the
suites come from expectations/, the frames from frames.py, and the only thing GX writes is the
Data Docs site under `docs_dir` (one HTML page per suite, chunk and run, plus an index).
"""

from __future__ import annotations

import datetime as dt
import logging
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

from warehouse.gates.suites import load_suite

SITE_NAME = "gates"


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


class GxSession:
    """One gate's GX context: validate frames against suites, then build their Data Docs."""

    def __init__(self, docs_dir: Path, parameters: dict[str, Any], run_time: dt.datetime):
        # GX logs every Data Docs page it renders at INFO; the gate's own summary is enough
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        docs_dir.mkdir(parents=True, exist_ok=True)
        self.context = _context(docs_dir)
        self.source = self.context.data_sources.add_pandas("staged")
        self.parameters = parameters
        self.run_time = run_time
        self.definitions: dict[tuple[str, bool], Any] = {}

    def _definition(self, suite_name: str, after_row_rules: bool) -> Any:
        key = (suite_name, after_row_rules)
        if key not in self.definitions:
            suite = self.context.suites.add(load_suite(suite_name, after_row_rules))
            asset = self.source.add_dataframe_asset(suite.name)
            self.definitions[key] = self.context.validation_definitions.add(
                gx.ValidationDefinition(
                    name=suite.name,
                    data=asset.add_batch_definition_whole_dataframe("batch"),
                    suite=suite,
                )
            )
        return self.definitions[key]

    def validate(
        self, suite_name: str, frame: pd.DataFrame, run_name: str, after_row_rules: bool = False
    ) -> ExpectationSuiteValidationResult:
        """Validate one frame against one pass of a suite.

        COMPLETE results list every failing row of a map rule by its index label. Naming index
        columns instead (`unexpected_index_column_names`) makes GX build one dict per failing
        row in Python: 20x slower when a broken export fails a third of a 1M-row batch.
        """
        return self._definition(suite_name, after_row_rules).run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=self.parameters,
            result_format={
                "result_format": "COMPLETE",
                "partial_unexpected_count": 10,
                "return_unexpected_index_query": False,
            },
            run_id=RunIdentifier(run_name=run_name, run_time=self.run_time),
        )

    def build_docs(self) -> dict[tuple[str, str], Path]:
        """Render Data Docs; returns the HTML page of each (GX suite, run name) validated."""
        self.context.build_data_docs(site_names=[SITE_NAME])
        pages = {}
        for key in self.context.validation_results_store.list_keys():
            urls = self.context.get_docs_sites_urls(resource_identifier=key, site_names=[SITE_NAME])
            name = (key.expectation_suite_identifier.name, key.run_id.run_name)
            pages[name] = Path(unquote(urlparse(urls[0]["site_url"]).path))
        return pages
