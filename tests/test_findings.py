"""Findings the notebooks write for the report, and the source links of plotted points."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis import findings, tables
from dprk_russia.report import charts
from dprk_russia.report.figures import save_figure
from dprk_russia.report.marks import plot_claims

from .conftest import make_claims


def test_findings_round_trip_and_reject_duplicate_keys(tmp_path):
    rows = [
        findings.finding("a.count", 3, claims=["c2", "c1", "c2"]),
        findings.finding("a.when", None, "date", pd.Timestamp("2025-05-29")),
    ]
    for part in findings.PARTS:
        findings.write_findings(rows if part == "dataset" else [], tmp_path, part)
    got = findings.load_findings(tmp_path)
    assert got["a.count"].value == 3 and got["a.count"].claims == ("c2", "c1")
    assert got["a.when"].value is None and got["a.when"].date == pd.Timestamp("2025-05-29")
    with pytest.raises(ValueError, match="duplicate keys"):
        findings.write_findings(rows + rows[:1], tmp_path, "oil")
    with pytest.raises(ValueError, match="unknown findings part"):
        findings.write_findings(rows, tmp_path, "nope")
    (tmp_path / "findings_oil.csv").unlink()
    with pytest.raises(FileNotFoundError, match="findings_oil.csv is missing"):
        findings.load_findings(tmp_path)


def test_dataset_counts_sources_listed_apart_from_those_with_claims():
    claims = make_claims(
        [{"claim_id": "c1", "indicator": "killed", "value_low": 5, "published": "2025-01-01"}]
    )
    sources = pd.DataFrame({"source_id": ["s1", "s_event"]})
    got = {r["key"]: r for r in findings.dataset(claims, sources, "2025-06-30")}
    assert got["data.sources_with_claims"]["value"] == 1
    assert got["data.sources_listed"]["value"] == 2
    assert got["data.sources_events_only"]["value"] == 1
    assert got["param.as_of"]["date"] == "2025-06-30"


def test_deployment_findings_count_only_the_forecasts_a_chart_shows():
    claims = make_claims(
        [
            {"claim_id": "c1", "indicator": "troops_deployed", "value_low": 10000, "published": "2024-11-01"},
            {
                "claim_id": "c2",
                "indicator": "troops_deployed",
                "value_low": 30000,
                "basis": "forecast",
                "published": "2024-11-02",
            },
            {
                "claim_id": "c3",
                "indicator": "troops_deployed",
                "value_low": 500,
                "basis": "forecast",
                "scope": "part",
                "published": "2024-11-03",
            },
            {
                "claim_id": "c4",
                "indicator": "troops_reinforcement",
                "value_low": 3000,
                "basis": "forecast",
                "published": "2025-01-01",
            },
            {
                "claim_id": "c5",
                "indicator": "killed",
                "value_low": 5000,
                "published": "2025-02-01",
                "estimator": "B",
            },
            {"claim_id": "c6", "indicator": "killed", "value_low": 6000, "published": "2025-03-01"},
        ]
    )
    got = {r["key"]: r for r in findings.deployments(claims, tables.casualty_share(claims))}
    assert got["dep.forecasts.troops"]["value"] == 1 and got["dep.forecasts.troops"]["claim_ids"] == "c2"
    assert got["dep.forecasts.reinforcement"]["value"] == 1
    assert got["dep.share.highest"]["value"] == pytest.approx(0.6)
    assert got["dep.share.highest"]["claim_ids"] == "c6"


def test_plotted_points_link_to_their_source_with_a_tooltip(tmp_path):
    claims = make_claims(
        [
            {
                "claim_id": "c1",
                "indicator": "killed",
                "value_low": 100,
                "value_high": 200,
                "published": "2025-01-01",
            },
            {
                "claim_id": "c2",
                "indicator": "killed",
                "value_low": 300,
                "qualifier": "over",
                "published": "2025-02-01",
            },
        ]
    )
    claims["source_url"] = ["https://example.org/a?x=1&y=2", "https://example.org/b"]
    claims["estimator_label_en"], claims["estimator_label_de"] = "Agency A", "Behörde A"
    fig, ax = plt.subplots()
    plot_claims(ax, claims, "de")
    save_figure(fig, "k", tmp_path)
    svg = (tmp_path / "k.svg").read_text(encoding="utf-8")
    assert svg.count('xlink:href="https://example.org/a?x=1&amp;y=2"') == 2  # range bar and point
    assert svg.count('xlink:href="https://example.org/b"') == 1
    assert "<title>Behörde A · mehr als 300 · 1. Februar 2025 · geschätzt</title>" in svg
    assert '<g id="k-pt0"><title>' in svg
    assert 'id="pt0"' not in svg and "url(#p" not in svg  # every id carries the figure's prefix


def test_every_chart_links_each_point(tmp_path):
    claims = make_claims(
        [
            {"claim_id": "c1", "indicator": "killed", "value_low": 100, "published": "2025-01-01"},
            {"claim_id": "c2", "indicator": "troops_deployed", "value_low": 10000, "published": "2024-12-01"},
        ]
    )
    ind = pd.read_csv(PROJECT_ROOT / "data/raw/indicators.csv", dtype=str, keep_default_na=False)
    save_figure(charts.casualty_share(claims, tables.casualty_share(claims), ind, "en"), "s", tmp_path)
    svg = (tmp_path / "s.svg").read_text(encoding="utf-8")
    assert svg.count("<title>") == 1 and 'xlink:href="https://example.org"' in svg


def test_certainty_words_follow_age_sources_and_sensitivity():
    assert findings.certainty(12, 30) == "well_attested"
    assert findings.certainty(3, 30) == "few_sources"
    assert findings.certainty(12, 400) == "old_evidence"
    sens = pd.Series({"weighed": 3000.0, "full_weight": 6000.0, "doubtful_left_out": 3000.0})
    assert findings.certainty(12, 30, sens) == "contested"
    calm = pd.Series({"weighed": 3000.0, "full_weight": 3300.0, "doubtful_left_out": 2900.0})
    assert findings.certainty(12, 30, calm) == "well_attested"


def test_dataset_findings_give_the_data_window():
    claims = make_claims([{"claim_id": "a", "indicator": "killed", "value_low": 5, "published": "2025-01-10"}])
    sources = pd.DataFrame({"source_id": ["s1"]})
    fresh = {"figures_published_up_to": "2026-02-27", "sources_read_up_to": "2026-12-07", "months_between": 9, "stale": True}
    got = {r["key"]: r for r in findings.dataset(claims.assign(source_id="s1"), sources, "", fresh)}
    assert got["data.figures_up_to"]["date"] == "2026-02-27"
    assert got["data.months_without_new"]["value"] == 9 and got["data.stale"]["value"] == 1


def test_undated_notes_are_found_once_per_distinct_text_as_str_contains_finds_them():
    """The search for 'no date on the page' runs once per distinct note (at 100,000 claims the
    notes repeat): it finds what pandas' str.contains finds, missing texts never."""
    import pandas as pd

    from dprk_russia import PROJECT_ROOT
    from dprk_russia.analysis.findings import DATE_NOT_ON_PAGE, _says_undated
    from dprk_russia.data.clean import load_processed

    notes = load_processed(PROJECT_ROOT / "data/processed/claims.csv")["note"]
    tricky = pd.Series(["Undated page", None, "date inferred from text", "dated", float("nan"), "Undated page"])
    for texts in (notes, pd.concat([notes] * 3, ignore_index=True), tricky):
        expected = texts.fillna("").str.contains(DATE_NOT_ON_PAGE)
        assert _says_undated(texts).tolist() == expected.tolist()
    assert _says_undated(tricky).tolist() == [True, False, True, False, False, True]
