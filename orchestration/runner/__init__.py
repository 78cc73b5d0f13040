"""`make run`'s runner: the warehouse job in this process on the local Dagster instance, then a
summary (`python -m orchestration.runner`, see make_run.py)."""
