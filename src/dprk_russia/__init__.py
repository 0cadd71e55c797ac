"""DPRK–Russia military cooperation: sourced claims, cleaning, analysis and reporting."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"

__all__ = ["PROJECT_ROOT", "RAW_DIR", "PROCESSED_DIR", "REPORTS_DIR"]
