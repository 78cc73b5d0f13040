"""The warehouse as a plain Python library: settings, sources, ingestion, gates, serving, summary.

Nothing in this package imports Dagster; orchestration/ wraps it. Every function takes what it
needs (a connection, a `Settings`) as arguments and never reads the environment itself.
"""
