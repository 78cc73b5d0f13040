"""Publication of the marts for BI tools: serving DuckDB file, Parquet builds, optional PostgreSQL.

`publish_marts(settings, build_id) -> Publication` publishes the marts of
`settings.warehouse_path` into `settings.serving_dir`; docs/bi-guide.md says how BI tools connect.
"""

from warehouse.serving.publication import Publication, read_log
from warehouse.serving.publish import PARQUET_DIR, SERVING_FILE, VIEWS_FILE, publish_marts

__all__ = [
    "PARQUET_DIR",
    "SERVING_FILE",
    "VIEWS_FILE",
    "Publication",
    "publish_marts",
    "read_log",
]
