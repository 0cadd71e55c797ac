"""Each saved figure gets the rows it plots as <stem>.csv beside it."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from dprk_russia.report.figures import PLOTTED_COLUMNS, save_figure
from dprk_russia.report.marks import timeline_figure

from .conftest import make_claims


def test_timeline_figure_writes_the_claims_it_plots(tmp_path: Path):
    claims = make_claims(
        [
            {
                "claim_id": "c2",
                "indicator": "killed",
                "value_low": 300,
                "published": "2025-02-01",
                "estimator": "B",
            },
            {"claim_id": "c1", "indicator": "killed", "value_low": 100, "published": "2024-12-01"},
            {
                "claim_id": "c3",
                "indicator": "killed",
                "value_low": 50,
                "published": "2025-03-01",
                "scope": "part",
            },
            {"claim_id": "c4", "indicator": "wounded", "value_low": 9, "published": "2025-03-01"},
        ]
    )
    ind = pd.read_csv(Path(__file__).parents[1] / "data/raw/indicators.csv", dtype=str, keep_default_na=False)
    fig, _ax = timeline_figure(claims, ind, ["killed"], "en")
    paths = save_figure(fig, "killed", tmp_path)
    assert tmp_path / "killed.csv" in paths
    rows = pd.read_csv(tmp_path / "killed.csv", dtype=str, keep_default_na=False)
    assert list(rows.columns) == PLOTTED_COLUMNS
    # parts (c3) and other indicators (c4) are not drawn, so not listed; sorted by date
    assert list(rows["claim_id"]) == ["c1", "c2"]
    assert rows.loc[0, "date"] == "2024-12-01" and rows.loc[1, "value_low"] == "300"
    assert rows.loc[0, "source_url"] == "https://example.org"


def test_figure_without_recorded_claims_writes_no_csv(tmp_path: Path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    paths = save_figure(fig, "plain", tmp_path)
    assert sorted(p.name for p in paths) == ["plain.png", "plain.svg"]
    assert not (tmp_path / "plain.csv").exists()
