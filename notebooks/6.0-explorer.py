# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6.0 Explorer: the pooled curve under other assumptions
#
# **Reads** `data/processed/claims.csv`, `data/processed/consensus_over_time.csv` (the report's
# curves, drawn dashed for comparison), `data/raw/indicators.csv`, `data/raw/estimators.csv`.
# **Writes** nothing; `make report` does not run this notebook.
#
# Pick an indicator, an as-of date, the estimator types that count and whether the warring
# parties' own figures (Russia, North Korea, Ukraine) enter, and the curve is fitted again with
# the pipeline's own functions (`dprk_russia.analysis.explorer`: `joint.fit_all` and
# `curves.curve_table` on the processed claims published on or before the date, of the types
# kept, the rule cleaning applies for `AS_OF` and `ESTIMATOR_TYPES`). With every claim, every type
# and the warring parties in, the curve is exactly the report's. Below the chart: the figures
# that moved it, the estimators' effects (how far each runs above or below the curve) and each
# figure against the curve with its weight.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
INDICATOR = "troops_deployed"
AS_OF = "2024-12-31"
ESTIMATOR_TYPES = "all"
POOL_WARRING = "in"

# %%
from dprk_russia.build import explorer

data = explorer.load(RAW_DIR, PROCESSED_DIR)

# %% [markdown]
# ## One configuration
# The parameters above, without widgets: this is what an executed notebook shows. Change them
# and run the cell again, or call `explorer.show(explorer.run(data, ...), data)` in a new cell.

# %%
explorer.show(explorer.run(data, INDICATOR, AS_OF, ESTIMATOR_TYPES, POOL_WARRING), data)

# %% [markdown]
# ## Explore
# The same with a form (needs a running kernel): choose, then **Fit**. Fitting killed, wounded or
# all casualties fits the three together, as the pipeline does, and takes a few seconds.

# %%
explorer.ui(data, INDICATOR, AS_OF, ESTIMATOR_TYPES, POOL_WARRING)
