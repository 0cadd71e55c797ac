"""Shared fixtures: small hand-made raw data and processed claims."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.clean import clean_claims

# as dprk_russia.build.run and the warm process do: jupytext, nbformat and papermill import
# jsonschema, whose optional rfc3987_syntax builds a grammar for over a second at import;
# no test checks an IRI
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

#: Files of end-to-end tests, longest first. They run first (then the rest, by name), so that
#: under `make test` (pytest-xdist: a file per process, in this order) none starts last.
LONGEST_FIRST = (
    "test_pipeline.py", "test_lab_browser.py", "test_bad_input.py", "test_lab.py", "test_browser.py", "test_warm.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "end_to_end: in a file of LONGEST_FIRST (builds, Lab, browser); make test-quick leaves it out"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the tests of :data:`LONGEST_FIRST` first, in that order (a stable sort), and mark them
    ``end_to_end`` (``make test-quick`` leaves them out)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
    for item in items:
        if item.path.name in rank:
            item.add_marker(pytest.mark.end_to_end)


HEADER = (
    "claim_id,indicator,value_low,value_high,qualifier,basis,period_start,period_end,"
    "published,estimator,estimator_type,source_id,note,checked,scope\n"
)
GOOD_ROW = "c1,containers_munitions,1000,1000,over,assessed,2023-09,2023-10-01,2023-10-13,US NSC,government,s1,ok,yes,total\n"
ESTIMATORS = (
    "estimator,label_en,label_de,type,country,warring_party\n"
    "US NSC,US National Security Council,Nationaler Sicherheitsrat der USA,government,United States,no\n"
    "X,X,X,media,,no\n"
)


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A valid minimal raw folder: the real indicators, one source, one claim, one event."""
    d = tmp_path / "raw"
    d.mkdir()
    shutil.copy(PROJECT_ROOT / "data/raw/indicators.csv", d / "indicators.csv")
    (d / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,language,via\n"
        "s1,KBS,Title,https://example.org/a,2023-10-13,2026-11-24,en,\n",
        encoding="utf-8",
    )
    (d / "claims.csv").write_text(HEADER + GOOD_ROW, encoding="utf-8")
    (d / "events.csv").write_text("date,event_en,event_de,source_id\n2024-06-19,a,b,s1\n", encoding="utf-8")
    (d / "estimators.csv").write_text(ESTIMATORS, encoding="utf-8")
    return d


def make_claims(rows: list[dict]) -> pd.DataFrame:
    """Processed claims from a few hand-written rows (defaults fill the rest)."""
    base = {
        "value_low": "",
        "value_high": "",
        "qualifier": "about",
        "basis": "assessed",
        "period_start": "",
        "period_end": "",
        "estimator": "A",
        "estimator_type": "intelligence",
        "source_id": "s1",
        "note": "n",
        "checked": "yes",
        "scope": "total",
    }
    raw = pd.DataFrame([{**base, **{k: str(v) for k, v in r.items()}} for r in rows])
    if "value_high" not in rows[0]:
        raw["value_high"] = raw["value_low"]
    ids = sorted(set(raw["source_id"]))
    sources = pd.DataFrame(
        {
            "source_id": ids,
            "publisher": "P",
            "title": "T",
            "url": "https://example.org",
            "published": "",
            "accessed": "2026-11-24",
            "language": "en",
            "via": "",
        }
    )
    indicators = pd.read_csv(PROJECT_ROOT / "data/raw/indicators.csv", dtype=str, keep_default_na=False)
    return clean_claims(raw, sources, indicators)


def fresh_clone(parent: Path) -> Path:
    """A clone of the committed repository in ``parent/repo`` whose lock is older than the shared .venv."""
    dst = parent / "repo"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(dst)], check=True)
    for name in ("uv.lock", "pyproject.toml"):
        os.utime(dst / name, (0, 0))
    return dst


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of the committed repository whose lock is older than the shared .venv."""
    return fresh_clone(tmp_path)
