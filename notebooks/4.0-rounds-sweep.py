# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4.0 Rounds-per-container sweep (one point)
#
# **Reads** `data/processed/claims.csv`.
# **Writes** `OUT_CSV`: for one assumed number of rounds per container, what the latest
# container count of each estimator would mean in rounds, beside the assessed round counts.
#
# `make sweep` runs this notebook once per value in `SWEEP_VALUES`, in parallel, and then
# draws the summary figure (`reports/sweep/`). This is a capacity conversion, not a count.

# %% tags=["parameters"]
PROCESSED_DIR = "data/processed"
ROUNDS_PER_CONTAINER = 400
OUT_CSV = "build/sweep/rpc-400.csv"

# %%
from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis.sweep import sweep_point
from dprk_russia.build.context import show_table
from dprk_russia.data.clean import load_processed
from dprk_russia.data.io import write_csv

claims = load_processed(PROJECT_ROOT / PROCESSED_DIR / "claims.csv")

# %% [markdown]
# ## At this assumption, how many rounds would the latest container counts represent?

# %%
point = sweep_point(claims, ROUNDS_PER_CONTAINER)
write_csv(point, PROJECT_ROOT / OUT_CSV)
show_table(point)
