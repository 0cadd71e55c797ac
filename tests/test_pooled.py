"""The pooled estimate, its backtest and the contradiction rules on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dprk_russia.analysis import backtest, contradictions, curves, joint, optimise, pooled

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

    monkeypatch.setattr(joint, "fit_indicator", spy)
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


def _cas(cid: str, value: float, day: str, est: str, ind: str = "casualties_total") -> dict:
    return {"claim_id": cid, "indicator": ind, "value_low": value, "published": day, "estimator": est}


def test_a_killed_figure_above_all_casualties_is_weighed_down_not_dropped():
    rows = [_cas(f"t{i}", 4000 + 100 * i, f"2025-0{i}-10", "ABCD"[i - 1]) for i in range(1, 5)]
    rows += [_cas(f"k{i}", 1000 + 50 * i, f"2025-0{i}-12", "EFGH"[i - 1], "killed") for i in range(1, 5)]
    rows += [_cas("mix", 6000, "2025-05-01", "X", "killed") | {"qualifier": "over"}]
    df = make_claims(rows)
    end = pd.Timestamp("2025-05-31")
    fits = joint.fit_all(df, ["killed", "casualties_total"], end)
    assert list(fits) == ["killed", "casualties_total"]
    assert set(fits["killed"].weights) == {"mix"} and fits["killed"].weights["mix"] < 0.2
    assert np.exp(fits["killed"].level[-1]) < 2000
    # the sensitivity shows what the doubtful figure would decide
    sens = joint.part_sensitivity(df, fits, ["killed", "casualties_total"], end).set_index("indicator")
    assert sens.loc["killed", "doubtful_claim_ids"] == "mix"
    assert sens.loc["killed", "doubtful_left_out"] <= sens.loc["killed", "weighed"]
    assert sens.loc["killed", "full_weight"] > sens.loc["killed", "weighed"]


def test_killed_plus_wounded_stay_within_all_casualties():
    """Parts whose own figures add up to more than the whole's: fitted together, the curves
    obey killed + wounded <= total (within the constraint's softness) at every date."""
    rows = [_cas(f"t{i}", 3000 + 100 * i, f"2025-0{i}-10", "ABCD"[i - 1]) for i in range(1, 5)]
    rows += [_cas(f"k{i}", 1800 + 50 * i, f"2025-0{i}-12", "EFGH"[i - 1], "killed") for i in range(1, 5)]
    rows += [_cas(f"w{i}", 2200 + 50 * i, f"2025-0{i}-14", "IJKL"[i - 1], "wounded") for i in range(1, 5)]
    df = make_claims(rows)
    ids = ["casualties_total", "killed", "wounded"]
    fits = joint.fit_all(df, ids, pd.Timestamp("2025-05-31"))
    dates = pd.date_range("2025-01-20", "2025-05-31", freq="7D")
    est = {i: fits[i].predict(dates)["estimate"].to_numpy() for i in ids}
    assert np.all(est["killed"] + est["wounded"] <= est["casualties_total"] * 1.02)
    # without the constraint the parts' own figures (about 2,000 + 2,400) exceed the whole (3,400)
    alone = {i: pooled.fit_indicator(pooled.pool_inputs(df, i), i, pd.Timestamp("2025-05-31")) for i in ids}
    last = {i: np.exp(alone[i].level[-1]) for i in ids}
    assert last["killed"] + last["wounded"] > last["casualties_total"] * 1.1


def test_joint_objective_gradient_matches_differences():
    rows = [_cas(f"t{i}", 3000 + 100 * i, f"2025-0{i}-10", "ABCD"[i - 1]) for i in range(1, 4)]
    rows += [_cas(f"k{i}", 1800 + 50 * i, f"2025-0{i}-12", "EF"[i % 2], "killed") for i in range(1, 4)]
    rows += [_cas(f"w{i}", 2200, f"2025-0{i}-20", "IJ"[i % 2], "wounded") for i in range(1, 4)]
    df = make_claims(rows)
    fits = {i: pooled.fit_indicator(pooled.pool_inputs(df, i), i, pd.Timestamp("2025-04-30"))
            for i in ("casualties_total", "killed", "wounded")}
    names = ["casualties_total", "killed", "wounded"]
    probs = [pooled._Problem(fits[n].inputs, fits[n].origin, fits[n].settings) for n in names]
    problem = joint._Joint(probs, [fits[n].origin for n in names])
    x = np.concatenate([joint._params(fits[n], p) for n, p in zip(names, probs, strict=True)]) + 0.01
    f, g = problem(x)
    h = 1e-6
    num = np.array([(problem(x + e)[0] - problem(x - e)[0]) / (2 * h) for e in np.eye(len(x)) * h])
    assert np.max(np.abs(num - g)) < 1e-5 * max(1.0, np.max(np.abs(g)))


def _voyages_with_a_2024_total(*early: tuple[str, int]) -> pd.DataFrame:
    """Pool inputs of voyage figures: ``early`` (publication date, value), one estimator each,
    then MSMT-like 49 "in 2024" (a period total published in May 2025)."""
    ind = "ship_voyages"
    rows = [
        {"claim_id": chr(97 + n), "indicator": ind, "value_low": v, "published": d, "estimator": chr(65 + n)}
        for n, (d, v) in enumerate(early)
    ]
    rows.append({"claim_id": "m", "indicator": ind, "value_low": 49, "published": "2025-05-29", "estimator": "M",
                 "period_start": "2024-01", "period_end": "2024-12"})
    return pooled.pool_inputs(make_claims(rows), ind)


def test_a_period_total_counts_the_rise_over_its_period():
    """MSMT's 49 voyages "in 2024" (a period starting after the first figure) is the rise from
    January to December 2024, not the level: the curve stays near the 20-30 of early 2024."""
    ind = "ship_voyages"
    inp = _voyages_with_a_2024_total(("2023-11-15", 10), ("2024-02-15", 20), ("2024-04-15", 28))
    assert list(pooled.increments(inp, inp["date"].min())) == [False, False, False, True]
    f = pooled.fit_indicator(inp, ind, pd.Timestamp("2025-06-30"))
    at = f.predict(pd.to_datetime(["2024-01-01", "2024-03-31", "2024-12-31"]))["estimate"].to_numpy()
    assert at[1] < 35  # not 49 by March 2024
    assert 40 <= at[2] - at[0] <= 58  # the rise over 2024 is about 49


def test_a_day_dated_stock_is_a_level_not_a_rise():
    """"Two POWs held since January 2025, as of 31 October" is a level."""
    ind = "captured"
    rows = [
        {"claim_id": "a", "indicator": ind, "value_low": 1, "published": "2024-12-27", "estimator": "A"},
        {"claim_id": "b", "indicator": ind, "value_low": 2, "published": "2025-01-11", "estimator": "B"},
        {"claim_id": "c", "indicator": ind, "value_low": 2, "published": "2025-10-31", "estimator": "C",
         "period_start": "2025-01", "period_end": "2025-10-31"},
    ]
    inp = pooled.pool_inputs(make_claims(rows), ind)
    assert not pooled.increments(inp, inp["date"].min()).any()


def test_a_final_lower_bound_lifts_the_curve_above_it_but_not_far():
    """A bound is a tail probability: "over 49" after figures of 20-30 puts the curve above 49
    (a bound is met), by about one noise scale, not to twice the bound. (Flattening the bound so
    that the curve stops at 49 scored worse on the tuning half of the backtest: later figures
    do run above an "over" figure, so the bound carries that information.)"""
    rows = [row("a", 20, "2024-01-15"), row("b", 24, "2024-03-15", "B"), row("c", 27, "2024-05-15", "C"),
            row("d", 30, "2024-07-15", "D"), row("e", 49, "2024-09-15", "E", qualifier="over")]
    f = fit(make_claims(rows))
    est = float(f.predict([pd.Timestamp("2024-12-31")])["estimate"].iloc[0])
    assert 49 <= est <= 49 * 1.5


def test_fits_converge_to_the_stated_tolerance():
    """A fit ends where the projected gradient is below GRADIENT_TOL (not where L-BFGS-B's
    ftol stopped it), so that another CPU's rounding cannot move it."""
    df = make_claims(series("A", 1.0, "a") + series("B", 1.2, "b") + [row("o", 2500, "2024-12-20", "C", qualifier="over")])
    f = fit(df)
    prob = pooled._Problem(f.inputs, f.origin, f.settings)
    x = joint._params(f, prob)
    g = optimise.projected_gradient(prob, x, prob(x)[1])
    assert np.max(np.abs(g)) < 1e-6  # the refitted parameters, re-packed from the Fit


def _casualty_fits() -> dict[str, pooled.Fit]:
    """Wholes and parts with a dozen figures of each kind (points, bounds, ranges), so that the
    vectorised sums run over as many terms as the real data's."""
    return joint.fit_all(make_claims(_casualty_rows()), ["casualties_total", "killed", "wounded"], pd.Timestamp("2026-12-31"))


def _casualty_rows() -> list[dict]:
    rows = []
    for i in range(36):
        day = f"{2024 + i // 12}-{i % 12 + 1:02d}-{10 + i % 3}"
        kind = [{}, {"qualifier": "over"}, {"qualifier": "up_to"}, {"value_high": 3400 + 120 * i}][i % 4]
        rows.append(_cas(f"t{i}", 3000 + 100 * i, day, "ABCDEFGHIJ"[i % 10]) | kind)
        rows.append(_cas(f"k{i}", 1000 + 40 * i, day, "KLMNOP"[i % 6], "killed") | kind)
        rows.append(_cas(f"w{i}", 1500 + 50 * i, day, "QRSTUV"[i % 6], "wounded"))
    return rows


def test_a_fit_that_l_bfgs_b_stops_far_from_its_optimum_is_run_again_and_converges():
    """L-BFGS-B's ftol test can stop it after one step of little progress, far from the optimum:
    Newton steps from there fail. optimise.fit runs L-BFGS-B again from where it stopped until the
    projected gradient is small, then converges to GRADIENT_TOL."""
    from scipy.optimize import minimize

    rows = _casualty_rows()
    inputs = pooled.pool_inputs(make_claims([r for r in rows if r["indicator"] == "casualties_total"]), "casualties_total")
    origin = inputs["date"].min().normalize()
    prob = pooled._Problem(inputs, origin, pooled.PoolSettings())
    x0 = np.concatenate([[prob.y0], np.zeros(prob.n_knots - 1), np.zeros(len(prob.estimators)), [np.log(prob.s.sigma_prior)]])
    once = minimize(prob, x0, jac=True, method="L-BFGS-B", bounds=prob.bounds(), options=optimise.LBFGS_OPTIONS).x
    left = np.max(np.abs(optimise.projected_gradient(prob, once, prob(once)[1])))
    assert left > optimise.START_TOL  # one run stops far from the optimum (else this test says nothing)
    with pytest.raises(RuntimeError, match="did not converge"):
        optimise.converge(prob, once)
    x, _ = optimise.fit(prob, x0)
    assert np.max(np.abs(optimise.projected_gradient(prob, x, prob(x)[1]))) < optimise.GRADIENT_TOL


def test_a_batch_of_points_gives_each_row_bit_for_bit_as_a_single_call():
    """The Hessian evaluates its 2n gradients in one vectorised pass: each row must be exactly
    what a single call gives (else fits would move in the last digits), for one curve and for the
    joint fit of a whole and its parts."""
    fits = _casualty_fits()
    names = ["casualties_total", "killed", "wounded"]
    probs = [pooled._Problem(fits[n].inputs, fits[n].origin, fits[n].settings) for n in names]
    problems = [probs[0], joint._Joint(probs, [fits[n].origin for n in names])]
    rng = np.random.default_rng(0)
    for prob in problems:
        x = np.concatenate([joint._params(fits[n], p) for n, p in zip(names, probs, strict=True)])
        x = x[: len(prob.bounds())]
        X = x + rng.normal(0, 0.05, (7, len(x)))
        f, G = prob.batch(X)
        for r in range(len(X)):
            f1, g1 = prob(X[r])
            assert f1 == f[r] and np.array_equal(g1, G[r])
        # the Hessian of one vectorised pass is that of one call per point
        assert np.array_equal(optimise.hessian(prob, x), optimise.hessian(Single(prob), x))


class Single:
    """A problem without its batch method: the Hessian then calls it once per point."""

    def __init__(self, prob: optimise.Problem) -> None:
        self.prob = prob

    def bounds(self) -> list[tuple[float | None, float | None]]:
        return self.prob.bounds()

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        return self.prob(x)


def test_a_warm_start_from_an_earlier_fit_reaches_the_same_rounded_curve():
    """The backtest starts each cut-off's fit from the previous one's curve; the fit converges to
    the same optimum, so the rounded curve and band are those of a cold start."""
    from dprk_russia.analysis.precision import round_sig_array

    df = make_claims(series("A", 1.0, "a") + series("B", 1.2, "b") + [row("o", 2500, "2024-12-20", "C", qualifier="over")])
    early = fit(df[df["published_date"] <= "2024-08-31"], "2024-08-31")
    inputs = pooled.pool_inputs(df, IND)
    cold = pooled.fit_indicator(inputs, IND, pd.Timestamp("2024-12-31"))
    warm = pooled.fit_indicator(inputs, IND, pd.Timestamp("2024-12-31"), start=early)
    dates = pd.date_range("2024-01-15", "2025-03-31", freq="7D")
    for col in ("estimate", "low", "high"):
        a, b = cold.predict(dates)[col].to_numpy(), warm.predict(dates)[col].to_numpy()
        assert np.array_equal(round_sig_array(a), round_sig_array(b))


def test_a_period_total_is_spread_over_its_period_unless_figures_say_otherwise():
    """A total "in 2024" says nothing of when within 2024: with figures only before the period,
    the rise is spread over the year (the curve at mid-year is well between its ends), not
    bunched where the early growth would carry it; without the spreading it is bunched."""
    ind = "ship_voyages"
    inp = _voyages_with_a_2024_total(("2023-10-15", 10), ("2023-12-01", 18), ("2024-01-31", 27))
    days = pd.to_datetime(["2024-01-31", "2024-03-31", "2024-12-31"])

    def share_by_march(settings: pooled.PoolSettings) -> float:
        at = pooled.fit_indicator(inp, ind, pd.Timestamp("2025-06-30"), settings).predict(days)["estimate"]
        return float((at.iloc[1] - at.iloc[0]) / (at.iloc[2] - at.iloc[0]))

    assert share_by_march(pooled.PoolSettings()) < 0.35  # two of eleven months: about a fifth
    assert share_by_march(pooled.PoolSettings(spread=0.0)) > share_by_march(pooled.PoolSettings()) + 0.1


def test_a_batch_with_a_period_total_gives_each_row_as_a_single_call():
    """The spreading of a period total's rise is part of the vectorised objective too."""
    inp = _voyages_with_a_2024_total(("2023-10-15", 10), ("2024-01-31", 27))
    f = pooled.fit_indicator(inp, "ship_voyages", pd.Timestamp("2025-06-30"))
    prob = pooled._Problem(f.inputs, f.origin, f.settings)
    assert prob.in_period.any()
    x = joint._params(f, prob)
    X = x + np.random.default_rng(1).normal(0, 0.05, (5, len(x)))
    fb, G = prob.batch(X)
    for r in range(len(X)):
        f1, g1 = prob(X[r])
        assert f1 == fb[r] and np.array_equal(g1, G[r])


def test_the_backtest_picks_the_indicators_of_the_committed_pooled_curves():
    """5.0 runs beside 1.1, not after it: it chooses the pooled indicators by 1.1's rule, which
    must give exactly the indicators of consensus_over_time.csv (1.1's curves)."""
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.data.clean import load_processed
    from dprk_russia.data.io import read_csv
    from dprk_russia.data.schema import read_raw_csv

    processed, raw = PROJECT_ROOT / "data/processed", PROJECT_ROOT / "data/raw"
    claims = load_processed(processed / "claims.csv")
    warring = pooled.warring_estimators(claims, read_raw_csv(raw / "estimators.csv"))
    picked = pooled.pooled_indicators(claims, read_raw_csv(raw / "indicators.csv"), 3, warring, True)
    curves_of_1_1 = read_csv(processed / "consensus_over_time.csv", text=False)["indicator"].unique()
    assert len(picked) > 1 and sorted(picked) == sorted(curves_of_1_1)


@pytest.mark.parametrize("include_warring", [True, False])
def test_rows_selected_once_then_cut_give_what_pool_inputs_selects_from_the_claims_known_by_then(include_warring):
    """The backtest selects each indicator's rows once (pool_rows) and, at each cut-off, keeps those
    published by then: the figures must be those pool_inputs gives from the claims published by
    then, row for row, on the real processed claims."""
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.data.clean import load_processed
    from dprk_russia.data.schema import read_raw_csv

    claims = load_processed(PROJECT_ROOT / "data/processed/claims.csv")
    warring = pooled.warring_estimators(claims, read_raw_csv(PROJECT_ROOT / "data/raw/estimators.csv"))
    compared = 0
    for ind in ["troops_deployed", "killed", "artillery_rounds", "containers_munitions"]:
        rows = pooled.pool_rows(claims, ind, warring, include_warring)
        for cut in backtest.quarterly_cuts("2023-12-31", "2025-12-31"):
            once = pooled.pool_estimates(rows[rows["published_date"] <= cut])
            known = claims[claims["published_date"] <= cut]
            pd.testing.assert_frame_equal(once, pooled.pool_inputs(known, ind, warring, include_warring))
            compared += len(once)
    assert compared > 100


def test_candidates_are_each_figure_published_within_each_cut_offs_horizon_in_order():
    """backtest.candidates takes each cut-off's rows at once: the same rows, columns and order as a
    frame per (indicator, cut-off) of the figures published after the cut-off and by the end of its
    horizon, restatements left out, on the real processed claims; no cut-off, no rows."""
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.data.clean import load_processed

    claims = load_processed(PROJECT_ROOT / "data/processed/claims.csv")
    indicators = ["troops_deployed", "killed", "artillery_rounds", "no_such_indicator"]
    cuts = backtest.quarterly_cuts("2023-12-31", "2025-12-31")
    got = backtest.candidates(claims, indicators, cuts, 180)
    expected = []
    for ind in indicators:
        inp = pooled.pool_inputs(claims, ind)
        inp = inp[~inp["claim_id"].isin(backtest.restatements(inp))]
        for cut in cuts if len(inp) else []:  # (an indicator without figures adds no frame)
            within = (inp["published_date"] > cut) & (inp["published_date"] <= cut + pd.Timedelta(days=180))
            expected.append(inp[within].assign(cut=cut))
    pd.testing.assert_frame_equal(got, pd.concat(expected, ignore_index=True))
    assert len(got) > 100 and got["cut"].nunique() > 4
    assert backtest.candidates(claims, indicators, [], 180).empty
