"""Profile the notebooks of ``make report`` as plain scripts under cProfile.

``.venv/bin/python bench/profile.py [--root CHECKOUT] [--top 10]``: runs each notebook of
:data:`bench.SCRIPTS` (with their parameters) as a script under cProfile, writing the checkout's outputs as
``make report`` does, and prints each notebook's wall time, then the
``--top`` functions over all notebooks by cumulative time, and by own time. ``--root`` profiles
another checkout (for a before/after comparison); its ``src`` is imported.
"""

from __future__ import annotations

import argparse
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import SCRIPTS, script  # noqa: E402

# functions that wrap whole notebooks or the interpreter; listing them says nothing
SKIP = ("<module>", "_call_with_frames_removed")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=HERE.parent)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    root = args.root.resolve()
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env |= {"PYTHONPATH": str(root / "src"), "MPLBACKEND": "Agg"}
    env |= {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        stats = []
        for nb, params in SCRIPTS:
            src = script(nb, params, Path(tmp))
            out = Path(tmp) / f"{src.stem}.prof"
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "cProfile", "-o", str(out), str(src)],
                cwd=root, env=env, check=True, capture_output=True,
            )
            name = f"{nb} {params.get('LANG', '')}".rstrip()
            print(f"{name}: {time.perf_counter() - t0:.2f} s wall", flush=True)
            stats.append(str(out))
        total = pstats.Stats(*stats)
        for key, title in (("cumulative", "cumulative"), ("tottime", "own time")):
            print(f"\ntop {args.top} by {title} (all notebooks):")
            col = 3 if key == "cumulative" else 2
            rows = sorted(total.stats.items(), key=lambda kv: kv[1][col], reverse=True)
            shown = 0
            for (file, lineno, name), (_cc, calls, tt, ct, _callers) in rows:
                if name in SKIP or name.startswith("<built-in method builtins.exec"):
                    continue
                where = f"{Path(file).name}:{lineno}" if lineno else file
                print(f"  {ct if key == 'cumulative' else tt:7.2f} s  {calls:>8}  {name}  ({where})")
                shown += 1
                if shown == args.top:
                    break
    return 0


if __name__ == "__main__":
    sys.exit(main())
