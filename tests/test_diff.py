"""make diff: comparing two builds' processed tables (the build itself is not run here)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from dprk_russia.publish.diff import compare_rows, diff_builds, responsible_claims

CONS = "indicator,cut,estimate,low,high,n_estimates,n_estimators,recent_low,recent_high\n"
CONTRA = "type,indicator,claim_ids,estimators,dates,values,measure,reference,detail\n"
CLAIMS = "claim_id,indicator,value_low,value_high,basis,date,estimator,scope\n"


def _write(d: Path, consensus: str, contradictions: str, claims: str) -> Path:
    d.mkdir()
    (d / "consensus.csv").write_text(CONS + consensus, encoding="utf-8")
    (d / "contradictions.csv").write_text(CONTRA + contradictions, encoding="utf-8")
    (d / "claims.csv").write_text(CLAIMS + claims, encoding="utf-8")
    return d


def test_one_claim_change_shows_its_effect(tmp_path: Path):
    base = _write(
        tmp_path / "base",
        "killed,2026-02-27,4700.000001,4000,6000,10,5,,\ntroops,2026-02-27,14000,12000,15000,8,4,,\n",
        "outside_band,killed,c1,A,2025-01-31,600,3.1,2000,x\n",
        "c1,killed,600,600,assessed,2025-01-31,A,total\nc2,killed,4700,4700,assessed,2025-06-30,B,total\n"
        "c9,troops,14000,14000,assessed,2025-06-30,B,total\n",
    )
    head = _write(
        tmp_path / "head",
        "killed,2026-02-27,5100,4200,6500,10,5,,\ntroops,2026-02-27,14000.0000000001,12000,15000,8,4,,\n",
        "",
        "c1,killed,2000,2000,assessed,2025-01-31,A,total\nc2,killed,4700,4700,assessed,2025-06-30,B,total\n"
        "c9,troops,14000,14000,assessed,2025-06-30,B,total\n",
    )
    lines = diff_builds(base, head)
    assert lines == [
        "consensus: killed: estimate 4,700 → 5,100; low 4,000 → 4,200; high 6,000 → 6,500",
        "  claims: ~c1 (value_low 600 → 2,000; value_high 600 → 2,000)",
        "contradictions: - outside_band killed: claims c1",
    ]
    assert diff_builds(base, base) == []


def test_rows_that_appear_or_go_away_and_generic_findings(tmp_path: Path):
    old = pd.DataFrame({"id": ["a", "b"], "value": ["1", "2"], "text": ["x", "y"]})
    new = pd.DataFrame({"id": ["b", "c"], "value": ["2.5", "3"], "text": ["y", "z"]})
    changes = compare_rows("findings", old, new, ["id"], None)
    assert [(c.key, c.field, c.old, c.new) for c in changes] == [
        ("a", "(row)", "present", ""),
        ("b", "value", "2", "2.5"),
        ("c", "(row)", "", "present"),
    ]


def test_responsible_claims_lists_added_withdrawn_and_changed():
    old = pd.read_csv(
        io.StringIO(CLAIMS + "c1,k,1,1,assessed,2025-01-01,A,total\nc2,k,2,2,assessed,2025-01-01,A,total\n"),
        dtype=str,
        keep_default_na=False,
    )
    new = pd.read_csv(
        io.StringIO(CLAIMS + "c1,k,1,1,official,2025-01-01,A,total\nc3,k,7,7,assessed,2025-02-01,B,total\n"),
        dtype=str,
        keep_default_na=False,
    )
    assert responsible_claims(old, new, "k") == ["+c3 (7, B)", "-c2", "~c1 (basis assessed → official)"]


def test_a_contradiction_with_one_claim_more_is_shown_as_changed(tmp_path: Path):
    row = "capacity_as_count,artillery_rounds,{ids},A,d,v,2,r,x\n"
    base = _write(tmp_path / "base", "", row.format(ids="c1;c2;c3") + row.format(ids="c7;c8"), "")
    head = _write(tmp_path / "head", "", row.format(ids="c1;c2;c3;c4") + row.format(ids="c9"), "")
    assert diff_builds(base, head) == [
        "contradictions: ~ capacity_as_count artillery_rounds: claims +c4 (4 claims)",
        "contradictions: - capacity_as_count artillery_rounds: claims c7;c8",
        "contradictions: + capacity_as_count artillery_rounds: claims c9",
    ]
