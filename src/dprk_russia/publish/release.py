"""Releases: one calendar version (``YYYY.M.N``), kept in pyproject.toml and copied by
``make release`` into CITATION.cff and the README's citation.

``python -m dprk_russia.publish.release VERSION [--date YYYY-MM-DD]`` rewrites the version lines;
the Makefile then relocks, rebuilds the outputs and writes the changelog entry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from dprk_russia import PROJECT_ROOT, read_version
from dprk_russia.data.io import write_text
from dprk_russia.data.vocab import CALVER_RE

#: file -> (pattern of the line holding the version, its replacement with {version}/{date})
PLACES: dict[str, list[tuple[str, str]]] = {
    "pyproject.toml": [(r'(?m)^version = "[^"]*"$', 'version = "{version}"')],
    "CITATION.cff": [
        (r'(?m)^version: "[^"]*"$', 'version: "{version}"'),
        (r'(?m)^date-released: "[^"]*"$', 'date-released: "{date}"'),
    ],
    "README.md": [(r"release `[^`]*`", "release `{version}`")],
}


def parse_calver(version: str) -> tuple[int, int, int]:
    """``"2026.12.0"`` -> ``(2026, 12, 0)``; raises ValueError for anything else."""
    m = re.fullmatch(CALVER_RE, version)
    if not m:
        raise ValueError(f"version must be YYYY.M.N (calendar versioning, e.g. 2027.1.0), got {version!r}")
    return int(m[1]), int(m[2]), int(m[3])


def bump(version: str, root: Path = PROJECT_ROOT, date: str | None = None) -> list[Path]:
    """Set ``version`` (newer than the current one) in every place; return the files changed."""
    current = read_version(root)
    if parse_calver(version) <= parse_calver(current):
        raise ValueError(f"version {version} is not newer than the current {current}")
    date = date or dt.date.today().isoformat()
    changed = []
    for name, rules in PLACES.items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        for pattern, repl in rules:
            text, n = re.subn(pattern, repl.format(version=version, date=date), text, count=1)
            if n != 1:
                raise ValueError(f"{name}: no line matches {pattern!r}; cannot set the version")
        write_text(path, text)
        changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Bump the version from the command line; one clear message on a bad version."""
    ap = argparse.ArgumentParser(prog="python -m dprk_russia.publish.release")
    ap.add_argument("version")
    ap.add_argument("--date", default=None, help="release date (default today)")
    args = ap.parse_args(argv)
    try:
        for path in bump(args.version, PROJECT_ROOT, args.date):
            print(f"{path.relative_to(PROJECT_ROOT)}: version {args.version}")
    except ValueError as err:
        print(f"release: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
