"""make intake / python -m dprk_russia.data.intake: new figures from a small CSV, all checks or nothing."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.intake import INBOX_COLUMNS, main, next_claim_ids, plan, slug, source_id_for
from dprk_russia.data.rules import validate_raw

TODAY = date(2026, 12, 7)

GOOD = {
    "url": "https://example.org/new",
    "title": "A new page",
    "publisher": "Kurier",
    "published": "2024-05-02",
    "language": "de",
    "via": "",
    "source_kind": "original",
    "indicator": "troops_deployed",
    "value_low": "10000",
    "value_high": "10000",
    "qualifier": "over",
    "basis": "assessed",
    "period_start": "",
    "period_end": "2024-05-01",
    "estimator": "X",
    "estimator_type": "media",
    "scope": "total",
    "note": "Our words.",
    "evidence": "mehr als 10.000 Soldaten",
}


@pytest.fixture
def raw_dir(raw_dir: Path) -> Path:
    """The minimal raw folder with the optional columns the project's files have."""
    claims = (raw_dir / "claims.csv").read_text(encoding="utf-8").splitlines()
    (raw_dir / "claims.csv").write_text(
        claims[0] + ",repeat_of\n" + "".join(line + ",\n" for line in claims[1:]), encoding="utf-8"
    )
    (raw_dir / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,language,via,remark,kind,original_source_id\n"
        "s1,KBS,Title,https://example.org/a,2023-10-13,2026-11-24,en,,,original,\n",
        encoding="utf-8",
    )
    assert validate_raw(raw_dir) == []
    return raw_dir


def write_inbox(path: Path, rows: list[dict], extra: tuple[str, ...] = ()) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(INBOX_COLUMNS) + list(extra), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def snapshot(raw_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(raw_dir.glob("*.csv"))}


