"""`make run`'s summary: load counts, gate findings and mart headlines, as text.

`read_summary(con, batch_ids)` reads the warehouse after a run, `render(findings, summary)` makes
the text; nothing here imports Dagster.
"""

from warehouse.summary.loads import SourceCounts, raw_tables
from warehouse.summary.report import (
    CheckNote,
    RunFindings,
    StepFailure,
    WarehouseSummary,
    read_summary,
    render,
)

__all__ = [
    "CheckNote",
    "RunFindings",
    "SourceCounts",
    "StepFailure",
    "WarehouseSummary",
    "raw_tables",
    "read_summary",
    "render",
]
