# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3.0 Report
#
# **Reads** `data/processed/*.csv`, `data/raw/indicators.csv`, `data/raw/estimators.csv` and the figures in
# `reports/<lang>/figures/`.
# **Writes** `reports/<lang>/report.md` and `reports/<lang>/report.html` (self-contained).
#
# Run once per language (`LANG`). The report computes nothing: every number in the text is a
# finding the 1.0 and 2.x notebooks wrote (`data/processed/findings_*.csv`) or a table cell,
# formatted for the language with babel; every sentence is in
# `src/dprk_russia/report/templates/<lang>/report.md.j2`.

# %% tags=["parameters"]
LANG = "en"
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
AS_OF = ""
ESTIMATOR_TYPES = "all"
ROUNDS_PER_CONTAINER_LOW = 300
ROUNDS_PER_CONTAINER_HIGH = 500
POOL_SMOOTHNESS = 3.0
POOL_BAND = 0.8
POOL_WARRING = "in"

# %%
from dprk_russia import PROJECT_ROOT
from dprk_russia.build.variants import variant_dirs
from dprk_russia.data.io import write_text
from dprk_russia.report.render import build_report

params = {
    "AS_OF": AS_OF,
    "ESTIMATOR_TYPES": ESTIMATOR_TYPES,
    "ROUNDS_PER_CONTAINER_LOW": ROUNDS_PER_CONTAINER_LOW,
    "ROUNDS_PER_CONTAINER_HIGH": ROUNDS_PER_CONTAINER_HIGH,
    "POOL_SMOOTHNESS": POOL_SMOOTHNESS,
    "POOL_BAND": POOL_BAND,
    "POOL_WARRING": POOL_WARRING,
}
PROCESSED_DIR, REPORTS_DIR = variant_dirs(PROCESSED_DIR, REPORTS_DIR, **params)
reports = PROJECT_ROOT / REPORTS_DIR
md, html = build_report(PROJECT_ROOT / RAW_DIR, PROJECT_ROOT / PROCESSED_DIR, reports, LANG, params)

# %% [markdown]
# ## Write both formats

# %%
write_text(reports / LANG / "report.md", md)
write_text(reports / LANG / "report.html", html)
print(md[:1500])
