"""Consensus, implied ratios, oil run-rate and contradiction rules on hand-made inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from dprk_russia.analysis import contradictions, curves, tables

from .conftest import make_claims

NO_CURVES = pd.DataFrame(columns=["indicator", "date", "estimate", "low", "high", "n_estimates"])
NO_EFFECTS = pd.DataFrame(columns=["indicator", "estimator", "effect", "n"])


def c(cid, ind, lo, pub, est="A", hi=None, **kw):
    return {
        "claim_id": cid,
        "indicator": ind,
        "value_low": lo,
        "value_high": lo if hi is None else hi,
        "published": pub,
        "estimator": est,
        **kw,
    }


def test_latest_per_estimator_and_consensus_skip_capacity_and_forecast():
    df = make_claims(
        [
            c("a1", "containers_munitions", 1000, "2023-10-01", "A"),
            c("a2", "containers_munitions", 5000, "2024-01-01", "A"),
            c("b1", "containers_munitions", 7000, "2024-02-01", "B", hi=9000, qualifier="range"),
            c("b2", "containers_munitions", 99000, "2024-03-01", "B", basis="forecast"),
            c("x", "containers_munitions", 50000, "2024-03-01", "C", basis="capacity"),
        ]
    )
    latest = tables.latest_per_estimator(df, "containers_munitions")
    assert list(latest["claim_id"]) == ["a2", "b1"]
    table = curves.consensus_table(df, NO_CURVES, pd.Timestamp("2024-03-31"), ["containers_munitions"], 90)
    row = table.iloc[0]
    assert (row["n_estimators"], row["newest_claim_id"]) == (2, "b1")
    # only b1 was published within 90 days of the cut-off; no curve, so no pooled estimate
    assert (row["recent_n"], row["recent_low"], row["recent_high"]) == (1, 7000, 9000)
    assert pd.isna(row["estimate"])


def test_implied_rounds_per_container_pairs_by_source_and_period():
    df = make_claims(
        [
            c("k", "containers_munitions", 10000, "2024-06-14", source_id="s1", period_end="2024-06"),
            c(
                "r",
                "artillery_rounds",
                4800000,
                "2024-06-14",
                source_id="s1",
                period_end="2024-06",
                basis="capacity",
            ),
            c("k2", "containers_munitions", 5000, "2023-12-29", source_id="s2", period_end="2023-12-29"),
            c(
                "r2",
                "artillery_rounds",
                400000,
                "2023-12-29",
                source_id="s2",
                period_end="2023-12-29",
                basis="capacity",
            ),
            c("lone", "artillery_rounds", 1, "2024-01-01", source_id="s3"),
        ]
    )
    out = tables.implied_rounds_per_container(df, 300, 500).set_index("rounds_claim_id")
    assert out.loc["r", "ratio_mid"] == 480 and bool(out.loc["r", "in_band"])
    assert out.loc["r2", "ratio_mid"] == 80 and not bool(out.loc["r2", "in_band"])
    assert "lone" not in out.index
    with pytest.raises(ValueError):
        tables.implied_rounds_per_container(df, 500, 300)


def test_containers_to_rounds_is_a_separate_conversion():
    df = make_claims([c("k", "containers_munitions", 100, "2024-01-01", hi=200, qualifier="range")])
    out = tables.containers_to_rounds(df, 300, 500).iloc[0]
    assert (out["rounds_low"], out["rounds_high"]) == (30000, 100000)


def test_oil_run_rate_and_cap_date():
    df = make_claims(
        [
            c(
                "o",
                "refined_oil_delivered",
                1000000,
                "2024-11-22",
                period_start="2024-03-01",
                period_end="2024-10-31",
            ),
            c("nostart", "refined_oil_delivered", 5, "2024-11-22"),
            # a capacity conversion (what the tankers could carry) is not an estimate of deliveries
            c(
                "cap",
                "refined_oil_delivered",
                125000,
                "2024-03-31",
                basis="capacity",
                period_start="2024-03-07",
                period_end="2024-03-31",
            ),
            c("plan", "refined_oil_delivered", 9, "2024-11-22", basis="forecast", period_start="2024-01-01"),
        ]
    )
    rr = tables.oil_run_rate(df)
    assert list(rr["claim_id"]) == ["o"]
    r = rr.iloc[0]
    days = (pd.Timestamp("2024-10-31") - pd.Timestamp("2024-03-01")).days + 1
    assert r["days"] == days == 245
    assert r["annualised"] == pytest.approx(1000000 / 245 * 365)
    assert r["cap_multiple"] == pytest.approx(1000000 / 245 * 365 / 500000)
    # 500,000 barrels at 1,000,000/245 a day take 123 days: day 123 counted from 1 March
    assert r["cap_passed_on"] == pd.Timestamp("2024-07-01")


def test_casualty_share_uses_median_of_latest_force_figures_by_then():
    df = make_claims(
        [
            c("t1", "troops_deployed", 3000, "2024-10-23", "A"),
            c("t2", "troops_deployed", 11000, "2024-11-05", "B"),
            c("t3", "troops_deployed", 99000, "2024-11-06", "B", basis="forecast"),
            c("t4", "troops_deployed", 10000, "2024-11-20", "A"),
            c("t5", "troops_deployed", 18000, "2024-11-21", "C"),
            c("k", "casualties_total", 1100, "2024-12-23"),
            c("early", "killed", 10, "2024-10-30"),
        ]
    )
    sh = tables.casualty_share(df).set_index("claim_id")
    # latest per estimator by 23 Dec: A 10000, B 11000, C 18000 -> median 11000; forecasts ignored
    assert sh.loc["k", "force"] == 11000 and sh.loc["k", "share_mid"] == pytest.approx(0.1)
    assert sh.loc["k", "force_max"] == 18000
    assert sh.loc["early", "force"] == 3000
    with pytest.raises(ValueError):
        tables.force_size_at(df, pd.Timestamp("2025-01-01"), how="mean")


def test_contradiction_falling_cumulative():
    df = make_claims(
        [
            c("a", "killed", 2000, "2025-09-02", "NIS"),
            c("b", "killed", 600, "2025-11-04", "NIS"),
            c("c", "killed", 700, "2025-12-01", "Other"),
        ]
    )
    rows = contradictions.falling_cumulative(tables.distinct_estimates(df))
    assert [r["claim_ids"] for r in rows] == ["a;b"]


def test_contradiction_capacity_reported_as_count():
    df = make_claims(
        [
            c("cap", "artillery_rounds", 4800000, "2024-06-14", "MND", basis="capacity", source_id="s1"),
            c("cnt", "artillery_rounds", 4900000, "2024-09-01", "Press", source_id="s2"),
            c("far", "artillery_rounds", 2000000, "2024-09-01", "Press2", source_id="s3"),
        ]
    )
    rows = contradictions.capacity_as_count(tables.distinct_estimates(df))
    assert [r["claim_ids"] for r in rows] == ["cap;cnt"]


def test_contradiction_casualties_above_force():
    df = make_claims(
        [
            c("t", "troops_deployed", 3000, "2024-10-23"),
            c("k", "casualties_total", 4000, "2024-12-01"),
            c("ok", "casualties_total", 1000, "2024-12-01"),
        ]
    )
    rows = contradictions.losses_above_force(tables.distinct_estimates(df))
    assert [r["claim_ids"] for r in rows] == ["k"]


def test_find_contradictions_combines_rules():
    df = make_claims(
        [
            c("k", "containers_munitions", 5000, "2023-12-29", source_id="s2", period_end="2023-12-29"),
            c(
                "r",
                "artillery_rounds",
                400000,
                "2023-12-29",
                source_id="s2",
                period_end="2023-12-29",
                basis="capacity",
            ),
        ]
    )
    out = contradictions.find_contradictions(df, NO_CURVES, NO_EFFECTS, 300, 500)
    assert list(out["type"]) == ["ratio_outside_band"]
    assert "80 rounds per container" in out.loc[0, "detail"]


def test_part_scope_claims_stay_out_of_consensus_and_contradictions():
    df = make_claims(
        [
            c("all", "killed", 2000, "2025-09-02", "NIS"),
            c("unit", "killed", 9, "2025-12-12", "NIS", scope="part"),
        ]
    )
    assert list(tables.latest_per_estimator(df, "killed")["claim_id"]) == ["all"]
    assert contradictions.falling_cumulative(tables.distinct_estimates(df)) == []
    table = curves.consensus_table(df, NO_CURVES, pd.Timestamp("2025-12-31"), ["killed"])
    assert table.iloc[0]["newest_claim_id"] == "all"


def test_distinct_estimates_merge_relays_within_a_month_only():
    df = make_claims(
        [
            c("a", "containers_munitions", 20000, "2025-05-29", "MSMT", source_id="s1"),
            c("b", "containers_munitions", 20000, "2025-05-30", "MSMT", source_id="s2"),
            c("c", "containers_munitions", 20000, "2025-06-20", "MSMT", source_id="s3"),
            c("later", "containers_munitions", 20000, "2025-09-01", "MSMT", source_id="s4"),
            c("other", "containers_munitions", 20000, "2025-05-29", "US official", source_id="s5"),
        ]
    )
    out = tables.distinct_estimates(df).set_index("claim_id")
    assert sorted(out.index) == ["a", "later", "other"]
    assert out.loc["a", "relays"] == 3 and out.loc["a", "relay_ids"] == "a;b;c"
    assert out.loc["later", "relays"] == 1


def test_relayed_estimate_gives_one_contradiction():
    df = make_claims(
        [
            c("cap", "artillery_rounds", 4800000, "2024-06-14", "MND", basis="capacity", source_id="s1"),
            c("cap2", "artillery_rounds", 4800000, "2024-06-15", "MND", basis="capacity", source_id="s2"),
            c("cnt", "artillery_rounds", 4900000, "2024-09-01", "Press", source_id="s3"),
        ]
    )
    out = contradictions.find_contradictions(df, NO_CURVES, NO_EFFECTS, 300, 500)
    assert list(out["claim_ids"]) == ["cap;cap2;cnt"]


def test_distinct_estimates_keeps_claims_without_numbers():
    df = make_claims(
        [
            c(
                "n1",
                "fighter_aircraft",
                "",
                "2024-12-10",
                "INDOPACOM",
                hi="",
                basis="forecast",
                source_id="s1",
            ),
            c(
                "n2",
                "fighter_aircraft",
                "",
                "2024-12-11",
                "INDOPACOM",
                hi="",
                basis="forecast",
                source_id="s2",
            ),
        ]
    )
    out = tables.distinct_estimates(df)
    assert list(out["relay_ids"]) == ["n1;n2"]


def test_early_cut_off_without_headline_figures_gives_empty_tables_and_charts():
    """A cut-off before any counted headline figure (AS_OF=2023-06-30) must not crash."""
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.data.dictionary import TABLES
    from dprk_russia.data.schema import read_raw_csv
    from dprk_russia.report.charts import consensus_spread

    df = make_claims(
        [{"claim_id": "a", "indicator": "oil_tanker_calls", "value_low": 5, "published": "2023-06-13"}]
    )
    cut = pd.Timestamp("2023-06-30")
    weekly = curves.curve_tables({}, [], cut)
    assert weekly.empty and list(weekly.columns) == list(TABLES["consensus_over_time"][1])
    table = curves.consensus_table(df, weekly, cut, tables.HEADLINE_INDICATORS)
    assert table.empty and list(table.columns) == list(TABLES["consensus"][1])
    ind = read_raw_csv(PROJECT_ROOT / "data/raw/indicators.csv")
    fig = consensus_spread(df, ind, table, weekly, "en")
    assert fig.axes[0].get_yticks().size == 0


def test_casualty_share_uses_the_pooled_force_where_there_is_one():
    df = make_claims(
        [
            {"claim_id": "t1", "indicator": "troops_deployed", "value_low": 10000, "published": "2024-11-01", "estimator": "A"},
            {"claim_id": "t2", "indicator": "troops_deployed", "value_low": 12000, "published": "2024-12-01", "estimator": "B"},
            {"claim_id": "k", "indicator": "killed", "value_low": 1000, "published": "2025-01-15", "estimator": "C"},
        ]
    )
    curve = pd.DataFrame(
        {"indicator": "troops_deployed", "date": pd.to_datetime(["2024-11-01", "2025-02-01"]),
         "estimate": [10000.0, 20000.0], "low": [9000.0, 18000.0], "high": [11000.0, 22000.0], "n_estimates": [1, 2]}
    )
    median = tables.casualty_share(df).set_index("claim_id").loc["k", "force"]
    pooled = tables.casualty_share(df, curve).set_index("claim_id").loc["k", "force"]
    assert median == 11000  # the median of the estimators' latest figures
    assert 15000 < pooled < 20000  # the curve, read log-linearly at 15 January 2025


def _distinct_estimates_row_by_row(df: pd.DataFrame, window_days: int = 30) -> pd.DataFrame:
    """The walk claim by claim that tables.distinct_estimates replaces (the reference)."""
    sub = df.sort_values(["published_date", "claim_id"], kind="stable")
    published = list(sub["published_date"])
    ids = sub["claim_id"].to_list()
    clusters: list[list[int]] = []
    for positions in sub.groupby(tables.ESTIMATE_KEY, dropna=False, sort=False).indices.values():
        start = None
        for pos in positions:
            when = published[pos]
            if start is None or (when - start).days > window_days:
                start = when
                clusters.append([])
            clusters[-1].append(pos)
    out = sub.iloc[[c[0] for c in clusters]].assign(
        relays=[len(c) for c in clusters], relay_ids=[";".join(ids[i] for i in c) for c in clusters]
    )
    return out.sort_values(["indicator", "date", "claim_id"], kind="stable").reset_index(drop=True)


def test_distinct_estimates_walk_days_not_claims_with_the_same_result():
    """The walk over distinct (figure, day) pairs gives what the walk over every claim gives: on the
    real claims, on them copied many times (as at 100,000 claims), for other windows and none."""
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.data.clean import load_processed

    claims = load_processed(PROJECT_ROOT / "data/processed/claims.csv")
    copies = pd.concat(
        [claims.assign(claim_id=claims["claim_id"] + f".r{r}") for r in range(5)], ignore_index=True
    ).sample(frac=1.0, random_state=1)
    for df in (claims, copies, claims.iloc[:0], claims.iloc[:1]):
        for window in (30, 0, 400):
            pd.testing.assert_frame_equal(
                tables.distinct_estimates(df, window), _distinct_estimates_row_by_row(df, window)
            )


def test_the_key_order_is_the_order_of_a_stable_pandas_sort_with_or_without_missing_values():
    """distinct_estimates orders rows from their key columns alone (numpy's stable sort where no
    value is missing, else pandas'): the order must be that of sorting the whole frame."""
    import numpy as np

    df = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-03-01", "2024-01-01", "2024-02-01"]),
            "who": pd.array(["b", "Ä", "a", "Z", "b"], dtype="str"),
            "n": [1, 2, 3, 4, 5],
        },
        index=[10, 3, 7, 1, 2],
    )
    no_date = df.assign(when=df["when"].where(df["n"] != 2))
    no_name = df.assign(who=df["who"].where(df["n"] != 4))
    for frame in (df, no_date, no_name):
        for by in (["when", "who"], ["who", "when"]):
            want = frame.reset_index(drop=True).sort_values(by, kind="stable").index.to_numpy()
            assert np.array_equal(tables._stable_order(frame, by), want)
            rows = np.array([4, 0, 2])
            sub = frame.iloc[rows].reset_index(drop=True).sort_values(by, kind="stable").index.to_numpy()
            assert np.array_equal(tables._stable_order(frame, by, rows), sub)


def test_groups_are_numbered_as_pandas_numbers_them_in_order_of_first_appearance():
    import numpy as np

    df = pd.DataFrame(
        {"a": ["x", "y", "x", None, "y", None, "x"], "b": [1.0, np.nan, 1.0, 2.0, np.nan, 2.0, 3.0]}
    )
    want = df.groupby(["a", "b"], dropna=False, sort=False).ngroup().to_numpy()
    got = tables._first_seen_groups([df["a"].to_numpy(), df["b"].to_numpy()])
    assert np.array_equal(got, want) and list(got) == [0, 1, 0, 2, 1, 2, 3]
