# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2.1 Oil and other transfers from Russia to North Korea
#
# **Reads** `data/processed/claims.csv`, `data/raw/indicators.csv`.
# **Writes** `data/processed/oil_run_rate.csv`, `data/processed/russia_to_dprk.csv`,
# `data/processed/transfers.csv`, `data/processed/sent_back.csv`, `data/processed/findings_oil.csv`
# and the figures `oil_runrate`, `oil_tankers` under `reports/<lang>/figures/`.
#
# UN Security Council resolution 2397 caps refined-petroleum supplies to North Korea at
# 500,000 barrels a year; supplying states must notify the 1718 Committee.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
REPORT_LANGS = "en de"

# %%
from dprk_russia.analysis import findings, sent_back, tables
from dprk_russia.build.context import load_context, show_table
from dprk_russia.report import charts

ctx = load_context(RAW_DIR, PROCESSED_DIR, REPORTS_DIR, REPORT_LANGS)
claims, ind, curves = ctx.claims, ctx.indicators, ctx.curves

# %% [markdown]
# ## At what yearly rate do the period figures say oil flowed, and when would the cap be passed?

# %%
rr = ctx.table(tables.oil_run_rate(claims), "oil_run_rate")
ctx.figures("oil_runrate", lambda lang: charts.oil_runrate(claims, rr, ind, lang))
oil_rows = findings.oil(rr) + sent_back.oil_findings(rr, claims)
show_table(
    rr[["estimator", "indicator", "period_start", "period_end", "barrels", "cap_multiple", "cap_passed_on"]]
)

# %% [markdown]
# ## How often did North Korean tankers call at Russian oil terminals?

# %%
ctx.figures("oil_tankers", lambda lang: charts.oil_tankers(claims, ind, lang, curves))
oil_rows += findings.newest_finding("oil.tankers.newest", claims, "oil_tanker_calls")

# %% [markdown]
# ## What else went from Russia to North Korea?

# %%
transfers = claims[sent_back.is_transfer(claims)]
russia_to_dprk = ctx.table(
    transfers[
        [
            "claim_id",
            "indicator",
            "date",
            "estimator",
            "value_low",
            "value_high",
            "qualifier",
            "basis",
            "note",
        ]
    ],
    "russia_to_dprk",
)
show_table(russia_to_dprk)

# %% [markdown]
# The same, one row per distinct estimate (relays of one figure count once), grouped by kind of
# item, as the report shows it.

# %%
distinct = ctx.table(sent_back.transfers(claims), "transfers")
show_table(distinct)

# %% [markdown]
# ## What is known of each kind?
# Per kind of item: how many estimates and estimators, how many give a number, and the newest
# counted figure (assessed or official, for the whole of what the kind measures; by the date it
# refers to). Where no figure is counted, the newest statement, with or without a number.

# %%
kinds = ctx.table(sent_back.summary(distinct, claims), "sent_back")
ctx.findings(oil_rows + sent_back.counts(kinds), "oil")
shown = ["indicator", "estimates", "with_figure", "rule", "claim_id", "value_low", "value_high", "estimator"]
show_table(kinds[shown])
