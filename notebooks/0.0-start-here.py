# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Start here
#
# Hundreds of published figures on North Korea's arms, troops and losses in Russia's war, and on
# what Russia sent back, turned into a sourced dataset, pooled into one estimate per question, and
# reported in English and German. `make report` runs the notebooks in this order: `data/raw` →
# **1.0** clean → **1.1** pooled curves → **2.0–2.3** analyses and **5.0** backtest → **3.0** report.
# Each answers one question (click to open):
#
# - [1.0 Clean the claims](1.0-clean-claims.py): which published figures does the dataset hold,
#   and which does a cut-off keep?
# - [1.1 Pooled estimate](1.1-pooled-estimate.py): what was known at each date, once the figures
#   of many estimators are pooled into one curve?
# - [2.0 Shipments](2.0-shipments.py): how many containers, shells, missiles and guns went to
#   Russia, according to whom?
# - [2.1 Oil and transfers](2.1-oil-transfers.py): how much refined oil went to North Korea
#   against the UN cap, and what else did Russia send?
# - [2.2 Deployments](2.2-deployments.py): how many troops were sent, and how many were killed,
#   wounded or captured?
# - [2.3 Consensus and contradictions](2.3-consensus-contradictions.py): how far apart are the
#   recent figures, and which contradict the curve or each other?
# - [3.0 Report](3.0-report.py): the report, from the findings the notebooks wrote.
# - [4.0 Rounds sweep](4.0-rounds-sweep.py): how much does the assumed number of rounds per
#   container decide? (`make sweep`)
# - [5.0 Backtest](5.0-backtest.py): would the pooled estimate have told a reader what the next
#   figures would say?
# - [6.0 Explorer](6.0-explorer.py): what would a curve say at another date, from other
#   estimators, or without the warring parties?
#
# This notebook and the explorer only read; `make report` does not run them. Running any other
# notebook here writes what `make report` writes for it (a changed parameter writes to
# `reports/variants/`). Autosave is off: an edit reaches the reviewed `.py` only when you save.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"

# %% [markdown]
# ## Key findings
# As the report states them: the pooled estimate at the date of its newest evidence, with its 80%
# band ("likely"), how many estimators it rests on and how sure it is; then the newest counted
# figure. Read from `data/processed/consensus.csv` and the findings files that 1.1 and 2.3 wrote;
# nothing is computed here.

# %%
import json

from dprk_russia import PROJECT_ROOT
from dprk_russia.build.context import show_table
from dprk_russia.report.render import key_findings

fresh = json.loads((PROJECT_ROOT / PROCESSED_DIR / "freshness.json").read_text(encoding="utf-8"))
print(
    f"Figures published up to {fresh['figures_published_up_to']}; "
    f"sources read up to {fresh['sources_read_up_to']}."
)
show_table(key_findings(PROJECT_ROOT / RAW_DIR, PROJECT_ROOT / PROCESSED_DIR))
