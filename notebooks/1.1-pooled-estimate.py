# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1.1 The pooled estimate over time
#
# **Reads** `data/processed/claims.csv`, `data/raw/indicators.csv` (and the estimator
# registry `data/raw/estimators.csv` where present, for who is a warring party).
# **Writes** `data/processed/consensus_over_time.csv` (one row per indicator and week: the
# pooled estimate, its band and how many figures it rests on),
# `data/processed/estimator_effects.csv` (how far each estimator runs above or below the
# curve) and `data/processed/consensus.csv` (the key findings at the cut-off).
#
# Dozens of estimators publish figures for the same running totals at different times.
# Read side by side, growth looks like disagreement. This notebook fits one curve per
# indicator through all counted figures (`dprk_russia.analysis.pooled`): non-decreasing by
# construction, "more than" and "up to" treated as bounds, and a shrunk effect per
# estimator, so that one estimator that always runs high cannot pull the curve.
# Library: SciPy (L-BFGS-B with analytic gradients). GAM libraries (pygam, statsmodels)
# handle neither censored figures nor a hard monotone constraint.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
AS_OF = ""
POOL_SMOOTHNESS = 3.0
POOL_BAND = 0.8
POOL_WARRING = "in"
RECENT_DAYS = 183

# %%
import pandas as pd

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis import curves, joint, pooled, tables
from dprk_russia.build.context import show_figure, show_table
from dprk_russia.build.variants import require_inputs, variant_dirs
from dprk_russia.data.clean import load_processed
from dprk_russia.data.io import write_csv
from dprk_russia.data.schema import read_raw_csv
from dprk_russia.report import diagnostics

PROCESSED_DIR, _ = variant_dirs(
    PROCESSED_DIR, "reports", AS_OF=AS_OF, POOL_SMOOTHNESS=POOL_SMOOTHNESS, POOL_BAND=POOL_BAND,
    POOL_WARRING=POOL_WARRING,
)
require_inputs(PROCESSED_DIR, "claims.csv")
raw, processed = PROJECT_ROOT / RAW_DIR, PROJECT_ROOT / PROCESSED_DIR
claims = load_processed(processed / "claims.csv")
indicators = read_raw_csv(raw / "indicators.csv")
registry_path = raw / "estimators.csv"
registry = read_raw_csv(registry_path) if registry_path.exists() else None
settings = pooled.PoolSettings(
    smoothness=float(POOL_SMOOTHNESS), band=float(POOL_BAND), include_warring=POOL_WARRING == "in"
)
warring = pooled.warring_estimators(claims, registry)
cut = pd.Timestamp(AS_OF) if AS_OF else claims["published_date"].max()
settings

# %% [markdown]
# ## Which indicators have enough distinct estimators for a pooled curve?
# Cumulative indicators with counted (assessed or official) whole-indicator figures from at
# least three estimators; relayed copies of one estimate count once.

# %%
pooled_ids = pooled.pooled_indicators(claims, indicators, 3, warring, settings.include_warring)
pooled_ids

# %% [markdown]
# ## What is the pooled estimate, week by week, up to the cut-off?

# %%
fits = joint.fit_all(claims, pooled_ids, cut, settings, warring)
weekly = curves.curve_tables(fits, pooled_ids, cut)
write_csv(weekly, processed / "consensus_over_time.csv")
show_table(weekly.groupby("indicator").tail(1))

# %% [markdown]
# ## What do the curves look like next to the figures they rest on?
# One panel per pooled indicator: the curve and its band (grey) behind the counted figures it
# was fitted to (colour = estimator, as in the report; ▲ more than, ▼ up to; hollow: weighed down
# as a probable total, see below). Shown here only: this chart is not written to `reports/`.

# %%
fitted = claims if settings.include_warring else claims[~claims["estimator"].isin(warring)]
doubtful = {c for w in fits.values() for c, x in w.weights.items() if x < 0.5}
show_figure(lambda: diagnostics.pooled_curves(fitted, indicators, weekly, "en", doubtful))

# %% [markdown]
# ## Which figures of a part are probably totals, and how much does that decide?
# The dead are part of all casualties. Each "killed" (and "wounded") figure is weighed by the
# probability that all casualties were at least that large at its date, from the pooled
# casualties curve: a figure far above it (most likely a casualty total reported as deaths)
# counts for almost nothing, one near it for about half. No cut-off drops a figure. The
# sensitivity below fits the killed curve again with every figure at full weight and with the
# doubtful ones (weight below one half) left out.

# %%
weights = {ind: fit.weights for ind, fit in fits.items() if fit.weights}
sensitivity = joint.part_sensitivity(claims, fits, pooled_ids, cut, settings, warring)
write_csv(sensitivity, processed / "pooled_sensitivity.csv")
show_table(
    pd.DataFrame(
        [(ind, c, x) for ind, w in weights.items() for c, x in sorted(w.items())],
        columns=["indicator", "claim_id", "weight"],
    )
)
show_table(sensitivity)

# %% [markdown]
# ## Which estimators run systematically high or low?
# An effect of 1.3 means the estimator's figures sit 30% above the curve on average. Effects
# are shrunk toward 1, so an estimator with one or two figures stays close to it.

# %%
effects = curves.effects_table(fits)
write_csv(effects, processed / "estimator_effects.csv")
show_table(effects[effects["n"] >= 2].sort_values("effect"))

# %% [markdown]
# ## What is known at the cut-off, and how far apart are the figures of the last six months?

# %%
key = [*pooled_ids, *[i for i in tables.HEADLINE_INDICATORS if i not in pooled_ids]]
consensus = curves.consensus_table(claims, weekly, cut, key, RECENT_DAYS)
write_csv(consensus, processed / "consensus.csv")
show_table(consensus[["indicator", "estimate", "low", "high", "recent_n", "recent_low", "recent_high"]])
