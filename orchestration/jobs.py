"""The one job that writes the warehouse: ingest -> gates -> merge -> dbt build -> publish.

Everything writes the same DuckDB file, which takes one writer at a time, so the whole flow is a
single job on the in-process executor: steps run one after another, each opening and closing the
file. A run re-executed "from failure" re-runs only the failed and skipped steps (gates and merges
pick up the batch their parent run staged).
"""

from __future__ import annotations

import dagster as dg

# the run queue (dagster.yaml) lets one run with this tag write the warehouse at a time
WAREHOUSE_WRITER_TAG = "ltv_warehouse/duckdb"
WAREHOUSE_RUN_TAGS = {WAREHOUSE_WRITER_TAG: "writer"}

warehouse_job = dg.define_asset_job(
    name="warehouse_job",
    # ingestion + gate checks, the dbt models and tests, and serving/published_marts
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    run_tags=WAREHOUSE_RUN_TAGS,
    description=(
        "Stage new landing files, gate each batch with Great Expectations, merge into raw, "
        "dbt build, publish the marts. One step at a time: DuckDB has one writer."
    ),
)

JOBS = [warehouse_job]
