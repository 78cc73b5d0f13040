"""serving/published_marts: the marts published for BI tools once everything upstream passed.

It depends on every mart, so a blocked gate, a failed model or a failed dbt test (all of which
fail or skip the dbt step) leaves the previous publication in place.
"""

import dagster as dg

from orchestration.assets.dbt_models import warehouse_models
from warehouse.serving import publish_marts
from warehouse.settings import Settings

PUBLISHED_MARTS = dg.AssetKey(["serving", "published_marts"])

MART_KEYS = sorted(
    (spec.key for spec in warehouse_models.specs if spec.group_name == "marts"),
    key=lambda key: key.to_user_string(),
)


@dg.asset(
    key=PUBLISHED_MARTS,
    deps=MART_KEYS,
    group_name="serving",
    kinds={"duckdb", "parquet"},
    owners=["team:data-platform"],
)
def published_marts(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    """Every mart published as one build (serving DuckDB file, Parquet, optional PostgreSQL)."""
    publication = publish_marts(settings, build_id=context.run.run_id)
    context.log.info(
        f"published {len(publication.row_counts)} marts ({publication.total_rows} rows) as "
        f"build {publication.build_id} to {publication.serving_file.parent}"
    )
    return dg.MaterializeResult(metadata=publication.as_metadata())


SERVING_ASSETS = [published_marts]
