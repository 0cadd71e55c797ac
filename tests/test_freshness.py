"""Freshness: newest figure, newest reading, and the stale warning."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from dprk_russia.data.freshness import freshness, freshness_json, stale_warning


def _data(published: list[str], accessed: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"s{i}" for i in range(len(accessed))]
    claims = pd.DataFrame(
        {"published": published, "source_id": [ids[i % len(ids)] for i in range(len(published))]}
    )
    sources = pd.DataFrame({"source_id": ids, "accessed": accessed})
    return claims, sources


def test_newest_dates_as_given_and_ranked_by_last_day():
    claims, sources = _data(["2025-11-04", "2025-11", "2024"], ["2026-01-10", "2026-02-01", "2026-01-31"])
    info = freshness(claims, sources)
    assert info["figures_published_up_to"] == "2025-11"  # month end 30 Nov is later than 4 Nov
    assert info["sources_read_up_to"] == "2026-02-01"
    assert info["months_between"] == 2 and info["stale"] is False
    assert stale_warning(info) is None


def test_only_sources_cited_by_claims_count():
    claims = pd.DataFrame({"published": ["2025-01-01"], "source_id": ["s0"]})
    sources = pd.DataFrame({"source_id": ["s0", "unused"], "accessed": ["2025-02-01", "2026-12-01"]})
    assert freshness(claims, sources)["sources_read_up_to"] == "2025-02-01"


def test_stale_after_six_months():
    claims, sources = _data(["2026-02-27"], ["2026-08-27"])
    assert freshness(claims, sources)["stale"] is False
    claims, sources = _data(["2026-02-27"], ["2026-08-28"])
    info = freshness(claims, sources)
    assert info["stale"] is True and info["months_between"] == 6
    assert "2026-02-27" in stale_warning(info) and "2026-08-28" in stale_warning(info)


def test_json_is_deterministic():
    claims, sources = _data(["2025-03"], ["2026-11-24"])
    text = freshness_json(freshness(claims, sources))
    assert text == freshness_json(freshness(claims, sources))
    assert text.endswith("}\n") and '"stale": true' in text


def test_validate_cli_warns_when_stale(raw_dir):
    out = subprocess.run(
        [sys.executable, "-m", "dprk_russia.data.validate", str(raw_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0
    assert "the newest figure was published 2023-10-13" in out.stderr
