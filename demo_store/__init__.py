"""Demo store generator: a deterministic online store written as daily landing files.

`python -m demo_store --orders N --seed S --out DIR` or `generate_store(...)`;
see docs/landing-contract.md for the files it writes.
"""

from demo_store.generate import (
    DEFAULT_DEMO_ORDERS,
    DEFAULT_DIRTY_RATE,
    DEFAULT_END,
    DEFAULT_START,
    generate_store,
)
from demo_store.report import REPORT_FILE_NAME, GenerationReport, SourceReport

__all__ = [
    "DEFAULT_DEMO_ORDERS",
    "DEFAULT_DIRTY_RATE",
    "DEFAULT_END",
    "DEFAULT_START",
    "REPORT_FILE_NAME",
    "GenerationReport",
    "SourceReport",
    "generate_store",
]
