"""The explorer (notebook 6.0) fits with the pipeline's own functions: with every claim it gives
exactly the committed curve of notebook 1.1; a cut-off, estimator types and the warring-party
switch only filter what enters the fit."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis import explorer as ax
from dprk_russia.build import explorer as bx
from dprk_russia.data.io import read_csv
from dprk_russia.report import diagnostics

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data() -> bx.Data:
    return bx.load()


def committed_curve(indicator: str) -> pd.DataFrame:
    curves = read_csv(PROJECT_ROOT / "data/processed/consensus_over_time.csv", text=False)
    return curves[curves["indicator"] == indicator].reset_index(drop=True)


@pytest.mark.parametrize("indicator", ["troops_deployed", "killed"])
def test_every_claim_gives_exactly_the_pipeline_curve(data, indicator):
    """killed is fitted jointly with wounded and all casualties, as in 1.1."""
    ex = bx.run(data, indicator)
    assert ex.fit is not None and ex.reason == ""
    mine = ex.curve.assign(date=ex.curve["date"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), committed_curve(indicator), check_dtype=False)
    if indicator == "killed":
        assert ex.family == ["casualties_total", "killed", "wounded"]
    effects = read_csv(PROJECT_ROOT / "data/processed/estimator_effects.csv", text=False)
    committed = effects[effects["indicator"] == indicator].set_index("estimator")["effect"]
    assert ex.effects.set_index("estimator")["effect"].sort_index().equals(committed.sort_index())


def test_cut_off_types_and_warring_switch_filter_what_enters_the_fit(data):
    ex = bx.run(data, "troops_deployed", "2024-12-31", "intelligence,government", "out")
    assert ex.cut == pd.Timestamp("2024-12-31")
    assert (ex.claims["published_date"] <= ex.cut).all()
    assert set(ex.claims["estimator_type"]) <= {"intelligence", "government"}
    used = ex.fit.inputs
    assert not set(used["estimator"]) & set(ex.warring)
    assert pd.Timestamp(ex.curve["date"].iloc[-1]) == ex.cut
    # the figures the chart draws are those that may enter the fit
    assert not set(ex.fitted_claims["estimator"]) & set(ex.warring)
    assert set(used["claim_id"]) <= set(ex.fitted_claims["claim_id"])
    # the tables that show what moved the curve
    assert list(ex.inputs.columns) == ax.INPUT_COLUMNS and len(ex.inputs) == len(used)
    assert ex.inputs["weight"].between(0, 1).all()
    assert set(ex.effects["estimator"]) == set(used["estimator"])
    assert "claims published up to 2024-12-31" in bx.summary(ex, data)


def test_too_early_a_cut_off_says_why_there_is_no_curve(data):
    ex = bx.run(data, "troops_deployed", "2024-06-30")
    assert ex.fit is None and ex.curve.empty and "at least 3" in ex.reason
    assert "No pooled curve" in bx.summary(ex, data)
    fig = diagnostics.pooled_curves(ex.fitted_claims, data.indicators, ex.curve, "en", ids=[ex.indicator])
    assert len(fig.axes) >= 1
    ex = bx.run(data, "troops_deployed", "2017-01-01")
    assert ex.claims.empty and ex.fit is None


def test_bad_configurations_are_refused(data):
    with pytest.raises(ValueError, match="unknown estimator type"):
        bx.run(data, "troops_deployed", "", "spies")
    with pytest.raises(ValueError):
        bx.run(data, "troops_deployed", "2024-13-45")
    with pytest.raises(ValueError, match="warring"):
        bx.run(data, "troops_deployed", "", "all", "maybe")
    with pytest.raises(ValueError, match="unknown indicator"):
        bx.run(data, "tanks", "")


def test_the_widget_form_builds_and_fits_without_a_kernel(data):
    """In plain Python the form is built and its first fit runs (its output stays empty)."""
    form = bx.ui(data, "ballistic_missiles_launched", "2025-06-30", "all", "in")
    pick = form.children[0].children[0]
    assert pick.value == "ballistic_missiles_launched"
    assert set(pick.options) >= {(bx.label(data.indicators, i, "en"), i) for i in data.choices()}
