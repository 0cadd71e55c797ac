"""End-to-end builds of throw-away clones that start from scratch, apart from the session's built
clone (tests/test_pipeline.py), so that `make test`'s second process can run them meanwhile: a
variant build in its own folder, and bad input stopping the build before any notebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .test_pipeline import make, started, tree_hashes

# the `clone` fixture (a throw-away clone of this repository) comes from conftest.py


def test_variant_goes_to_its_own_folder(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")
    make(clone, "report", "AS_OF=2023-12-31", "REPORT_LANGS=en")
    variant = clone / "reports/variants/asof-2023-12-31"
    assert (variant / "en/report.html").exists() and (variant / "en/report.md").exists()
    assert not (variant / "de").exists()
    claims = pd.read_csv(variant / "processed/claims.csv")
    assert len(claims) and pd.to_datetime(claims["published_date"]).max() <= pd.Timestamp("2023-12-31")
    events = pd.read_csv(variant / "processed/events.csv")
    assert len(events) and (events["date"] <= "2023-12-31").all()
    assert "cut-off 31 December 2023" in (variant / "en/report.md").read_text()
    assert tree_hashes(clone, "data/processed", "reports") == before, "default outputs untouched"
    # same parameters again: nothing to do; one more parameter: its own folder and rebuild (on
    # the same early cut-off, so that the second build is a small one)
    assert started(make(clone, "report", "AS_OF=2023-12-31", "REPORT_LANGS=en").stdout) == set()
    rpc = make(clone, "report", "AS_OF=2023-12-31", "ROUNDS_PER_CONTAINER_LOW=250", "REPORT_LANGS=en")
    assert "1.0-clean-claims" in started(rpc.stdout)
    md = clone / "reports/variants/asof-2023-12-31_rpclow-250/en/report.md"
    assert "rounds per container 250 to 500" in md.read_text()
    assert "rounds per container 300 to 500" in (variant / "en/report.md").read_text()


def test_bad_input_stops_before_any_notebook(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")
    claims = clone / "data/raw/claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ",1,000 ,", 1)  # ragged row with a thousands separator
    extra = "," * (lines[0].count(",") - 14)  # empty optional columns (e.g. repeat_of)
    lines.append("c9999,killed,-5,5,about,assessed,,,24/12/2024,X,media,nope,n,yes,total" + extra + "\n")
    claims.write_text("".join(lines), encoding="utf-8")
    res = make(clone, "report", check=False)
    assert res.returncode != 0
    err = res.stderr
    assert "data/raw/claims.csv:4" in err and "ragged row" in err
    n = len(lines)
    for col in ("value_low", "published", "source_id"):
        assert f"data/raw/claims.csv:{n}, column '{col}'" in err
    assert "Traceback" not in res.stdout + res.stderr
    assert started(res.stdout) == {"validate"}, "no notebook ran"
    assert tree_hashes(clone, "data/processed", "reports") == before
    # the clone uses this checkout's up-to-date environment (VENV=...): it bootstraps no uv of its own
    assert not (clone / ".tools").exists() and "bootstrapping uv" not in res.stdout
