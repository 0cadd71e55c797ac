"""Cleaning: date precision, representative date, midpoints, filters."""

from __future__ import annotations

import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.clean import PROCESSED_COLUMNS, clean_claims, parse_estimator_types, parse_iso, read_raw

from .conftest import make_claims


def test_parse_iso_precision_and_bounds():
    out = parse_iso(pd.Series(["2024", "2024-02", "2024-02-10", ""]))
    assert list(out["precision"].fillna("")) == ["year", "month", "day", ""]
    assert list(out["start"].dt.strftime("%Y-%m-%d").fillna("")) == [
        "2024-01-01",
        "2024-02-01",
        "2024-02-10",
        "",
    ]
    assert list(out["end"].dt.strftime("%Y-%m-%d").fillna("")) == [
        "2024-12-31",
        "2024-02-29",
        "2024-02-10",
        "",
    ]


def test_midpoint_range_and_has_value():
    df = make_claims(
        [
            {
                "claim_id": "a",
                "indicator": "killed",
                "value_low": 100,
                "value_high": 300,
                "published": "2025-01-01",
            },
            {
                "claim_id": "b",
                "indicator": "killed",
                "value_low": "",
                "value_high": "",
                "published": "2025-01-02",
            },
        ]
    )
    a, b = df.set_index("claim_id").loc["a"], df.set_index("claim_id").loc["b"]
    assert (a["value_mid"], a["value_range"], a["has_value"]) == (200, 200, True)
    assert not b["has_value"] and pd.isna(b["value_mid"])


def test_representative_date_rules():
    df = make_claims(
        [
            # period end (month) resolves to month end
            {
                "claim_id": "a",
                "indicator": "killed",
                "value_low": 1,
                "period_end": "2024-11",
                "published": "2024-12-20",
            },
            # period end later than publication is capped at publication
            {
                "claim_id": "b",
                "indicator": "killed",
                "value_low": 1,
                "period_end": "2025",
                "published": "2025-03-01",
            },
            # no period end: publication date
            {"claim_id": "c", "indicator": "killed", "value_low": 1, "published": "2025-02"},
            # forecasts sit at their publication date
            {
                "claim_id": "d",
                "indicator": "troops_deployed",
                "value_low": 1,
                "basis": "forecast",
                "period_end": "2025-12",
                "published": "2025-01-10",
            },
        ]
    ).set_index("claim_id")
    got = df["date"].dt.strftime("%Y-%m-%d").to_dict()
    assert got == {"a": "2024-11-30", "b": "2025-03-01", "c": "2025-02-28", "d": "2025-01-10"}


def test_as_of_uses_publication_date_with_month_precision():
    rows = [
        {"claim_id": "a", "indicator": "killed", "value_low": 1, "published": "2024-06-30"},
        {"claim_id": "b", "indicator": "killed", "value_low": 1, "published": "2024-06"},
        {"claim_id": "c", "indicator": "killed", "value_low": 1, "published": "2024-07-01"},
    ]
    base = make_claims(rows)
    assert set(base["claim_id"]) == {"a", "b", "c"}
    from dprk_russia import RAW_DIR

    raw = read_raw(RAW_DIR)
    cut = clean_claims(raw["claims"], raw["sources"], raw["indicators"], as_of="2024-06-30")
    assert (cut["published_date"] <= pd.Timestamp("2024-06-30")).all()
    assert len(cut) < len(raw["claims"])


def test_estimator_type_filter():
    assert parse_estimator_types("all") == parse_estimator_types("")
    assert parse_estimator_types("think_tank, intelligence") == ["intelligence", "think_tank"]
    with pytest.raises(ValueError, match="unknown estimator type"):
        parse_estimator_types("astrology")


def test_processed_columns_in_order_and_labels_joined():
    df = make_claims([{"claim_id": "a", "indicator": "killed", "value_low": 1, "published": "2025-01-01"}])
    assert list(df.columns) == list(PROCESSED_COLUMNS)
    assert df.loc[0, "label_de"] == "Getötete nordkoreanische Soldaten"


def test_estimator_labels_come_from_the_registry():
    from dprk_russia import RAW_DIR

    raw = read_raw(RAW_DIR)
    out = clean_claims(raw["claims"], raw["sources"], raw["indicators"], estimators=raw["estimators"])
    nis = out[out["estimator"] == "South Korea NIS"].iloc[0]
    assert (nis["estimator_label_de"], nis["warring_party"]) == ("Südkoreanischer Geheimdienst NIS", "no")
    hur = out[out["estimator"] == "Ukraine HUR"].iloc[0]
    assert hur["warring_party"] == "yes"
    assert out["estimator_label_de"].notna().all()


def test_repeat_sits_at_the_date_of_the_claim_it_repeats():
    rows = [
        {
            "claim_id": "a",
            "indicator": "killed",
            "value_low": 600,
            "period_end": "2025-04-30",
            "published": "2025-04-30",
        },
        {
            "claim_id": "b",
            "indicator": "killed",
            "value_low": 600,
            "published": "2025-11-04",
            "repeat_of": "a",
        },
        {"claim_id": "c", "indicator": "killed", "value_low": 600, "published": "2025-11-04"},
    ]
    out = make_claims(rows).set_index("claim_id")
    assert out.loc["b", "date"] == pd.Timestamp("2025-04-30")
    assert out.loc["c", "date"] == pd.Timestamp("2025-11-04")
    assert (out.loc["a", "repeat_of"], out.loc["b", "repeat_of"]) == ("", "a")


def test_original_url_comes_from_the_relay_s_original_source():
    claims = pd.DataFrame(
        [
            {
                "claim_id": cid,
                "indicator": "killed",
                "value_low": "5",
                "value_high": "5",
                "qualifier": "about",
                "basis": "assessed",
                "period_start": "",
                "period_end": "",
                "published": "2025-01-01",
                "estimator": "A",
                "estimator_type": "media",
                "source_id": sid,
                "note": "n",
                "checked": "yes",
                "scope": "total",
            }
            for cid, sid in (("a", "orig"), ("b", "copy"), ("c", "other"))
        ]
    )
    sources = pd.DataFrame(
        {
            "source_id": ["orig", "copy", "other"],
            "publisher": "P",
            "title": "T",
            "url": ["https://example.org/orig", "https://example.org/copy", "https://example.org/other"],
            "published": "2025-01-01",
            "accessed": "2026-11-24",
            "language": "en",
            "via": ["", "Yonhap", ""],
            "kind": ["original", "relay", "relay"],
            "original_source_id": ["", "orig", ""],
        }
    )
    indicators = pd.read_csv(PROJECT_ROOT / "data/raw/indicators.csv", dtype=str, keep_default_na=False)
    out = clean_claims(claims, sources, indicators).set_index("claim_id")
    assert list(out.loc[["a", "b", "c"], "original_url"]) == ["", "https://example.org/orig", ""]
    # without the column (older data) the processed column is there and empty
    out = clean_claims(claims, sources.drop(columns="original_source_id"), indicators)
    assert (out["original_url"] == "").all()
