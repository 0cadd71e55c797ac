# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1.0 Clean the claims
#
# **Reads** `data/raw/claims.csv`, `sources.csv`, `indicators.csv`, `events.csv`,
# `estimators.csv` (validated before this notebook runs).
# **Writes** `data/processed/claims.csv` (tidy, typed claims), `data/processed/events.csv`,
# `data/processed/sources.csv`, `data/processed/estimators.csv`, `data/processed/freshness.json`
# (figures published up to, sources read up to) and `data/processed/README.md` (the
# processed-data dictionary). `data/processed/claims.xlsx` is written from `claims.csv` by a
# step of its own (`make claims-xlsx`, `dprk_russia.publish.export`), beside the analyses.
#
# Each raw row is one published figure. Cleaning parses the ISO dates at the precision the
# source gave, computes a midpoint and a range, picks a representative date, and joins the
# indicator labels and the source details. The logic lives in `dprk_russia.data.clean`.

# %% tags=["parameters"]
RAW_DIR = "data/raw"
PROCESSED_DIR = "data/processed"
AS_OF = ""
ESTIMATOR_TYPES = "all"

# %%
from pathlib import Path

from dprk_russia import PROJECT_ROOT
from dprk_russia.build.variants import variant_dirs
from dprk_russia.data.clean import clean_claims, data_dictionary_markdown, read_raw
from dprk_russia.data.freshness import freshness, freshness_json
from dprk_russia.data.io import write_csv, write_text

raw_dir = PROJECT_ROOT / RAW_DIR
PROCESSED_DIR, _ = variant_dirs(PROCESSED_DIR, "reports", AS_OF=AS_OF, ESTIMATOR_TYPES=ESTIMATOR_TYPES)
out_dir = PROJECT_ROOT / PROCESSED_DIR
raw = read_raw(raw_dir)

# %% [markdown]
# ## How many figures, from how many sources, does the raw dataset hold?

# %%
claims = clean_claims(
    raw["claims"],
    raw["sources"],
    raw["indicators"],
    as_of=AS_OF or None,
    estimator_types=ESTIMATOR_TYPES,
    estimators=raw["estimators"],
)
print(
    f"{len(raw['claims'])} raw claims -> {len(claims)} kept "
    f"(as of {AS_OF or 'all dates'}, estimator types {ESTIMATOR_TYPES})"
)
print(
    f"{claims['source_id'].nunique()} sources, {claims['indicator'].nunique()} indicators, "
    f"{claims['estimator'].nunique()} estimators"
)

# %% [markdown]
# ## Which bases and estimator types do the kept claims have?

# %%
claims.groupby(["basis", "estimator_type"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Write the processed files
# Events and sources are filtered to the same cut-off so that a variant built "as of" a date
# shows nothing published later.

# %%
events = raw["events"]
sources = raw["sources"]
if AS_OF:
    events = events[events["date"] <= AS_OF]
sources = sources[sources["source_id"].isin(set(claims["source_id"]) | set(events["source_id"]))]
write_csv(claims, Path(out_dir, "claims.csv"))
write_csv(events.sort_values(["date", "event_en"]), Path(out_dir, "events.csv"))
write_csv(sources.sort_values("source_id"), Path(out_dir, "sources.csv"))
estimators = raw["estimators"][raw["estimators"]["estimator"].isin(set(claims["estimator"]))]
write_csv(estimators.sort_values("estimator"), Path(out_dir, "estimators.csv"))
write_text(Path(out_dir, "README.md"), data_dictionary_markdown())
fresh = freshness(claims, sources)
write_text(Path(out_dir, "freshness.json"), freshness_json(fresh))
fresh
