# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5.0 Backtest of the pooled estimate
#
# **Reads** `data/processed/claims.csv`, `data/raw/indicators.csv` and `data/raw/estimators.csv`
# (it picks the indicators with a pooled curve as 1.1 does, so it runs beside 1.1, not after it).
# **Writes** `reports/backtest/backtest.csv` (one row per cut-off and later figure),
# `reports/backtest/summary.csv` (per indicator and overall: median absolute log error of
# each method and the share of figures inside the band) and `data/processed/findings_backtest.csv`
# (the overall numbers the report's methodology quotes).
#
# Would the pooled estimate have told a reader, on a given day, what the next published
# figures would say? For quarterly cut-offs we fit the model only on claims published on or
# before the cut-off (the `AS_OF` rule) and compare its estimate, at the date each later figure
# refers to, with the figures published in the following 180 days. Baselines: the newest
# published counted figure (*naive*) and the median of each estimator's latest figure
# (*latest per estimator*, the old key-findings method). The baselines are not tuned.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
CUT_FIRST = "2024-03-31"
CUT_LAST = "2025-12-31"
HORIZON_DAYS = 180
POOL_SMOOTHNESS = 3.0
POOL_BAND = 0.8
POOL_WARRING = "in"

# %%

import pandas as pd

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis import backtest, findings, pooled
from dprk_russia.build.context import show_figure, show_table
from dprk_russia.build.variants import variant_dirs
from dprk_russia.data.clean import load_processed
from dprk_russia.data.io import write_csv
from dprk_russia.data.schema import read_raw_csv
from dprk_russia.report import diagnostics

PROCESSED_DIR, REPORTS_DIR = variant_dirs(
    PROCESSED_DIR, REPORTS_DIR, POOL_SMOOTHNESS=POOL_SMOOTHNESS, POOL_BAND=POOL_BAND,
    POOL_WARRING=POOL_WARRING,
)
raw, processed = PROJECT_ROOT / RAW_DIR, PROJECT_ROOT / PROCESSED_DIR
out = PROJECT_ROOT / REPORTS_DIR / "backtest"
claims = load_processed(processed / "claims.csv")
registry = read_raw_csv(raw / "estimators.csv")
settings = pooled.PoolSettings(
    smoothness=float(POOL_SMOOTHNESS), band=float(POOL_BAND), include_warring=POOL_WARRING == "in"
)
warring = pooled.warring_estimators(claims, registry)
# the indicators of 1.1's pooled curves (consensus_over_time.csv), chosen by the same rule
indicator_table = read_raw_csv(raw / "indicators.csv")
indicators = sorted(pooled.pooled_indicators(claims, indicator_table, 3, warring, settings.include_warring))
cuts = backtest.quarterly_cuts(CUT_FIRST, CUT_LAST)

# %% [markdown]
# ## Which settings does the first half of the cut-offs choose?
# Only the first half is used to choose the curve's smoothness (a small grid); the second half
# is never seen by the choice.

# %%
tune_cuts, scored_cuts = backtest.halves(cuts)
every = backtest.predictions(claims, indicators, cuts, int(HORIZON_DAYS), settings, warring)
chosen, tuning, tuning_targets = backtest.tune(
    claims, indicators, tune_cuts, int(HORIZON_DAYS), settings, warring, default_predictions=every
)
write_csv(tuning, out / "tuning.csv")
show_table(tuning)

# %% [markdown]
# ## On the held-out second half, how close was each method to the figures published next?
# Each figure once (at its first cut-off), figures used for tuning left out, restatements of an
# estimator's own earlier values left out, bounds scored one-sided.

# %%
held_pred = (
    every if chosen == settings
    else backtest.predictions(claims, indicators, scored_cuts, int(HORIZON_DAYS), chosen, warring)
)
held_out = backtest.first_scored(held_pred, scored_cuts, exclude=tuning_targets)
every_cut = backtest.first_scored(every)
write_csv(
    pd.concat([held_out.assign(set="held_out"), every_cut.assign(set="all_cuts")], ignore_index=True),
    out / "backtest.csv",
)
show_table(held_out.groupby(["cut", "indicator"]).size().unstack(fill_value=0))

# %% [markdown]
# ## Which method is closest, how sure is that, and does the band hold about 80% of the points?

# %%
summary = pd.concat(
    [backtest.summarise(held_out, "held_out"), backtest.summarise(every_cut, "all_cuts")], ignore_index=True
)
write_csv(summary, out / "summary.csv")
findings.write_findings(
    findings.backtest(summary, cuts, scored_cuts, int(HORIZON_DAYS), chosen.smoothness, settings.smoothness),
    processed,
    "backtest",
)
show_table(summary[summary["indicator"] == "all"])

# %% [markdown]
# ## How does each method do cut-off by cut-off, and how often does the band hold the next figures?
# Every cut-off, each figure scored once at its first cut-off (the `all_cuts` set); left of the
# dotted line the cut-offs that chose the smoothness, right of it the held-out half. Shown here
# only: this chart is not written to `reports/`.

# %%
per_cut = backtest.by_cut(every_cut)
show_figure(
    lambda: diagnostics.backtest(
        per_cut, "en", settings.band, findings.BACKTEST_TARGET_COVERAGE, min(scored_cuts, default=None)
    )
)
show_table(per_cut)
