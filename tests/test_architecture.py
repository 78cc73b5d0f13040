"""Which package may import which (docs/architecture.md), read from every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from warehouse.paths import REPO_ROOT

OURS = ("warehouse", "orchestration", "demo_store", "benchmarks", "tests")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, absolute dotted names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(package: str) -> dict[str, set[str]]:
    return {
        str(path.relative_to(REPO_ROOT)): _imports(path)
        for path in (REPO_ROOT / package).rglob("*.py")
    }


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in _modules(package).items()
        for name in names
        if name.split(".")[0] in forbidden
    )


def test_the_library_never_imports_dagster_or_the_orchestration():
    assert _offenders("warehouse", ("orchestration", "dagster", "dagster_dbt")) == []


def test_the_demo_store_imports_nothing_of_the_warehouse():
    assert _offenders("demo_store", tuple(name for name in OURS if name != "demo_store")) == []


@pytest.mark.parametrize("module", ["settings", "paths", "sources"])
def test_settings_paths_and_sources_sit_at_the_bottom(module: str):
    names = _imports(REPO_ROOT / "warehouse" / f"{module}.py")
    ours = {name for name in names if name.split(".")[0] in OURS}
    assert ours <= {"warehouse.paths"}, ours


def test_only_the_runner_starts_the_demo_store_and_nothing_imports_the_runner():
    orchestration = _modules("orchestration")
    for module, names in orchestration.items():
        if not module.startswith("orchestration/runner/"):
            assert not any(name.startswith("demo_store") for name in names), module
            assert not any(name.startswith("orchestration.runner") for name in names), module
