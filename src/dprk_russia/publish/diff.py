"""Review what a change does: findings, pooled estimates and contradictions, BASE vs working tree.

``make diff BASE=<commit or tag>`` builds BASE in a scratch git worktree under
``build/diff/<commit>/`` (its own outputs; the default ``data/processed`` and ``reports`` are
never touched), then compares its ``data/processed`` with the working tree's, like
``dvc metrics diff``: each pooled estimate or finding that changed (old -> new) with the claims
of that indicator that were added, changed or withdrawn, and each contradiction that appeared
or went away.

Command line: ``python -m dprk_russia.publish.diff BASE [--head DIR] [--base-dir DIR]``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.io import read_csv

#: Processed tables compared: key columns and the value columns whose changes are shown.
CONSENSUS_KEY = ["indicator"]
CONSENSUS_FIELDS = ["estimate", "low", "high", "n_estimates", "n_estimators", "recent_low", "recent_high"]
CONTRADICTION_KEY = ["type", "indicator", "claim_ids"]
#: Claim fields whose edits make a claim "changed" for the attribution.
CLAIM_FIELDS = ["value_low", "value_high", "basis", "date", "estimator", "scope", "qualifier", "repeat_of"]
REL_TOL = 1e-6


@dataclass(frozen=True)
class Change:
    """One changed value: table, row key, field, old and new (as text; '' = absent)."""

    table: str
    key: str
    field: str
    old: str
    new: str


def _read(path: Path) -> pd.DataFrame | None:
    return read_csv(path) if path.exists() else None


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-12)


def _fmt(v: str) -> str:
    try:
        x = float(v)
    except ValueError:
        return v or "(empty)"
    if not math.isfinite(x):
        return v
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def compare_rows(
    table: str, old: pd.DataFrame | None, new: pd.DataFrame | None, key: list[str], fields: list[str] | None
) -> list[Change]:
    """Changes between two versions of a table keyed by ``key``; rows that appear or go away
    are one change with field ``(row)``. ``fields`` None compares every shared column."""
    old = old if old is not None else pd.DataFrame(columns=key)
    new = new if new is not None else pd.DataFrame(columns=key)
    index_old = {"|".join(r[k] for k in key): r for r in old.to_dict("records")}
    index_new = {"|".join(r[k] for k in key): r for r in new.to_dict("records")}
    cols = fields or [c for c in new.columns if c in old.columns and c not in key]
    out = []
    for k in sorted(index_old.keys() | index_new.keys()):
        a, b = index_old.get(k), index_new.get(k)
        if a is None or b is None:
            out.append(
                Change(table, k, "(row)", "" if a is None else "present", "" if b is None else "present")
            )
            continue
        for c in cols:
            va, vb = a.get(c, ""), b.get(c, "")
            if not _same(va, vb):
                out.append(Change(table, k, c, va, vb))
    return out


def responsible_claims(old: pd.DataFrame | None, new: pd.DataFrame | None, indicator: str) -> list[str]:
    """Claims of ``indicator`` added (+), withdrawn (-) or changed (~, with the fields) between builds."""
    if old is None or new is None:
        return []
    a = old[old["indicator"] == indicator].set_index("claim_id")
    b = new[new["indicator"] == indicator].set_index("claim_id")
    out = [
        f"+{c} ({_fmt(b.at[c, 'value_low'])}, {b.at[c, 'estimator']})"
        for c in sorted(b.index.difference(a.index))
    ]
    out += [f"-{c}" for c in sorted(a.index.difference(b.index))]
    for c in sorted(a.index.intersection(b.index)):
        edits = [
            f"{f} {_fmt(a.at[c, f])} → {_fmt(b.at[c, f])}"
            for f in CLAIM_FIELDS
            if f in a.columns and f in b.columns and not _same(a.at[c, f], b.at[c, f])
        ]
        if edits:
            out.append(f"~{c} ({'; '.join(edits)})")
    return out


def diff_builds(base: Path, head: Path) -> list[str]:
    """The report lines comparing two processed folders (empty list = nothing changed)."""
    lines: list[str] = []
    claims_a, claims_b = _read(base / "claims.csv"), _read(head / "claims.csv")
    tables = [("consensus", CONSENSUS_KEY, CONSENSUS_FIELDS)]
    if (base / "findings.csv").exists() or (head / "findings.csv").exists():
        findings = _read(head / "findings.csv")
        key = [findings.columns[0]] if findings is not None else ["indicator"]
        tables.append(("findings", key, None))
    for name, key, fields in tables:
        changes = compare_rows(name, _read(base / f"{name}.csv"), _read(head / f"{name}.csv"), key, fields)
        for k in dict.fromkeys(c.key for c in changes):
            mine = [c for c in changes if c.key == k]
            what = "; ".join(
                ("added" if not c.old else "removed")
                if c.field == "(row)"
                else f"{c.field} {_fmt(c.old)} → {_fmt(c.new)}"
                for c in mine
            )
            lines.append(f"{name}: {k}: {what}")
            claims = responsible_claims(claims_a, claims_b, k.split("|")[0])
            if claims:
                lines.append(f"  claims: {', '.join(claims)}")
    old_c, new_c = _read(base / "contradictions.csv"), _read(head / "contradictions.csv")
    changes = compare_rows("contradictions", old_c, new_c, CONTRADICTION_KEY, ["measure"])
    gone = [c.key for c in changes if c.field == "(row)" and not c.new]
    came = [c.key for c in changes if c.field == "(row)" and not c.old]
    for a, b in _pairs(gone, came):  # the same contradiction, now with other claims
        typ, ind, ids_a = a.split("|")
        ids_b = b.split("|")[2]
        sa, sb = ids_a.split(";"), ids_b.split(";")
        moved = [f"+{i}" for i in sb if i not in sa] + [f"-{i}" for i in sa if i not in sb]
        lines.append(f"contradictions: ~ {typ} {ind}: claims {', '.join(moved)} ({len(sb)} claims)")
        gone.remove(a)
        came.remove(b)
    for k in gone:
        typ, ind, ids = k.split("|")
        lines.append(f"contradictions: - {typ} {ind}: claims {ids}")
    for k in came:
        typ, ind, ids = k.split("|")
        lines.append(f"contradictions: + {typ} {ind}: claims {ids}")
    for c in changes:
        if c.field != "(row)":
            typ, ind, ids = c.key.split("|")
            lines.append(f"contradictions: {typ} {ind} ({ids}): measure {_fmt(c.old)} → {_fmt(c.new)}")
    return lines


def _pairs(gone: list[str], came: list[str]) -> list[tuple[str, str]]:
    """Match removed and added contradiction rows of the same type and indicator that share at
    least half of their claims (the same contradiction with a claim more or less)."""
    out = []
    free = list(came)
    for a in gone:
        ta, ia, ids_a = a.split("|")
        best, score = None, 0.0
        for b in free:
            tb, ib, ids_b = b.split("|")
            if (ta, ia) != (tb, ib):
                continue
            sa, sb = set(ids_a.split(";")), set(ids_b.split(";"))
            overlap = len(sa & sb) / max(len(sa), len(sb))
            if overlap >= 0.5 and overlap > score:
                best, score = b, overlap
        if best is not None:
            out.append((a, best))
            free.remove(best)
    return out


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), *args], check=True, capture_output=True, text=True
    ).stdout


def build_base(base: str) -> Path:
    """Check out ``base`` in ``build/diff/<commit>`` and build its report data there; return its
    ``data/processed``. Reused (and rebuilt incrementally) on the next run."""
    try:
        sha = _git("rev-parse", "--verify", f"{base}^{{commit}}").strip()
    except subprocess.CalledProcessError:
        raise SystemExit(f"diff: BASE '{base}' is not a commit or tag in this repository") from None
    tree = PROJECT_ROOT / "build" / "diff" / sha[:12]
    if not (tree / ".git").exists():
        _git("worktree", "prune")
        tree.parent.mkdir(parents=True, exist_ok=True)
        _git("worktree", "add", "--detach", str(tree), sha)
    print(f"diff: building {base} ({sha[:12]}) in {tree.relative_to(PROJECT_ROOT)}", file=sys.stderr)
    subprocess.run(["make", "-C", str(tree), "report", "REPORT_LANGS=en"], check=True)
    return tree / "data" / "processed"


def main(argv: list[str] | None = None) -> int:
    """Print what changed between BASE and the working tree's processed data."""
    ap = argparse.ArgumentParser(prog="python -m dprk_russia.publish.diff")
    ap.add_argument("base", help="commit or tag to compare with")
    ap.add_argument(
        "--head", default=str(PROJECT_ROOT / "data" / "processed"), help="processed folder of the change"
    )
    ap.add_argument("--base-dir", default=None, help="processed folder of BASE (skips the build)")
    args = ap.parse_args(argv)
    base_dir = Path(args.base_dir) if args.base_dir else build_base(args.base)
    lines = diff_builds(base_dir, Path(args.head))
    print(
        "\n".join(lines)
        if lines
        else f"no change in findings, pooled estimates or contradictions since {args.base}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
