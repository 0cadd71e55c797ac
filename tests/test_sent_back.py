"""What Russia sent back: transfers grouped by kind, the figure of each kind, the oil figures of
the key findings, and how the publication dates were found."""

from __future__ import annotations

import pandas as pd

from dprk_russia.analysis import findings, sent_back, tables

from .conftest import make_claims


def _claims() -> pd.DataFrame:
    return make_claims(
        [
            # air defence: a statement without a number, then two counted figures
            {"claim_id": "a1", "indicator": "air_defence_systems", "published": "2024-11-22", "estimator": "A"},
            {"claim_id": "a2", "indicator": "air_defence_systems", "value_low": 1, "qualifier": "at_least",
             "published": "2025-05-29", "estimator": "B"},
            {"claim_id": "a3", "indicator": "air_defence_systems", "value_low": 1, "qualifier": "at_least",
             "published": "2025-06-01", "estimator": "B"},  # a relay of a2
            {"claim_id": "a4", "indicator": "air_defence_systems", "value_low": 2, "published": "2025-07-01",
             "estimator": "C", "basis": "forecast"},  # newer, but a forecast
            # aircraft: only a forecast without a number
            {"claim_id": "f1", "indicator": "fighter_aircraft", "published": "2024-12-10", "basis": "forecast"},
            # food: a newer part, an older whole
            {"claim_id": "d1", "indicator": "food_tonnes", "value_low": 22000, "period_start": "2024-01",
             "period_end": "2024-12", "published": "2025-04-08"},
            {"claim_id": "d2", "indicator": "food_tonnes", "value_low": 1200, "period_start": "2025-01",
             "period_end": "2025-05", "published": "2025-06-30", "scope": "part"},
            # oil is not a transfer of this list
            {"claim_id": "o1", "indicator": "refined_oil_delivered", "value_low": 1000000,
             "period_start": "2024-03", "period_end": "2024-11", "published": "2025-05-29"},
        ]
    )


def test_transfers_are_grouped_by_kind_and_relays_count_once():
    t = sent_back.transfers(_claims())
    assert list(t["indicator"]) == ["air_defence_systems"] * 3 + ["fighter_aircraft"] + ["food_tonnes"] * 2
    assert "o1" not in set(t["claim_id"])
    relayed = t[t["claim_id"] == "a2"].iloc[0]
    assert relayed["relays"] == 2 and relayed["relay_ids"] == "a2;a3"


def test_each_kind_shows_its_newest_counted_figure_or_says_there_is_none():
    claims = _claims()
    s = sent_back.summary(sent_back.transfers(claims), claims).set_index("indicator")
    air = s.loc["air_defence_systems"]
    assert (air["estimates"], air["estimators"], air["with_figure"]) == (3, 3, 2)
    # the forecast a4 is newer but not counted; a2 (relayed by a3) is the newest counted figure
    assert (air["rule"], air["claim_id"], air["relay_ids"], air["value_low"]) == ("newest", "a2", "a2;a3", 1)
    planes = s.loc["fighter_aircraft"]
    assert (planes["rule"], planes["claim_id"], bool(planes["has_value"])) == ("none", "f1", False)
    food = s.loc["food_tonnes"]
    # the newer figure covers only a part (pork only): the whole of 2024 speaks for the kind
    assert (food["claim_id"], food["period_start"], food["period_end"]) == ("d1", "2024-01", "2024-12")
    assert list(s.index) == ["air_defence_systems", "fighter_aircraft", "food_tonnes"]
    assert s["key"].all()
    counts = {r["key"]: r["value"] for r in sent_back.counts(s.reset_index())}
    assert counts == {"back.kinds": 3, "back.estimates": 6, "back.with_figure": 4}


def test_summary_of_no_transfers_is_empty():
    claims = _claims()
    empty = sent_back.transfers(claims[claims["indicator"] == "refined_oil_delivered"])
    assert sent_back.summary(empty, claims).empty


def test_oil_findings_give_the_newest_period_figure_with_its_rate():
    claims = make_claims(
        [
            {"claim_id": "o1", "indicator": "refined_oil_delivered", "value_low": 1000000, "qualifier": "over",
             "period_start": "2024-03", "period_end": "2024-11", "published": "2025-05-29"},
            {"claim_id": "o2", "indicator": "refined_oil_delivered", "value_low": 1300000,
             "period_start": "2024-03", "period_end": "2024-12", "published": "2025-11"},
            {"claim_id": "o3", "indicator": "refined_oil_delivered", "value_low": 165000,
             "period_start": "2023-03", "period_end": "2023-03", "published": "2024-05-02"},
        ]
    )
    rows = {r["key"]: r for r in sent_back.oil_findings(tables.oil_run_rate(claims), claims)}
    newest = rows["oil.newest"]
    assert (newest["value"], newest["claim_ids"], newest["date"]) == (1300000.0, "o2", "2024-12-31")
    assert rows["oil.newest.annualised"]["value"] == 1550000.0  # 1,300,000 / 306 days x 365, 3 digits
    assert rows["oil.newest.multiple"]["value"] == 3.1
    assert (rows["oil.period_first"]["date"], rows["oil.period_last"]["date"]) == ("2023-03-01", "2024-12-31")
    assert sent_back.oil_findings(tables.oil_run_rate(claims.iloc[0:0]), claims) == []


def test_dating_counts_precision_and_the_notes_that_say_the_page_showed_no_date():
    claims = make_claims(
        [
            {"claim_id": "c1", "indicator": "killed", "value_low": 1, "published": "2024-12-01", "note": "ok"},
            {"claim_id": "c2", "indicator": "killed", "value_low": 2, "published": "2025-01", "note": "Page undated; month inferred."},
            {"claim_id": "c3", "indicator": "killed", "value_low": 3, "published": "2025", "note": "No date on page."},
            {"claim_id": "c4", "indicator": "killed", "value_low": 4, "published": "2025-02-03", "note": "Date from URL."},
            {"claim_id": "c5", "indicator": "killed", "value_low": 5, "published": "2025-02-04",
             "note": "Descriptive title from URL; shells date from the 1970s; origin is inferred."},
        ]
    )
    sources = pd.DataFrame({"source_id": ["s1"], "remark": [""]})
    rows = {r["key"]: r for r in findings.dating(claims, sources)}
    assert [rows[f"data.dated_{p}"]["value"] for p in ("day", "month", "year")] == [3, 1, 1]
    assert rows["data.date_not_on_page"]["value"] == 3
    assert rows["data.date_not_on_page"]["claim_ids"] == "c2;c3;c4"
    remark = pd.DataFrame({"source_id": ["s1"], "remark": ["page shows no date; month from the press"]})
    assert {r["key"]: r for r in findings.dating(claims, remark)}["data.date_not_on_page"]["value"] == 5
