# %% [markdown]
# # 2.3 Consensus and contradictions
#
# **Reads** `data/processed/claims.csv`, `data/raw/indicators.csv`.
# **Writes** `data/processed/consensus.csv`, `data/processed/contradictions.csv` and the
# figure `consensus_spread` under `reports/<lang>/figures/`.
#
# Consensus uses only counted figures (assessed or official): for each headline indicator,
# the latest figure of each estimator, and the range across estimators.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
REPORT_LANGS = "en de"
ROUNDS_PER_CONTAINER_LOW = 300
ROUNDS_PER_CONTAINER_HIGH = 500
FAR_APART_FACTOR = 2.0
FAR_APART_WINDOW_DAYS = 31

# %%
from dprk_russia import analysis, charts
from dprk_russia.context import load_context

ctx = load_context(RAW_DIR, PROCESSED_DIR, REPORTS_DIR, REPORT_LANGS)
claims, ind = ctx.claims, ctx.indicators

# %% [markdown]
# ## For each headline question, what is the latest figure of each estimator?

# %%
consensus = ctx.table(analysis.consensus_table(claims), "consensus")
ctx.figures("consensus_spread", lambda lang: charts.consensus_spread(claims, ind, lang))
consensus[["indicator", "n_estimators", "low", "high", "newest_estimator", "newest_date"]]

# %% [markdown]
# ## Where do the figures contradict each other?
# Five rules: a cumulative figure that falls; a capacity conversion reported elsewhere as a
# count; casualties above the deployed force; implied rounds per container outside the band;
# estimators far apart at the same time.

# %%
contradictions = ctx.table(
    analysis.find_contradictions(
        claims, ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH, FAR_APART_FACTOR, FAR_APART_WINDOW_DAYS
    ),
    "contradictions",
)
contradictions.groupby("type").size()
