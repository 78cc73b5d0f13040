"""Ingestion: landing files -> staged batch -> raw tables, with quarantine and a load log.

Plain Python and DuckDB SQL; the Dagster assets in orchestration/assets wrap these functions.
"""

from orchestration.ingestion.merging import merge_staged, record_blocked_batch
from orchestration.ingestion.reports import FileLoad, FileOutcome, LoadReport, StageReport
from orchestration.ingestion.schema import ensure_raw_schema
from orchestration.ingestion.sources import SOURCES, Column, SourceSpec
from orchestration.ingestion.staging import stage_new_files

__all__ = [
    "SOURCES",
    "Column",
    "FileLoad",
    "FileOutcome",
    "LoadReport",
    "SourceSpec",
    "StageReport",
    "ensure_raw_schema",
    "merge_staged",
    "record_blocked_batch",
    "stage_new_files",
]
