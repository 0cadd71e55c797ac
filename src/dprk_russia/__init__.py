"""DPRK–Russia military cooperation: sourced claims, cleaning, analysis and reporting."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"


def read_version(root: Path = PROJECT_ROOT) -> str:
    """The release (calendar versioning, e.g. 2026.12.0): ``version`` in pyproject.toml, its one home."""
    import tomllib

    with open(root / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def __getattr__(name: str) -> str:
    """``__version__``, read when first asked for: the notebook steps of a build start a Python
    that only hands its notebook to the build's warm process, and parsing TOML was a quarter
    of its start."""
    if name == "__version__":
        globals()["__version__"] = version = read_version()
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["PROJECT_ROOT", "RAW_DIR", "PROCESSED_DIR", "REPORTS_DIR", "__version__", "read_version"]
