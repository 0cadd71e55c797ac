"""Command line: ``python -m dprk_russia.data.validate [RAW_DIR] [--stamp FILE]``.

Prints every problem in the raw data as ``path:line, column 'x': message`` and exits 1,
or writes the stamp file (if given) and exits 0. Plausibility warnings are printed as
``warning: path:line, ...`` and never change the exit status. Never prints a traceback for
bad data.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from dprk_russia import RAW_DIR
from dprk_russia.data.io import write_text
from dprk_russia.data.rules import check_raw


def _warn_if_stale(claims: pd.DataFrame, sources: pd.DataFrame) -> None:
    """Print a warning when the newest figure is much older than the newest reading."""
    from dprk_russia.data.freshness import freshness, stale_warning

    warning = stale_warning(freshness(claims.reset_index(drop=True), sources.reset_index(drop=True)))
    if warning:
        print(warning, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Validate the raw data; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", nargs="?", default=str(RAW_DIR))
    parser.add_argument("--stamp", help="file to write when the data is valid")
    args = parser.parse_args(argv)
    raw = Path(args.raw_dir)
    t0 = time.perf_counter()
    if args.stamp:
        print(f"[start] validate {raw.as_posix()}", flush=True)
    frames, problems, warnings = check_raw(raw)
    shown = raw.as_posix().rstrip("/")
    for w in warnings:
        print(f"warning: {shown}/{w}", file=sys.stderr)
    if problems:
        for p in problems:
            print(f"{shown}/{p}", file=sys.stderr)
        print(f"validate: {len(problems)} problem(s) in {shown}; nothing was built.", file=sys.stderr)
        return 1
    _warn_if_stale(frames["claims.csv"], frames["sources.csv"])
    if args.stamp:
        write_text(args.stamp, "valid\n")
        print(f"[done]  validate {raw.as_posix()} in {time.perf_counter() - t0:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
