"""Fixed places inside the repository (not settings: they move only with the code)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


def from_repo(path: Path | str) -> Path:
    """An absolute path as it is; a relative one read from the repository root."""
    resolved = Path(path)
    return resolved if resolved.is_absolute() else REPO_ROOT / resolved
