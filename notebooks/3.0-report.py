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
# **Reads** `data/processed/*.csv`, `data/raw/indicators.csv` and the figures in
# `reports/<lang>/figures/`.
# **Writes** `reports/<lang>/report.md` and `reports/<lang>/report.html` (self-contained).
#
# Run once per language (`LANG`). All numbers in the text are computed from the processed
# data by `dprk_russia.report` and formatted for the language with babel.

# %% tags=["parameters"]
LANG = "en"
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
REPORTS_DIR = "reports"
AS_OF = ""
ESTIMATOR_TYPES = "all"
ROUNDS_PER_CONTAINER_LOW = 300
ROUNDS_PER_CONTAINER_HIGH = 500

# %%
from dprk_russia import PROJECT_ROOT
from dprk_russia.io import write_text
from dprk_russia.report import build_report

params = {
    "AS_OF": AS_OF,
    "ESTIMATOR_TYPES": ESTIMATOR_TYPES,
    "ROUNDS_PER_CONTAINER_LOW": ROUNDS_PER_CONTAINER_LOW,
    "ROUNDS_PER_CONTAINER_HIGH": ROUNDS_PER_CONTAINER_HIGH,
}
reports = PROJECT_ROOT / REPORTS_DIR
md, html = build_report(PROJECT_ROOT / RAW_DIR, PROJECT_ROOT / PROCESSED_DIR, reports, LANG, params)

# %% [markdown]
# ## Write both formats

# %%
write_text(reports / LANG / "report.md", md)
write_text(reports / LANG / "report.html", html)
print(md[:1500])
