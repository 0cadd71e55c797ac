"""The pipeline at 100,000 claims: generate the raw files from the real ones, build, time each stage.

Run with ``make bench-scale`` (or ``.venv/bin/python bench/scale.py [--claims N] [--cores 2]
[--checkout DIR] [--keep DIR]``). The goals (issue 26), on the project's 2-core machine:

* validation + cleaning (the ``validate`` step and the notebook ``1.0-clean-claims``) <= 10 s;
* ``make report`` from nothing <= 120 s, wall.

How the large dataset is made (:func:`generate`), deterministically from ``data/raw``, as the
issue made it: the real claims are copied ``ceil(N / claims)`` times (118 copies of 849, 100,182
claims, for N = 100,000). Copy 0 is the real data; in copy ``r`` each claim gets a new id
(``c0102.r007``) and ``repeat_of`` points inside the copy; every other cell, and the other raw
files, stay as they are. The rows are shuffled with a fixed seed. So every rule the real data
passes holds in each copy, and each published figure stands on ~118 rows of the same page:
the worst case for anything that pairs identical figures.

The build runs in a temporary copy of the checkout: its tracked and untracked files as they are
now, in a fresh git repository, ``.venv`` linked, so nothing here is touched. ``--checkout``
builds another checkout (a clone of an older commit, to measure before and after the same way).
Each step's time is taken from the ``[done]`` lines of the build; the steps run two at a time
where make can, so they add up to more than the wall time. The load average is
printed before and after: the machine is shared, and a busy run is slower.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dprk_russia.data.schema import FILES, read_raw_csv  # noqa: E402

#: The goals of issue 26, in seconds of wall time.
GOALS = {"validate_clean": 10.0, "report": 120.0}
DONE = re.compile(r"^\[done\]\s+(\S+)(?: .*)? in ([0-9.]+)s$", re.MULTILINE)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def generate(raw_dir: Path, out_dir: Path, claims: int = 100_000, seed: int = 0) -> int:
    """Write the five raw files of a dataset of at least ``claims`` claims to ``out_dir``, made
    from the real ones in ``raw_dir`` as the module docstring says; returns the number of claims."""
    raw = {name: read_raw_csv(raw_dir / name) for name in FILES}
    c = raw["claims.csv"]
    copies = max(math.ceil(claims / len(c)), 1)
    out_dir.mkdir(parents=True, exist_ok=True)

    def suffix(values: list[str], r: int) -> list[str]:
        return [f"{v}.r{r:03d}" if v and r else v for v in values]

    rows: list[list[str]] = []
    cols = {k: c[k].tolist() for k in c.columns}
    for r in range(copies):
        copy = {**cols, "claim_id": suffix(cols["claim_id"], r)}
        if "repeat_of" in copy:
            copy["repeat_of"] = suffix(cols["repeat_of"], r)
        rows += [list(row) for row in zip(*(copy[k] for k in c.columns), strict=True)]
    rng = np.random.default_rng(seed)
    _write(out_dir / "claims.csv", list(c.columns), [rows[i] for i in rng.permutation(len(rows))])
    for name in FILES:
        if name != "claims.csv":
            shutil.copyfile(raw_dir / name, out_dir / name)
    return len(rows)


def copy_checkout(src_root: Path, dst: Path) -> None:
    """The checkout's files as they are now (tracked and untracked, not ignored; times kept, so
    make sees the environment as up to date) in ``dst``, ``.venv`` linked, as a fresh git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=src_root, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = src_root / rel
        if src.is_file() and not src.is_symlink():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    (dst / ".venv").symlink_to((src_root / ".venv").resolve())
    if (src_root / ".tools").exists():
        shutil.copytree(src_root / ".tools", dst / ".tools", symlinks=True)


def _git(dst: Path, *args: str) -> None:
    who = ["-c", "user.name=bench", "-c", "user.email=bench@bench.invalid"]
    subprocess.run(["git", *who, *args], cwd=dst, check=True, capture_output=True)


def env() -> dict[str, str]:
    """The environment for make, without the caller's make flags."""
    e = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    e.pop("MPLBACKEND", None)
    e.pop("PYTHONPATH", None)
    return e


def load() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def line(name: str, value: str, goal: str = "", ok: bool | None = None) -> None:
    """One row: PASS/MISS (blank for information), name, value, goal."""
    mark = "" if ok is None else ("PASS" if ok else "MISS")
    print(f"{mark:<4}  {name:<40} {value:>12}   {goal}".rstrip(), flush=True)


def run(cmd: list[str], cwd: Path, timeout: float | None) -> tuple[float, str, int]:
    """Run ``cmd`` in its own process group, echoing each ``[done]`` line as it comes; wall
    seconds, combined output and exit status (124 on timeout, when the whole group is killed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env(),
        start_new_session=True,
    )
    lines: list[str] = []
    deadline = None if timeout is None else t0 + timeout

    def watch() -> None:
        assert proc.stdout is not None
        for text in proc.stdout:
            lines.append(text)
            if DONE.match(text):
                print(f"        {text.strip()}  (at {time.perf_counter() - t0:.0f} s)", flush=True)

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    try:
        rc = proc.wait(None if deadline is None else max(deadline - time.perf_counter(), 0))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rc = 124
    reader.join(5)
    return time.perf_counter() - t0, "".join(lines), rc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000, help="at least this many claims (default 100000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the row order (default 0)")
    ap.add_argument("--cores", type=int, default=2, help="run on this many cores (default 2, the goal's)")
    ap.add_argument("--checkout", default=str(ROOT), help="the checkout to build (default this one)")
    ap.add_argument("--keep", metavar="DIR", help="build in DIR (must not exist) and keep it")
    ap.add_argument("--timeout", type=float, default=1800, help="give up on make report after this many s")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity") and args.cores < len(os.sched_getaffinity(0)):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])  # children inherit it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {os.cpu_count()} cores, running on {cores}; load average {load()} (1, 5, 15 min)")
    checkout = Path(args.checkout).resolve()
    tmp = None
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-scale-")
        work = Path(tmp.name)
    try:
        t0 = time.perf_counter()
        copy_checkout(checkout, work)
        n = generate(checkout / "data/raw", work / "data/raw", args.claims, args.seed)
        _git(work, "init", "-q")
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", "bench: synthetic raw data")
        line(f"generate {n:,} claims, copy checkout", f"{time.perf_counter() - t0:.1f} s", f"in {work}")
        took, out, rc = run(["make", "report"], work, args.timeout)
        steps = {name: float(s) for name, s in DONE.findall(out)}
        for name, s in steps.items():
            line(f"  step {name}", f"{s:.1f} s")
        vc = sum(s for name, s in steps.items() if name.startswith(("validate", "1.0-clean-claims")))
        goal = GOALS["validate_clean"]
        line("validate + 1.0-clean-claims", f"{vc:.1f} s", f"<= {goal:.0f} s", vc <= goal)
        goal = GOALS["report"]
        if rc:
            print(out[-3000:])
            what = f"did not finish in {args.timeout:.0f} s" if rc == 124 else f"failed (exit {rc})"
            line("make report (wall)", f"{took:.1f} s", what, False)
            return 1
        line("make report (wall)", f"{took:.1f} s", f"<= {goal:.0f} s", took <= goal)
        for p in ("reports/en/report.html", "reports/en/report.md"):
            line(f"  size {p}", f"{(work / p).stat().st_size / 1e6:.1f} MB")
    finally:
        print(f"load average afterwards {load()}", flush=True)
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