def run(raw_dir: Path, inbox: Path, capsys) -> tuple[int, str, str]:
    code = main([str(inbox), "--raw", str(raw_dir)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_good_inbox_adds_claims_and_sources(raw_dir, tmp_path, capsys):
    rows = [
        GOOD,
        {**GOOD, "indicator": "killed", "value_low": "100", "value_high": "100", "qualifier": "about"},
        # the page of the fixture's claim, already in sources.csv: reused
        {
            **GOOD,
            "url": "https://example.org/a",
            "indicator": "casualties_total",
            "value_low": "500",
            "value_high": "500",
            "published": "2023-10-13",
            "period_end": "",
        },
    ]
    inbox = write_inbox(tmp_path / "inbox.csv", rows)
    code, out, err = run(raw_dir, inbox, capsys)
    assert code == 0, err
    assert "c0002, c0003, c0004" in out and "kurier_20240502" in out and "reused sources: s1" in out
    with (raw_dir / "claims.csv").open(encoding="utf-8") as fh:
        claims = list(csv.DictReader(fh))
    assert [c["claim_id"] for c in claims] == ["c1", "c0002", "c0003", "c0004"]
    assert [c["source_id"] for c in claims[1:]] == ["kurier_20240502", "kurier_20240502", "s1"]
    assert all(c["checked"] == "yes" for c in claims[1:])
    text = (raw_dir / "claims.csv").read_text(encoding="utf-8") + (raw_dir / "sources.csv").read_text(encoding="utf-8")
    assert "mehr als" not in text  # evidence is never written
    with (raw_dir / "sources.csv").open(encoding="utf-8") as fh:
        sources = list(csv.DictReader(fh))
    assert [s["source_id"] for s in sources] == ["s1", "kurier_20240502"]
    assert sources[1]["kind"] == "original" and sources[1]["accessed"]  # accessed defaults to today
    assert validate_raw(raw_dir) == []


def located(err: str, inbox: Path, line: int, column: str) -> list[str]:
    return [m for m in err.splitlines() if m.startswith(f"{inbox}:{line}, column '{column}'")]


@pytest.mark.parametrize(
    ("row", "column", "needle"),
    [
        # same indicator and values as the fixture's c1 by the same estimator, seven months later
        (
            {**GOOD, "indicator": "containers_munitions", "value_low": "1000", "value_high": "1000",
             "estimator": "US NSC", "estimator_type": "government"},
            "repeat_of",
            "candidate original is c1",
        ),
        # the fixture's figure again, from its own page
        (
            {**GOOD, "url": "https://example.org/a", "indicator": "containers_munitions", "value_low": "1000",
             "value_high": "1000", "published": "2023-10-13", "period_end": ""},
            "value_low",
            "exact duplicate of c1",
        ),
        ({**GOOD, "estimator": "Nobody"}, "estimator", "an estimator of estimators.csv"),
        ({**GOOD, "qualifier": "roughly"}, "qualifier", "expected a qualifier"),
        ({**GOOD, "indicator": "troops"}, "indicator", "a key of indicators.csv"),
        ({**GOOD, "source_kind": "blog"}, "source_kind", "a source kind"),
        ({**GOOD, "evidence": ""}, "evidence", "quote the page"),
    ],
    ids=["repeat", "duplicate", "unknown-estimator", "bad-qualifier", "unknown-indicator", "bad-kind", "no-evidence"],
)
def test_a_bad_row_is_named_and_nothing_is_written(raw_dir, tmp_path, capsys, row, column, needle):
    before = snapshot(raw_dir)
    inbox = write_inbox(tmp_path / "inbox.csv", [GOOD | {"url": "https://example.org/ok"}, row])
    code, out, err = run(raw_dir, inbox, capsys)
    assert code == 1 and out == ""
    hits = located(err, inbox, 3, column)
    assert hits and needle in hits[0], err
    assert "nothing was written" in err
    assert snapshot(raw_dir) == before
    assert not list(raw_dir.glob(".tmp-*"))


def test_repeat_with_repeat_of_or_a_reason_passes(raw_dir, tmp_path):
    row = {**GOOD, "indicator": "containers_munitions", "value_low": "1000", "value_high": "1000",
           "estimator": "US NSC", "estimator_type": "government"}
    marked = write_inbox(tmp_path / "a.csv", [row | {"repeat_of": "c1"}], extra=("repeat_of",))
    assert plan(marked, raw_dir, TODAY).problems == []
    reasoned = write_inbox(tmp_path / "b.csv", [row | {"note": "Not a repeat: the NSC's own new briefing."}])
    assert plan(reasoned, raw_dir, TODAY).problems == []


def test_one_url_must_describe_one_page(raw_dir, tmp_path):
    rows = [GOOD, {**GOOD, "indicator": "killed", "title": "Another title"}]
    problems = plan(write_inbox(tmp_path / "inbox.csv", rows), raw_dir, TODAY).problems
    assert [p for p in problems if p.startswith(f"{tmp_path / 'inbox.csv'}:3, column 'title'")]


def test_raw_files_without_the_optional_columns_are_refused(raw_dir, tmp_path):
    (raw_dir / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,language,via\n"
        "s1,KBS,Title,https://example.org/a,2023-10-13,2026-11-24,en,\n",
        encoding="utf-8",
    )
    problems = plan(write_inbox(tmp_path / "inbox.csv", [GOOD]), raw_dir, TODAY).problems
    assert any("sources.csv: no column 'kind'" in p for p in problems)


def test_inbox_without_a_required_column_is_refused(raw_dir, tmp_path):
    path = tmp_path / "inbox.csv"
    path.write_text("url,title\nhttps://example.org/x,T\n", encoding="utf-8")
    problems = plan(path, raw_dir, TODAY).problems
    assert any("column 'indicator': required column is missing" in p for p in problems)


def test_ids_and_slugs():
    assert next_claim_ids(["c0001", "c0810", "x"], 2) == ["c0811", "c0812"]
    assert slug("Maeil Shinmun (매일신문)") == "maeil_shinmun"
    assert slug("Friedrich-Naumann-Stiftung für die Freiheit (presseportal/ots)") == "friedrich_naumann_stiftung_fur"
    assert source_id_for("Kurier", "2025-09-02", {"kurier_20250902"}) == "kurier_20250902_2"
    assert source_id_for("매일", "2025-09", set()) == "source_202509"


def test_cli_exit_status_and_message(raw_dir, tmp_path):
    inbox = write_inbox(tmp_path / "inbox.csv", [{**GOOD, "qualifier": "roughly"}])
    res = subprocess.run(
        [sys.executable, "-m", "dprk_russia.data.intake", str(inbox), "--raw", str(raw_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert f"{inbox}:2, column 'qualifier'" in res.stderr


@pytest.mark.parametrize("bad", ["", "notes.txt", "in box.csv", "x;touch pwned.csv", "-x.csv", "missing.csv"])
def test_make_intake_checks_file_before_running(bad, tmp_path):
    res = subprocess.run(
        ["make", "-s", "intake", f"FILE={bad}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode != 0
    assert "FILE" in res.stderr
    assert not (PROJECT_ROOT / "pwned.csv").exists()
