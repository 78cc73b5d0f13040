"""Ingestion: landing files -> staged batch -> raw tables, with quarantine and a load log.

Plain Python and DuckDB SQL; the Dagster assets in orchestration/assets wrap these functions.
"""

from warehouse.ingestion.merging import merge_staged, record_blocked_batch
from warehouse.ingestion.reports import FileLoad, FileOutcome, LoadReport, StageReport
from warehouse.ingestion.schema import ensure_raw_schema
from warehouse.ingestion.staging import stage_new_files

__all__ = [
    "FileLoad",
    "FileOutcome",
    "LoadReport",
    "StageReport",
    "ensure_raw_schema",
    "merge_staged",
    "record_blocked_batch",
    "stage_new_files",
]
