"""Publication of the marts for BI tools: serving DuckDB file, Parquet builds, optional PostgreSQL.

`publish_marts(warehouse_path, serving_dir, build_id, postgres_dsn=None) -> Publication`; the
serving folder defaults to `serving_dir()` ($SERVING_DIR, default data/serving). docs/bi-guide.md
says how BI tools connect.
"""

from orchestration.serving.publication import Publication, read_log
from orchestration.serving.publish import PARQUET_DIR, SERVING_FILE, VIEWS_FILE, publish_marts
from orchestration.serving.settings import postgres_dsn_from_env, serving_dir

__all__ = [
    "PARQUET_DIR",
    "SERVING_FILE",
    "VIEWS_FILE",
    "Publication",
    "postgres_dsn_from_env",
    "publish_marts",
    "read_log",
    "serving_dir",
]
