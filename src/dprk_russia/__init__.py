"""DPRK–Russia military cooperation: sourced claims, cleaning, analysis and reporting."""

import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"


def read_version(root: Path = PROJECT_ROOT) -> str:
    """The release (calendar versioning, e.g. 2026.12.0): ``version`` in pyproject.toml, its one home."""
    with open(root / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


__version__ = read_version()

__all__ = ["PROJECT_ROOT", "RAW_DIR", "PROCESSED_DIR", "REPORTS_DIR", "__version__", "read_version"]
