"""The data changelog, on a tiny git repository built in a temp folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dprk_russia.publish.changelog import FIRST_RELEASE, history, main, render

HEAD = "claim_id,indicator,value_low,value_high,basis,published,source_id,note\n"
SRC = "source_id,publisher,title\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _commit(repo: Path, message: str, claims: str, sources: str, tag: str | None = None) -> None:
    raw = repo / "data/raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "claims.csv").write_text(HEAD + claims, encoding="utf-8")
    (raw / "sources.csv").write_text(SRC + sources, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)
    if tag:
        _git(repo, "tag", tag)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    _commit(
        tmp_path,
        "First claims",
        "c1,killed,100,100,assessed,2024-12,s1,a\nc2,killed,200,200,assessed,2025-01,s1,b\n",
        "s1,KBS,One\n",
    )
    # within the first release: c2 drafted into another statement (not a correction), c1 corrected
    _commit(
        tmp_path,
        "c1 says 300 on the page",
        "c1,killed,300,300,assessed,2024-12,s1,a\nc2,wounded,5,5,assessed,2025-01,s2,b\n",
        "s1,KBS,One\ns2,AP,Two\n",
    )
    return tmp_path


def test_untagged_history_is_the_first_release(repo: Path):
    (rel,) = history(repo)
    assert rel.version == FIRST_RELEASE
    assert list(rel.added) == ["c1", "c2"] and rel.added["c1"]["value_low"] == "300"
    assert [(c.claim_id, c.fields, c.reason) for c in rel.changed] == [
        ("c1", [("value_low", "100", "300"), ("value_high", "100", "300")], "c1 says 300 on the page")
    ]
    assert list(rel.sources_added) == ["s1", "s2"] and not rel.withdrawn


def test_releases_by_tag_with_corrections_withdrawals_and_new_sources(repo: Path):
    _git(repo, "tag", "v2026.12.0")
    _commit(
        repo,
        "c2 was a relay of c1's page: basis official",
        "c1,killed,300,300,official,2024-12,s1,a\nc3,killed,400,400,assessed,2025-03,s3,c\n",
        "s1,KBS,One\ns2,AP,Two\ns3,DW,Three | pipe\n",
    )
    newest, first = history(repo, next_version="2027.1.0")
    assert (newest.version, first.version) == ("2027.1.0", "2026.12.0")
    assert list(newest.added) == ["c3"] and list(newest.sources_added) == ["s3"]
    assert list(newest.withdrawn) == ["c2"]
    assert newest.withdrawn["c2"][1] == "c2 was a relay of c1's page: basis official"
    assert [(c.claim_id, c.fields) for c in newest.changed] == [("c1", [("basis", "assessed", "official")])]
    text = render([newest, first])
    assert text.index("## 2027.1.0") < text.index("## 2026.12.0")
    assert "- `c1` basis: assessed → official. Reason: c2 was a relay of c1's page: basis official" in text
    assert "- `c2` (wounded 5). Reason: c2 was a relay of c1's page: basis official" in text
    assert "| `s3` | DW | Three \\| pipe |" in text
    assert "1 claims added, 1 corrections, 1 claims withdrawn, 1 sources added." in text


def test_unreleased_commits_after_the_last_tag_are_named_unreleased(repo: Path):
    _git(repo, "tag", "v2026.12.0")
    assert [r.version for r in history(repo)] == ["2026.12.0"]
    _commit(repo, "more", "c1,killed,300,300,assessed,2024-12,s1,a\n", "s1,KBS,One\ns2,AP,Two\n")
    assert [r.version for r in history(repo)] == ["unreleased", "2026.12.0"]


def test_main_writes_the_file(repo: Path, tmp_path: Path, capsys):
    out = tmp_path / "CHANGELOG-data.md"
    assert main(["--repo", str(repo), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Data changelog\n")
    assert f"## {FIRST_RELEASE} (" in out.read_text(encoding="utf-8")
