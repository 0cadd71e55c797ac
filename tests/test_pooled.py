"""The pooled estimate, its backtest and the contradiction rules on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dprk_russia.analysis import backtest, contradictions, curves, pooled

from .conftest import make_claims

IND = "troops_deployed"


def row(cid: str, value: float, day: str, est: str = "A", **kw: object) -> dict:
    return {"claim_id": cid, "indicator": IND, "value_low": value, "published": day, "estimator": est, **kw}


def series(est: str, factor: float, prefix: str, months: range = range(1, 13)) -> list[dict]:
    """Monthly figures on a curve rising from 1,000 to 2,100, times ``factor``."""
    return [
        row(f"{prefix}{m:02d}", round(factor * (1000 + 100 * (m - 1))), f"2024-{m:02d}-15", est)
        for m in months
    ]


def fit(df: pd.DataFrame, end: str = "2024-12-31", **settings: float) -> pooled.Fit:
    s = pooled.PoolSettings(**settings)
    return pooled.fit_indicator(pooled.pool_inputs(df, IND), IND, pd.Timestamp(end), s)


def test_curve_never_falls_even_when_the_figures_do():
    df = make_claims(
        [
            row("a", 5000, "2024-01-10"),
            row("b", 9000, "2024-03-10", "B"),
            row("c", 3000, "2024-05-10", "C"),
            row("d", 4000, "2024-08-10", "D"),
        ]
    )
    f = fit(df)
    assert np.all(np.diff(f.level) >= -1e-12)
    curve = curves.curve_table(f, pd.Timestamp("2024-12-31"))
    assert curve["estimate"].is_monotonic_increasing
    assert (curve["low"] <= curve["estimate"]).all() and (curve["estimate"] <= curve["high"]).all()
    assert curve["low"].is_monotonic_increasing  # monotone truth: a lower edge holds later too


def test_a_lower_bound_is_a_bound_not_a_point():
    points = [row(f"p{i}", 1000, f"2024-0{i}-01", e) for i, e in zip(range(2, 6), "ABCD", strict=True)]
    bound = make_claims([row("lb", 200, "2024-01-01", "E", qualifier="over"), *points])
    as_point = make_claims([row("lb", 200, "2024-01-01", "E", qualifier="about"), *points])
    assert pooled.pool_inputs(bound, IND).set_index("claim_id").loc["lb", "censor"] == "lower"
    day = [pd.Timestamp("2024-01-01")]
    level_bound = float(fit(bound).predict(day)["estimate"].iloc[0])
    level_point = float(fit(as_point).predict(day)["estimate"].iloc[0])
    # "more than 200" is consistent with 1,000 and leaves the curve there; "about 200" pulls it down
    assert level_bound == pytest.approx(1000, rel=0.05)
    assert level_point < 0.8 * level_bound


def test_an_upper_bound_caps_and_a_range_is_an_interval():
    df = make_claims(
        [
            row("a", 1000, "2024-01-01", "A"),
            row("b", 5000, "2024-02-01", "B", qualifier="up_to"),
            row("c", 900, "2024-03-01", "C", value_high=1300, qualifier="range"),
        ]
    )
    censor = pooled.pool_inputs(df, IND).set_index("claim_id")["censor"]
    assert dict(censor) == {"a": "point", "b": "upper", "c": "interval"}
    level = np.exp(fit(df).level[-1])
    assert 900 < level < 1300


def test_an_estimator_running_50_percent_high_gets_an_effect_of_1_5_and_does_not_move_the_curve():
    honest = series("A", 1.0, "a") + series("B", 1.0, "b") + series("C", 1.0, "c")
    high = series("H", 1.5, "h")
    with_high = fit(make_claims(honest + high))
    without = fit(make_claims(honest))
    effect = float(np.exp(with_high.effect("H")))
    assert effect == pytest.approx(1.5, rel=0.06)
    days = pd.date_range("2024-01-15", "2024-12-15", freq="MS")
    a = with_high.predict(days)["estimate"].to_numpy()
    b = without.predict(days)["estimate"].to_numpy()
    assert np.max(np.abs(np.log(a / b))) < 0.03
    assert np.exp(with_high.effect("unknown")) == 1.0


def test_one_high_figure_is_shrunk_and_cannot_pull_the_curve():
    base = series("A", 1.0, "a") + series("B", 1.0, "b")
    lone = [row("x", 8000, "2024-06-15", "X")]
    f = fit(make_claims(base + lone))
    at_june = float(f.predict([pd.Timestamp("2024-06-15")])["estimate"].iloc[0])
    assert at_june == pytest.approx(1500, rel=0.1)


def test_capacity_forecast_parts_and_relays_stay_out_of_the_fit():
    df = make_claims(
        [
            row("a", 1000, "2024-01-01", "A"),
            row("a2", 1000, "2024-01-05", "A", source_id="s2"),  # the same estimate relayed
            row("cap", 9000, "2024-02-01", "B", basis="capacity"),
            row("fc", 9000, "2024-02-01", "C", basis="forecast"),
            row("part", 50, "2024-02-01", "D", scope="part"),
            row("b", 1100, "2024-03-01", "B"),
        ]
    )
    assert sorted(pooled.pool_inputs(df, IND)["claim_id"]) == ["a", "b"]


def test_warring_parties_can_be_left_out():
    df = make_claims([row("a", 1000, "2024-01-01", "A"), row("u", 5000, "2024-01-02", "U")])
    assert list(pooled.pool_inputs(df, IND, warring=["U"], include_warring=False)["claim_id"]) == ["a"]


def test_band_covers_about_its_level_on_simulated_figures():
    rng = np.random.default_rng(1)
    rows = []
    for i, day in enumerate(pd.date_range("2024-01-01", "2024-12-01", freq="5D")):
        truth = 1000 * np.exp(day.day_of_year / 365)
        rows.append(
            row(f"r{i}", round(truth * np.exp(rng.normal(0, 0.2))), day.strftime("%Y-%m-%d"), f"E{i % 8}")
        )
    f = fit(make_claims(rows))
    assert f.sigma == pytest.approx(0.2, abs=0.08)
    days = pd.date_range("2024-02-01", "2024-11-01", freq="MS")
    band = f.predict(days)
    truth = 1000 * np.exp(days.day_of_year / 365)
    assert np.all(np.abs(np.log(band["estimate"] / truth)) < 0.15)


def test_backtest_never_fits_on_a_figure_published_after_the_cut(monkeypatch):
    df = make_claims(
        [
            row("a", 1000, "2024-01-10", "A"),
            row("b", 1100, "2024-02-10", "B"),
            # published after the cut but referring to a date before it
            row("late", 99000, "2024-05-01", "C", period_end="2024-02-01"),
            row("c", 1200, "2024-06-10", "D"),
        ]
    )
    seen: list[set[str]] = []
    real = pooled.fit_indicator

    def spy(inputs, *args, **kw):
        seen.append(set(inputs["claim_id"]))
        return real(inputs, *args, **kw)

    monkeypatch.setattr(pooled, "fit_indicator", spy)
    bt = backtest.backtest(df, [IND], [pd.Timestamp("2024-03-31")], horizon_days=180)
    assert seen == [{"a", "b"}]
    assert set(bt["claim_id"]) == {"late", "c"}
    assert (bt["naive"] == 1100).all() and (bt["latest_median"] == 1050).all()
    summary = backtest.summarise(bt).set_index("indicator")
    assert summary.loc["all", "n"] == 2
    assert 0 <= summary.loc["all", "band_coverage"] <= 1


def test_quarterly_cuts_are_quarter_ends():
    cuts = backtest.quarterly_cuts("2024-03-31", "2025-12-31")
    assert [c.strftime("%m-%d") for c in cuts[:4]] == ["03-31", "06-30", "09-30", "12-31"]
    assert len(cuts) == 8


def test_outside_band_flags_a_far_figure_but_not_growth():
    grow = series("A", 1.0, "a") + series("B", 1.0, "b") + series("C", 1.0, "c")
    far = [row("far", 20000, "2024-06-15", "X")]
    f = fit(make_claims(grow + far))
    curve = curves.curve_table(f, pd.Timestamp("2024-12-31"))
    effects = curves.effects_table({IND: f})
    rows = contradictions.outside_band(make_claims(grow + far), curve, effects)
    assert [r["claim_ids"] for r in rows] == ["far"]
    assert rows[0]["measure"] > 3


def test_logical_rules_across_indicators_and_grouping():
    df = make_claims(
        [
            {
                "claim_id": "k",
                "indicator": "killed",
                "value_low": 500,
                "published": "2025-01-10",
                "estimator": "A",
            },
            {
                "claim_id": "t",
                "indicator": "casualties_total",
                "value_low": 300,
                "published": "2025-01-10",
                "estimator": "A",
            },
            {
                "claim_id": "k2",
                "indicator": "killed",
                "value_low": 300,
                "published": "2025-02-10",
                "estimator": "B",
            },
            {
                "claim_id": "w2",
                "indicator": "wounded",
                "value_low": 900,
                "published": "2025-02-10",
                "estimator": "B",
            },
            {
                "claim_id": "t2",
                "indicator": "casualties_total",
                "value_low": 1000,
                "published": "2025-02-10",
                "estimator": "B",
            },
            {
                "claim_id": "f",
                "indicator": "troops_deployed",
                "value_low": 1000,
                "published": "2024-12-01",
                "estimator": "C",
            },
            {
                "claim_id": "big",
                "indicator": "casualties_total",
                "value_low": 5000,
                "published": "2025-03-01",
                "estimator": "D",
            },
            # one estimator's total falls twice after its peak: one row, three claims
            {
                "claim_id": "p1",
                "indicator": "troops_deployed",
                "value_low": 3000,
                "published": "2025-01-01",
                "estimator": "E",
            },
            {
                "claim_id": "p2",
                "indicator": "troops_deployed",
                "value_low": 2000,
                "published": "2025-02-01",
                "estimator": "E",
            },
            {
                "claim_id": "p3",
                "indicator": "troops_deployed",
                "value_low": 1500,
                "published": "2025-03-01",
                "estimator": "E",
            },
            # counted from another start date: not a fall
            {
                "claim_id": "p4",
                "indicator": "troops_deployed",
                "value_low": 500,
                "published": "2025-04-01",
                "estimator": "E",
                "period_start": "2025-03",
            },
        ]
    )
    empty_curves = pd.DataFrame(columns=["indicator", "date", "estimate", "low", "high", "n_estimates"])
    empty_effects = pd.DataFrame(columns=["indicator", "estimator", "effect", "n"])
    table = contradictions.find_contradictions(df, empty_curves, empty_effects, 300, 500)
    got = {(r.type, r.claim_ids) for r in table.itertuples()}
    assert ("killed_above_casualties", "k;t") in got
    assert ("parts_above_total", "k2;t2;w2") in got or ("parts_above_total", "k2;w2;t2") in got
    assert ("losses_above_force", "big") in got
    assert ("falling_cumulative", "p1;p2;p3") in got
    assert not any("p4" in ids for _, ids in got)


def test_a_killed_figure_above_all_casualties_is_left_out_of_the_killed_curve():
    def cas(cid: str, value: float, day: str, est: str, ind: str = "casualties_total") -> dict:
        return {"claim_id": cid, "indicator": ind, "value_low": value, "published": day, "estimator": est}

    rows = [cas(f"t{i}", 4000 + 100 * i, f"2025-0{i}-10", "ABCD"[i - 1]) for i in range(1, 5)]
    rows += [cas(f"k{i}", 1000 + 50 * i, f"2025-0{i}-12", "EFGH"[i - 1], "killed") for i in range(1, 5)]
    rows += [cas("mix", 6000, "2025-05-01", "X", "killed") | {"qualifier": "over"}]
    fits = pooled.fit_all(make_claims(rows), ["killed", "casualties_total"], pd.Timestamp("2025-05-31"))
    assert fits["killed"].excluded == ["mix"]
    assert np.exp(fits["killed"].level[-1]) < 2000
    assert list(fits) == ["killed", "casualties_total"]


def test_backtest_drops_restatements_and_scores_each_figure_once():
    """A figure repeating its own estimator's earlier values is no target; a figure inside the
    horizon of two cut-offs is scored at the first only."""
    df = make_claims(
        [
            row("a", 1000, "2024-01-10", "A"),
            row("b", 1100, "2024-02-10", "B"),
            row("a2", 1000, "2024-04-20", "A"),  # A restates its January figure
            row("c", 1300, "2024-05-01", "C"),  # within 180 days of both cut-offs
        ]
    )
    cuts = [pd.Timestamp("2024-03-31"), pd.Timestamp("2024-04-30")]
    assert backtest.restatements(pooled.pool_inputs(df, IND)) == {"a2"}
    bt = backtest.backtest(df, [IND], cuts, horizon_days=180)
    assert list(bt["claim_id"]) == ["c"]
    assert list(bt["cut"]) == [cuts[0]]


def test_bounds_are_scored_one_sided():
    bt = pd.DataFrame(
        {
            "censor": ["lower", "lower", "upper", "upper", "point"],
            "value": [100.0, 100.0, 100.0, 100.0, 100.0],
            "consensus": [150.0, 50.0, 50.0, 200.0, 50.0],
        }
    )
    err = backtest.errors(bt, "consensus")
    # "over 100" predicted at 150 is right; at 50 it misses by log 2; "up to 100" the other way
    assert err == pytest.approx([0.0, np.log(2), 0.0, np.log(2), np.log(2)])


def test_bootstrap_interval_holds_the_ratio_and_is_reproducible():
    rng = np.random.default_rng(1)
    n = 40
    bt = pd.DataFrame(
        {
            "censor": ["point"] * n,
            "value": np.full(n, 100.0),
            "consensus": 100 * np.exp(rng.normal(0, 0.1, n)),
            "naive": 100 * np.exp(rng.normal(0, 0.3, n)),
        }
    )
    ratio = np.median(backtest.errors(bt, "consensus")) / np.median(backtest.errors(bt, "naive"))
    lo, hi = backtest.bootstrap_ratio(bt)
    assert lo < ratio < hi < 1.0
    assert backtest.bootstrap_ratio(bt) == (lo, hi)


def test_tuning_keeps_the_default_unless_another_setting_is_clearly_better(monkeypatch):
    scores = {1.0: 0.30, 3.0: 0.200, 10.0: 0.199}  # 10 is better by 0.5%: noise

    def fake_predictions(claims, indicators, cuts, horizon_days, settings, warring):
        e = scores[settings.smoothness]
        return pd.DataFrame(
            {
                "indicator": IND, "cut": cuts[0], "claim_id": ["x", "y"], "estimator": "A",
                "censor": "point", "value": 100.0, "consensus": 100 * np.exp(e),
                "consensus_low": 1.0, "consensus_high": 1e9, "naive": 150.0, "latest_median": 150.0,
                "adjusted": 100 * np.exp(e),
            }
        )

    monkeypatch.setattr(backtest, "predictions", fake_predictions)
    cuts = [pd.Timestamp("2024-03-31")]
    chosen, table, used = backtest.tune(None, [IND], cuts, 180, pooled.PoolSettings())
    assert chosen.smoothness == 3.0 and used == {"x", "y"}
    scores[10.0] = 0.15  # now clearly better
    chosen, table, _ = backtest.tune(None, [IND], cuts, 180, pooled.PoolSettings())
    assert chosen.smoothness == 10.0 and table.loc[table["chosen"], "smoothness"].item() == 10.0
