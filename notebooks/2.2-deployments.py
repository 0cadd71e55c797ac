# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2.2 North Korean troops in Russia: deployments and casualties
#
# **Reads** `data/processed/claims.csv`, `data/processed/consensus_over_time.csv`,
# `data/processed/events.csv`, `data/raw/indicators.csv`.
# **Writes** `data/processed/casualty_share.csv`, `data/processed/deployments.csv`,
# `data/processed/findings_deployments.csv` and the
# figures `troops`, `later_waves`, `casualties`, `casualty_share` under `reports/<lang>/figures/`.
#
# Planned or expected troop numbers are marked as forecasts and never joined to counts.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
REPORT_LANGS = "en de"

# %%
from dprk_russia.analysis import findings, tables
from dprk_russia.build.context import load_context, show_table
from dprk_russia.report import charts

ctx = load_context(RAW_DIR, PROCESSED_DIR, REPORTS_DIR, REPORT_LANGS)
claims, ind, events, curves = ctx.claims, ctx.indicators, ctx.events, ctx.curves

# %% [markdown]
# ## How many troops did North Korea send, according to whom, and when?

# %%
ctx.figures("troops", lambda lang: charts.troops(claims, ind, events, lang, curves))
deploy = claims[
    claims["indicator"].isin(
        ["troops_deployed", "troops_in_kursk", "troops_reinforcement", "engineers_builders"]
    )
]
ctx.table(
    deploy[["claim_id", "indicator", "date", "estimator", "value_low", "value_high", "qualifier", "basis"]],
    "deployments",
)
show_table(deploy.groupby(["indicator", "basis"]).size().unstack(fill_value=0))

# %% [markdown]
# ## How many were at the front, and how many more came later as reinforcements, engineers and builders?

# %%
ctx.figures("later_waves", lambda lang: charts.later_waves(claims, ind, lang))

# %% [markdown]
# ## How many were killed and wounded, by estimator?

# %%
ctx.figures("casualties", lambda lang: charts.casualties(claims, ind, lang, curves))

# %% [markdown]
# ## What share of the force do the casualty figures represent?
# Denominator: the largest counted deployment figure dated on or before each casualty figure.

# %%
share = ctx.table(tables.casualty_share(claims, ctx.curves), "casualty_share")
ctx.figures("casualty_share", lambda lang: charts.casualty_share(claims, share, ind, lang))
show_table(share.tail(10))

# %% [markdown]
# ## The findings the report quotes

# %%
show_table(ctx.findings(findings.deployments(claims, share), "deployments"))
