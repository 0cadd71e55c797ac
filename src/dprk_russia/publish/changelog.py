"""The data changelog (``CHANGELOG-data.md``) from the git history of ``data/raw/``.

Per release (git tags ``vYYYY.M.N``; without tags the whole history is the first release
:data:`FIRST_RELEASE`): claims added, claims changed (old -> new per field, with the subject
of the commit that changed them as the reason), claims withdrawn, and sources added. Claims
added in a release are listed with their final values. Every edit of a claim that was in the
previous release is a correction; within the release that added a claim, only edits that keep
its page and indicator are (a row rewritten into another statement while drafting is not).

Command line: ``python -m dprk_russia.publish.changelog --out CHANGELOG-data.md [--next VERSION]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.io import write_text
from dprk_russia.data.schema import REQUIRED_COLUMNS

FIRST_RELEASE = "2026.12.0"
CLAIMS = "data/raw/claims.csv"
SOURCES = "data/raw/sources.csv"
#: Claim fields whose changes are listed (the note is our own wording and left out).
TRACKED = (
    *(c for c in REQUIRED_COLUMNS["claims.csv"] if c not in ("claim_id", "note")),
    "repeat_of",
)


@dataclass
class Change:
    """One correction: the claim, field-wise ``(field, old, new)``, and the reason (commit subject)."""

    claim_id: str
    fields: list[tuple[str, str, str]]
    reason: str
    commit: str


@dataclass
class Release:
    """What one release changed in data/raw."""

    version: str
    date: str
    added: dict[str, dict[str, str]] = field(default_factory=dict)
    changed: list[Change] = field(default_factory=list)
    withdrawn: dict[str, tuple[dict[str, str], str]] = field(default_factory=dict)
    sources_added: dict[str, dict[str, str]] = field(default_factory=dict)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout


def _rows(repo: Path, rev: str | None, path: str, key: str) -> dict[str, dict[str, str]]:
    """Rows of ``path`` at ``rev`` by ``key`` (empty when the file did not exist)."""
    if rev is None:
        return {}
    try:
        text = _git(repo, "show", f"{rev}:{path}")
    except subprocess.CalledProcessError:
        return {}
    return {r[key]: r for r in csv.DictReader(io.StringIO(text)) if r.get(key)}


def releases(repo: Path) -> list[tuple[str, str | None, str]]:
    """``(version, start, end)`` per release: tags in version order; start None = the beginning."""
    tags = [
        t for t in _git(repo, "tag", "--merged", "HEAD", "--sort=v:refname").split() if t[:1] in "v0123456789"
    ]
    out: list[tuple[str, str | None, str]] = []
    start: str | None = None
    for tag in tags:
        out.append((tag.removeprefix("v"), start, tag))
        start = tag
    return out


def _commits(repo: Path, start: str | None, end: str) -> list[tuple[str, str]]:
    rng = f"{start}..{end}" if start else end
    out = _git(repo, "log", "--reverse", "--no-merges", "--format=%H%x09%s", rng, "--", CLAIMS, SOURCES)
    return [tuple(line.split("\t", 1)) for line in out.splitlines() if line]  # type: ignore[misc]


def collect(repo: Path, version: str, start: str | None, end: str) -> Release:
    """Walk the commits between ``start`` (exclusive) and ``end`` that touch the raw claims or sources."""
    # a tag is dated by its commit; unreleased work by its last change to the data
    dated = ["--", CLAIMS, SOURCES] if end == "HEAD" else []
    rel = Release(version, _git(repo, "log", "-1", "--format=%cs", end, *dated).strip())
    before = _rows(repo, start, CLAIMS, "claim_id")
    sources_before = _rows(repo, start, SOURCES, "source_id")
    removed_by: dict[str, str] = {}
    for sha, subject in _commits(repo, start, end):
        parent = _git(repo, "rev-list", "--parents", "-n", "1", sha).split()[1:2]
        old = _rows(repo, parent[0] if parent else None, CLAIMS, "claim_id")
        new = _rows(repo, sha, CLAIMS, "claim_id")
        for cid in old.keys() - new.keys():
            removed_by[cid] = subject
        for cid in sorted(old.keys() & new.keys()):
            a, b = old[cid], new[cid]
            # a column added or dropped is not an edit of the rows
            diffs = [(f, a[f], b[f]) for f in TRACKED if f in a and f in b and a[f] != b[f]]
            same_statement = all(a.get(k) == b.get(k) for k in ("source_id", "indicator"))
            # rows still being drafted in this release count only when they stay the same statement
            if diffs and (cid in before or same_statement):
                rel.changed.append(Change(cid, diffs, subject, sha[:10]))
    after = _rows(repo, end, CLAIMS, "claim_id")
    rel.added = {cid: after[cid] for cid in sorted(after.keys() - before.keys())}
    rel.withdrawn = {
        cid: (before[cid], removed_by.get(cid, "")) for cid in sorted(before.keys() - after.keys())
    }
    sources_after = _rows(repo, end, SOURCES, "source_id")
    rel.sources_added = {s: sources_after[s] for s in sorted(sources_after.keys() - sources_before.keys())}
    return rel


def history(repo: Path, next_version: str | None = None) -> list[Release]:
    """All releases, newest first; commits after the last tag form ``next_version`` (if any)."""
    spans = releases(repo)
    last = spans[-1][2] if spans else None
    pending = _commits(repo, last, "HEAD")
    if pending or not spans:
        name = next_version or (FIRST_RELEASE if not spans else "unreleased")
        spans.append((name, last, "HEAD"))
    return [collect(repo, v, s, e) for v, s, e in reversed(spans)]


def _value(row: dict[str, str]) -> str:
    lo, hi = row.get("value_low", ""), row.get("value_high", "")
    return "(no number)" if not lo else (lo if lo == hi else f"{lo}–{hi}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rels: list[Release]) -> str:
    """The changelog as Markdown."""
    out = [
        "# Data changelog",
        "",
        "Generated by `make changelog` from the git history of `data/raw/`; do not edit by hand.",
        "Per release: claims added, claims corrected (old → new, with the reason given in the commit),",
        "claims withdrawn and sources added. Claim ids are never reused.",
        "",
    ]
    for rel in rels:
        out += [f"## {rel.version} ({rel.date})", ""]
        counts = (
            f"{len(rel.added)} claims added, {len(rel.changed)} corrections, "
            f"{len(rel.withdrawn)} claims withdrawn, {len(rel.sources_added)} sources added."
        )
        out += [counts, ""]
        if rel.changed:
            out += ["### Corrections", ""]
            for ch in rel.changed:
                what = "; ".join(f"{f}: {o or '(empty)'} → {n or '(empty)'}" for f, o, n in ch.fields)
                out.append(f"- `{ch.claim_id}` {what}. Reason: {ch.reason} ({ch.commit})")
            out.append("")
        if rel.withdrawn:
            out += ["### Claims withdrawn", ""]
            for cid, (row, reason) in rel.withdrawn.items():
                desc = ", ".join(
                    x for x in (f"{row.get('indicator', '')} {_value(row)}", row.get("estimator")) if x
                )
                out.append(f"- `{cid}` ({desc}). Reason: {reason}")
            out.append("")
        if rel.added:
            out += [
                "### Claims added",
                "",
                "| claim | indicator | value | basis | period end | published | estimator | source |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for cid, r in rel.added.items():
                cells = [
                    f"`{cid}`",
                    r.get("indicator", ""),
                    _value(r),
                    r.get("basis", ""),
                    r.get("period_end", ""),
                    r.get("published", ""),
                    r.get("estimator", ""),
                    r.get("source_id", ""),
                ]
                out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
            out.append("")
        if rel.sources_added:
            out += ["### Sources added", "", "| source | publisher | title |", "|---|---|---|"]
            for sid, r in rel.sources_added.items():
                out.append(f"| `{sid}` | {_cell(r.get('publisher', ''))} | {_cell(r.get('title', ''))} |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the changelog (default CHANGELOG-data.md in the project root)."""
    ap = argparse.ArgumentParser(prog="python -m dprk_russia.publish.changelog")
    ap.add_argument("--out", default=str(PROJECT_ROOT / "CHANGELOG-data.md"))
    ap.add_argument("--next", dest="next_version", default=None, help="name for commits after the last tag")
    ap.add_argument("--repo", default=str(PROJECT_ROOT))
    args = ap.parse_args(argv)
    text = render(history(Path(args.repo), args.next_version))
    out = Path(args.out)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        write_text(out, text)
    print(f"{out}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
