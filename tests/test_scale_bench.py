"""The 100k-claims benchmark's data (bench/scale.py): copies with new ids that pass validation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.scale import generate
from dprk_russia import PROJECT_ROOT
from dprk_russia.data.rules import check_raw


def test_generated_copies_have_new_ids_and_pass_validation(tmp_path: Path):
    raw = PROJECT_ROOT / "data/raw"
    real = pd.read_csv(raw / "claims.csv", dtype=str, keep_default_na=False)
    n = generate(raw, tmp_path, claims=len(real) + 1)
    assert n == 2 * len(real)
    made = pd.read_csv(tmp_path / "claims.csv", dtype=str, keep_default_na=False)
    assert made["claim_id"].is_unique and set(real["claim_id"]) <= set(made["claim_id"])
    copy = made[made["claim_id"].str.endswith(".r001")]
    assert len(copy) == len(real)
    marked = copy[copy["repeat_of"] != ""]
    assert marked["repeat_of"].str.endswith(".r001").all()  # repeats point inside their copy
    _, errors, _ = check_raw(tmp_path)
    assert errors == []
