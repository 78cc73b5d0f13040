"""ltv-warehouse orchestration: ingestion, gates, dbt and publishing as Dagster assets."""
