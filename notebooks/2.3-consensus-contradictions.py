# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2.3 Consensus and contradictions
#
# **Reads** `data/processed/claims.csv`, `data/processed/consensus.csv`,
# `data/processed/consensus_over_time.csv`, `data/processed/estimator_effects.csv`,
# `data/raw/indicators.csv`.
# **Writes** `data/processed/contradictions.csv`, `data/processed/findings_consensus.csv`,
# `data/processed/findings_dataset.csv` and the
# figures `headline` and `consensus_spread` under `reports/<lang>/figures/`.
#
# The pooled estimate (notebook 1.1) says what is known at a date. Here we ask two questions
# of it: how far apart are the figures of the last six months once each is compared with the
# estimate *at its own date*, and which figures contradict the curve or each other.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
REPORT_LANGS = "en de"
AS_OF = ""
ROUNDS_PER_CONTAINER_LOW = 300
ROUNDS_PER_CONTAINER_HIGH = 500
POOL_BAND = 0.8
OUTLIER_LEVEL = 0.98
RECENT_DAYS = 183

# %%
import json

from dprk_russia.analysis import contradictions, findings
from dprk_russia.build.context import load_context, show_table
from dprk_russia.build.variants import variant_dirs
from dprk_russia.data.io import read_csv
from dprk_russia.report import charts, headline

PROCESSED_DIR, REPORTS_DIR = variant_dirs(
    PROCESSED_DIR, REPORTS_DIR, AS_OF=AS_OF, POOL_BAND=POOL_BAND,
    ROUNDS_PER_CONTAINER_LOW=ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH=ROUNDS_PER_CONTAINER_HIGH,
)
ctx = load_context(RAW_DIR, PROCESSED_DIR, REPORTS_DIR, REPORT_LANGS)
claims, ind, curves = ctx.claims, ctx.indicators, ctx.curves
consensus = read_csv(ctx.processed_dir / "consensus.csv", text=False)
effects = read_csv(ctx.processed_dir / "estimator_effects.csv", text=False)

# %% [markdown]
# ## The headline: the core questions at a glance
# The pooled curves of the questions the report opens with, as `consensus_over_time.csv` gives
# them: solid up to the date of the newest figure behind each (the dot, from `consensus.csv`),
# dashed over a lighter band where the estimate is only carried flat to the cut-off.

# %%
ctx.figures("headline", lambda lang: headline.headline(curves, consensus, ind, lang))

# %% [markdown]
# ## How far apart are the recent figures, once growth is taken out?
# Each figure published in the last six months, divided by the pooled estimate on the date it
# refers to; the grey bar is the pooled 80% band at the cut-off.

# %%
ctx.figures(
    "consensus_spread",
    lambda lang: charts.consensus_spread(claims, ind, consensus, curves, lang),
)
show_table(consensus[["indicator", "estimate", "low", "high", "recent_n", "recent_low", "recent_high"]])

# %% [markdown]
# ## Where do the figures contradict the curve or each other?
# A figure far outside the pooled band at its own date (after its estimator's effect); an
# estimator's running total that falls; a capacity conversion reported as a count; killed above
# all casualties, or killed plus wounded above the total, from one estimator on one date;
# losses above the force sent; implied rounds per container outside the assumed band.

# %%
table = contradictions.find_contradictions(
    claims, curves, effects, ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH, OUTLIER_LEVEL, POOL_BAND
)
table = ctx.table(table, "contradictions")
show_table(table.groupby("type").size().rename("contradictions"))

# %% [markdown]
# ## The findings the report quotes
# One key-findings row per headline indicator (`key.<indicator>.*`), the count of each rule and
# the parameters the text names.

# %%
sens_path = ctx.processed_dir / "pooled_sensitivity.csv"
sensitivity = read_csv(sens_path, text=False) if sens_path.exists() else None
show_table(
    ctx.findings(
        findings.consensus(consensus, table, claims, POOL_BAND, OUTLIER_LEVEL, RECENT_DAYS, sensitivity),
        "consensus",
    )
)

# %% [markdown]
# ## What the report says about the dataset as a whole
# The figures, estimators and sources the report covers; the sources list also names the pages
# that document only the milestones drawn on the charts.

# %%
sources = read_csv(ctx.processed_dir / "sources.csv")
fresh = json.loads((ctx.processed_dir / "freshness.json").read_text(encoding="utf-8"))
show_table(ctx.findings(findings.dataset(claims, sources, AS_OF, fresh), "dataset"))
