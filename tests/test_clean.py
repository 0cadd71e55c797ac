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


def _joined_then_sorted(claims: pd.DataFrame, raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What clean_claims must give, written the plain way: left joins on the keys, then a stable
    sort by indicator, date and claim_id (an oracle for the fast version, not a copy of it)."""
    out = claims.copy()
    out["repeat_of"] = out["repeat_of"].fillna("")
    for col in ("value_low", "value_high"):
        out[col] = pd.to_numeric(out[col].replace("", None)).astype(float)
    dates = {col: parse_iso(out[col]) for col in ("period_start", "period_end", "published")}
    end, published = dates["period_end"]["end"], dates["published"]["end"]
    date = end.where(end.notna() & (end <= published), published).where(out["basis"] != "forecast", published)
    by_id = dict(zip(out["claim_id"], date, strict=True))
    date = date.where(out["repeat_of"] == "", out["repeat_of"].map(by_id))
    ind = raw["indicators"][["indicator", "label_en", "label_de", "unit", "direction", "kind"]]
    src = raw["sources"].rename(columns={"title": "source_title", "url": "source_url", "kind": "source_kind"})
    originals = src[["source_id", "source_url"]].rename(columns={"source_id": "original_source_id", "source_url": "original_url"})
    src = src.merge(originals, on="original_source_id", how="left")
    reg = raw["estimators"].rename(columns={"label_en": "estimator_label_en", "label_de": "estimator_label_de", "colour": "estimator_colour"})
    out = (
        out.assign(date=date, period_start_date=dates["period_start"]["start"], period_end_date=end, published_date=published)
        .merge(ind, on="indicator", how="left")
        .merge(src[["source_id", "publisher", "source_title", "source_url", "via", "source_kind", "original_url"]], on="source_id", how="left")
        .merge(reg[["estimator", "estimator_label_en", "estimator_label_de", "warring_party", "estimator_colour"]], on="estimator", how="left")
    )
    for col in ("period_start", "period_end", "published"):
        out[f"{col}_precision"] = dates[col]["precision"].to_numpy()
    out[["source_kind", "original_url"]] = out[["source_kind", "original_url"]].fillna("")
    out = out.assign(value_mid=(out["value_low"] + out["value_high"]) / 2, value_range=out["value_high"] - out["value_low"])
    out["has_value"] = out["value_low"].notna()
    return out.sort_values(["indicator", "date", "claim_id"], kind="stable")[list(PROCESSED_COLUMNS)].reset_index(drop=True)


def test_clean_claims_gives_what_plain_joins_and_a_sort_give_on_a_shuffled_enlarged_copy():
    """Many rows per indicator and date (ties broken by claim_id), shuffled, with ranges, empty
    values, repeats, and keys that no table has: every cell is what left joins give."""
    import numpy as np

    raw = read_raw(PROJECT_ROOT / "data/raw")
    copies = []
    for r in range(3):
        c = raw["claims"].copy()
        c["claim_id"] = c["claim_id"] + f".r{r}"
        c["repeat_of"] = c["repeat_of"].where(c["repeat_of"] == "", c["repeat_of"] + f".r{r}")
        copies.append(c)
    claims = pd.concat(copies).sample(frac=1, random_state=1).reset_index(drop=True)
    claims.loc[:4, "source_id"] = "no-such-source"
    claims.loc[5:9, "estimator"] = "no such estimator"
    claims.loc[10:12, "indicator"] = "no_such_indicator"
    assert (claims["value_high"] != claims["value_low"]).any() and (claims["value_low"] == "").any()
    assert (claims["repeat_of"] != "").any()
    got = clean_claims(claims, raw["sources"], raw["indicators"], estimators=raw["estimators"])
    want = _joined_then_sorted(claims, raw)
    assert len(got) == len(claims)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=True)
    assert got["label_en"].isna().sum() == 3 and got["publisher"].isna().sum() == 5
    assert (got.loc[got["source_id"] == "no-such-source", ["source_kind", "original_url"]] == "").all(axis=None)
    assert not np.any(got["estimator_label_en"].isna() & (got["estimator"] != "no such estimator"))


@pytest.mark.parametrize("registry", [True, False], ids=["with-registry", "without"])
def test_each_column_of_the_cleaned_claims_can_be_changed_alone(registry: bool):
    """The columns are built from arrays without copying them into blocks: none may share
    another's array, so that changing one cell (in a notebook, say) changes that cell only."""
    raw = read_raw(PROJECT_ROOT / "data/raw")

    def cleaned() -> pd.DataFrame:
        return clean_claims(raw["claims"], raw["sources"], raw["indicators"],
                            estimators=raw["estimators"] if registry else None)

    for col in cleaned().select_dtypes(exclude=["number", "bool", "datetime"]).columns:
        df = cleaned()
        before = df.copy(deep=True)
        df.loc[0, col] = "CHANGED"
        others = [c for c in df.columns if c != col and not df[c].equals(before[c])]
        assert df.loc[0, col] == "CHANGED" and others == [], (col, others)
