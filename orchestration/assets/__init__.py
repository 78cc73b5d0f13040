"""Dagster assets: ingestion (landing -> raw), the dbt models and the publication of the marts."""
