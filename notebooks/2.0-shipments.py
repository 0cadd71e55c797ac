# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2.0 Shipments from North Korea to Russia
#
# **Reads** `data/processed/claims.csv`, `data/processed/consensus_over_time.csv`, `data/raw/indicators.csv`.
# **Writes** `data/processed/implied_rounds_per_container.csv`,
# `data/processed/containers_as_rounds.csv`, `data/processed/findings_shipments.csv` and the
# figures `containers`, `artillery_rounds`, `rounds_per_container`, `missiles`, `guns_launchers`,
# `ship_voyages`, `dprk_share` under `reports/<lang>/figures/` (SVG and PNG; phone variants SVG).
#
# Counted or assessed figures and capacity conversions ("N containers could hold M shells")
# are kept apart throughout.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
REPORT_LANGS = "en de"
ROUNDS_PER_CONTAINER_LOW = 300
ROUNDS_PER_CONTAINER_HIGH = 500

# %%
from dprk_russia.analysis import findings, tables
from dprk_russia.build.context import load_context, show_table
from dprk_russia.build.variants import variant_dirs
from dprk_russia.report import charts

PROCESSED_DIR, REPORTS_DIR = variant_dirs(
    PROCESSED_DIR, REPORTS_DIR, ROUNDS_PER_CONTAINER_LOW=ROUNDS_PER_CONTAINER_LOW,
    ROUNDS_PER_CONTAINER_HIGH=ROUNDS_PER_CONTAINER_HIGH,
)
ctx = load_context(RAW_DIR, PROCESSED_DIR, REPORTS_DIR, REPORT_LANGS)
claims, ind, curves = ctx.claims, ctx.indicators, ctx.curves

# %% [markdown]
# ## How many munitions containers has North Korea shipped, according to whom?

# %%
ctx.figures("containers", lambda lang: charts.containers(claims, ind, lang, curves))
show_table(
    tables.latest_per_estimator(claims, "containers_munitions")[
        ["estimator", "date", "value_low", "value_high", "qualifier"]
    ]
)

# %% [markdown]
# ## How many artillery rounds? Assessed counts beside capacity conversions

# %%
ctx.figures("artillery_rounds", lambda lang: charts.artillery_rounds(claims, ind, lang, curves))
rounds = claims[claims["indicator"] == "artillery_rounds"]
show_table(rounds.groupby("basis")["value_mid"].describe())

# %% [markdown]
# ## How many rounds per container do sources imply when they give both figures?
# The plausible band is a parameter (`ROUNDS_PER_CONTAINER_LOW`/`_HIGH`).

# %%
ratios = ctx.table(
    tables.implied_rounds_per_container(claims, ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH),
    "implied_rounds_per_container",
)
ctx.figures(
    "rounds_per_container",
    lambda lang: charts.rounds_per_container(
        claims, ratios, lang, ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH
    ),
)
show_table(ratios[["estimator", "date", "containers", "rounds", "rounds_basis", "ratio_mid", "in_band"]])

# %% [markdown]
# ## What would the container counts mean in rounds under our assumption?
# A conversion, kept in its own table, never mixed with the assessed counts.

# %%
as_rounds = ctx.table(
    tables.containers_to_rounds(claims, ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH),
    "containers_as_rounds",
)
show_table(as_rounds.tail())

# %% [markdown]
# ## Ballistic missiles: how many were shipped, and how many fired at Ukraine?

# %%
ctx.figures("missiles", lambda lang: charts.missiles(claims, ind, lang, curves))

# %% [markdown]
# ## Guns and rocket launchers: 170 mm, 240 mm and heavy artillery in total

# %%
ctx.figures("guns_launchers", lambda lang: charts.guns_launchers(claims, ind, lang, curves))

# %% [markdown]
# ## How many voyages and port calls carried the munitions?

# %%
ctx.figures("ship_voyages", lambda lang: charts.ship_voyages(claims, ind, lang, curves))

# %% [markdown]
# ## What share of Russia's shells comes from North Korea?

# %%
ctx.figures("dprk_share", lambda lang: charts.dprk_share(claims, ind, lang))

# %% [markdown]
# ## The findings the report quotes

# %%
show_table(
    ctx.findings(
        findings.shipments(claims, ratios, ROUNDS_PER_CONTAINER_LOW, ROUNDS_PER_CONTAINER_HIGH), "shipments"
    )
)
