"""Great Expectations gates: validate a staged batch, quarantine failing rows, report.

Suites live in expectations/<suite>.json (see expectations/README.md); Dagster's blocking asset
checks call `validate_batch` and publish `GateOutcome.as_metadata()`.
"""

from warehouse.gates.outcome import GateOutcome
from warehouse.gates.results import ExpectationResult
from warehouse.gates.suites import load_suite, suite_names, suite_rules
from warehouse.gates.validate import validate_batch

__all__ = [
    "ExpectationResult",
    "GateOutcome",
    "load_suite",
    "suite_names",
    "suite_rules",
    "validate_batch",
]
