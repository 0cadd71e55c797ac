"""End-to-end behaviour of `make report` in throw-away clones of the repository.

The pipeline is built from scratch once per test session, in one clone (``built``); that build is
checked against the committed outputs, and the other tests work on copies of the built clone
(``built_copy``), so each rebuilds only what it changes: the no-op and incremental rebuilds,
a failing notebook, an interrupted build, stale stamps and deleted outputs (variant folders and
bad input stopping a build: tests/test_bad_input.py). They reuse this checkout's .venv; each clone
imports its own src/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT

from .conftest import fresh_clone

VENV = PROJECT_ROOT / ".venv"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHONPATH")}
    return env


def make(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    res = subprocess.run(
        ["make", *args, f"VENV={VENV}"], cwd=cwd, capture_output=True, text=True, env={**clean_env(), **(env or {})}
    )
    if check and res.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{res.stdout}\n{res.stderr}")
    if res.returncode == 0:
        assert not warm_processes(cwd), "the build's warm process is gone when make returns"
    else:  # a failed build skips its goal warm-end: the warm process ends as make ends
        deadline = time.monotonic() + 5
        while warm_processes(cwd):
            assert time.monotonic() < deadline, "the failed build's warm process outlived it"
            time.sleep(0.01)
    return res


def warm_processes(cwd: Path) -> list[int]:
    """Warm processes (dprk_russia.build.warm) running in ``cwd`` (Linux; none elsewhere)."""
    out = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"dprk_russia.build.warm" in (proc / "cmdline").read_bytes() and (proc / "cwd").resolve() == cwd.resolve():
                if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    out.append(int(proc.name))
        except OSError:
            continue
    return out



#: An OpenBLAS kernel set other than the one this CPU picks (Prescott: the plainest x86-64 one).
OTHER_KERNELS = {"x86_64": "Prescott", "aarch64": "ARMV8"}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    """A clone built from scratch once per session: its root, the hashes of the committed outputs
    (before the build) and the output of that first `make report`. Tests must not change it.

    The build runs with OpenBLAS forced onto another CPU's kernel set (:data:`OTHER_KERNELS`),
    as on another machine, so that one clean build checks both that the committed outputs are
    those of the committed inputs and that they do not depend on the CPU (issue: reproducible
    on any machine). The later, incremental builds of its copies use this CPU's own kernels."""
    dst = fresh_clone(tmp_path_factory.mktemp("built"))
    committed = tree_hashes(dst, "data/processed", "reports")
    return dst, committed, make(dst, "report", env=other_kernels()).stdout


def other_kernels() -> dict[str, str]:
    """OPENBLAS_CORETYPE naming another kernel set than this CPU's; empty where none is known."""
    import platform

    core = OTHER_KERNELS.get(platform.machine())
    return {"OPENBLAS_CORETYPE": core} if core else {}


@pytest.fixture
def built_copy(built: tuple[Path, dict[str, str], str], tmp_path: Path) -> Path:
    """A copy of the built clone (times kept, so make sees it up to date) for one test to change."""
    dst = tmp_path / "repo"
    # GNU cp: a reflink (copy-on-write) where the file system has them, else a plain copy that
    # is still about three times faster than shutil's
    if subprocess.run(["cp", "-a", "--reflink=auto", str(built[0]), str(dst)], capture_output=True).returncode:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(built[0], dst, symlinks=True)
    return dst


def tree_hashes(root: Path, *dirs: str) -> dict[str, str]:
    out = {}
    for d in dirs:
        for p in sorted((root / d).rglob("*")):
            if p.is_file() and "variants" not in p.parts:
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def started(output: str) -> set[str]:
    return {line.split()[1] for line in output.splitlines() if line.startswith("[start]")}


def git_status(cwd: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=cwd, capture_output=True, text=True).stdout


def test_build_reproduces_committed_outputs_then_is_incremental(built, built_copy: Path):
    clone, committed, first = built
    assert any(k.endswith("report.html") for k in committed), "the default reports are committed"
    assert {"1.0-clean-claims", "1.1-pooled-estimate", "5.0-backtest", "3.0-report-en"} <= started(first)
    # byte-identical to what is committed, nothing stray left behind: the inputs' outputs, on
    # another CPU's kernels too (if only this fails, compare with `make clean && make report`)
    kernels = other_kernels().get("OPENBLAS_CORETYPE", "this CPU's")
    assert tree_hashes(clone, "data/processed", "reports") == committed, f"outputs differ ({kernels} kernels)"
    assert git_status(clone) == ""
    clone = built_copy  # the rest changes the clone

    # a second identical run does nothing
    again = make(clone, "report")
    assert started(again.stdout) == set()

    # rebuilds are keyed on content: pairing the notebooks (which rewrites every .py) or touching
    # sources runs nothing ...
    make(clone, "sync")
    later = time.time() + 60  # newer than every stamp, without waiting for the clock
    for p in [*clone.glob("notebooks/*.py"), *clone.rglob("src/dprk_russia/**/*.py"), *clone.glob("data/raw/*")]:
        os.utime(p, (later, later))
    assert git_status(clone) == ""
    assert started(make(clone, "report").stdout) == set()

    # ... while a real edit of one analysis notebook re-runs only it and the reports
    nb = clone / "notebooks/2.1-oil-transfers.py"
    nb.write_text(nb.read_text(encoding="utf-8") + "\n# %%\n1 + 1\n", encoding="utf-8")
    inc = make(clone, "report")
    assert started(inc.stdout) == {"2.1-oil-transfers", "3.0-report-en", "3.0-report-de"}


def test_failing_notebook_is_named_and_outputs_survive(built_copy: Path):
    clone = built_copy
    before = tree_hashes(clone, "data/processed", "reports")
    nb = clone / "notebooks/2.1-oil-transfers.py"
    nb.write_text(nb.read_text() + '\n# %%\nraise RuntimeError("boom in the oil notebook")\n')
    res = make(clone, "report", check=False)
    assert res.returncode != 0
    assert "2.1-oil-transfers" in res.stderr and "RuntimeError: boom in the oil notebook" in res.stderr
    assert "failed in cell" in res.stderr
    assert (clone / "build/default/executed/2.1-oil-transfers.failed.ipynb").exists()
    # no stamp says it succeeded: the next make runs the notebook again
    assert "--label 2.1-oil-transfers " in make(clone, "-n", "report").stdout
    assert not list(clone.rglob(".tmp-*"))
    after = tree_hashes(clone, "data/processed", "reports")
    assert {k: v for k, v in after.items() if k in before} == before


def test_make_clean_works_in_a_clone_without_an_environment(clone: Path, tmp_path: Path):
    """`make clean` before any build (no .venv yet) cleans and ends without error: with no
    environment no warm process can have started, so its end is not asked for."""
    res = subprocess.run(["make", "clean", f"VENV={tmp_path / 'none'}"], cwd=clone, capture_output=True, text=True,
                         env=clean_env())
    assert res.returncode == 0, res.stdout + res.stderr
    assert not (clone / "data/processed/claims.csv").exists() and not (tmp_path / "none").exists()


def test_interrupted_build_leaves_no_partial_file_and_recovers(built_copy: Path):
    clone = built_copy
    committed = tree_hashes(clone, "data/processed", "reports")
    # so it and the reports run again (the oil notebook: among the shortest that write figures)
    (clone / "build/default/2.1-oil-transfers.done").unlink()
    proc = subprocess.Popen(
        ["make", "report", f"VENV={VENV}"],
        cwd=clone,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
        start_new_session=True,
    )
    seen = ""
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        seen += line
        if line.startswith("[start] 2.1-oil-transfers"):
            break
    # inside the notebook, once it has begun writing its outputs (each is logged as it is written)
    written = clone / "build/default/executed/.tmp-2.1-oil-transfers.written"
    while not (written.exists() and written.stat().st_size):
        assert time.time() < deadline and proc.poll() is None, seen
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert not list(clone.rglob(".tmp-*")), "no partial files"
    # every output present is either untouched or complete (identical to the committed one)
    now = tree_hashes(clone, "data/processed", "reports")
    assert set(now) == set(committed)
    res = make(clone, "report")
    assert "3.0-report-en" in started(res.stdout)
    assert tree_hashes(clone, "data/processed", "reports") == committed


def test_stamps_follow_content_whatever_the_file_times_say(built_copy: Path):
    """A file replaced by a changed copy with an OLDER time stamp (as `cp -p`, `tar x` or
    `rsync -t` leave it) rebuilds what depends on it; an unchanged one, whatever its time,
    rebuilds nothing."""
    clone = built_copy
    day = 86400
    # a notebook changed under an older time: it and the reports run again, nothing else
    nb = clone / "notebooks/2.1-oil-transfers.py"
    before = nb.stat()
    os.utime(nb, (before.st_atime - day, before.st_mtime - day))
    assert started(make(clone, "report").stdout) == set(), "an older time alone changes nothing"
    nb.write_text(nb.read_text(encoding="utf-8") + "\n# %%\n1 + 1\n", encoding="utf-8")
    os.utime(nb, (before.st_atime - day, before.st_mtime - day))
    assert started(make(clone, "report").stdout) == {"2.1-oil-transfers", "3.0-report-en", "3.0-report-de"}
    # a raw file: validation runs again (and after it every step, its stamp being newer)
    events = clone / "data/raw/events.csv"
    old = events.stat()
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("Vostochny", "Wostotschny", 1), encoding="utf-8")
    os.utime(events, (old.st_atime - day, old.st_mtime - day))
    assert started(make(clone, "build/default/validated").stdout) == {"validate"}
    stamps = clone / "build/default"
    assert (stamps / "validated").stat().st_mtime > (stamps / "1.0-clean-claims.done").stat().st_mtime


def test_a_deleted_output_runs_the_step_that_writes_it_again(built_copy: Path):
    clone = built_copy
    built_outputs = tree_hashes(clone, "data/processed", "reports")
    # (consensus.csv is written by 1.1 and so would run every step after it as well)
    for name in ("reports/en/report.html", "data/processed/contradictions.csv", "reports/de/figures/oil_runrate.svg",
                 "data/processed/claims.xlsx"):
        (clone / name).unlink()
    res = make(clone, "report")
    assert started(res.stdout) == {
        "2.1-oil-transfers", "2.3-consensus-contradictions", "3.0-report-en", "3.0-report-de", "claims-xlsx"
    }
    assert tree_hashes(clone, "data/processed", "reports") == built_outputs, "written again, the same bytes"
    # each stamp lists the files its step wrote
    stamp = (clone / "build/default/2.1-oil-transfers.done").read_text(encoding="utf-8").splitlines()
    assert stamp[0] == "notebooks/2.1-oil-transfers.py" and "reports/de/figures/oil_runrate.svg" in stamp
    # claims.xlsx is written by its own step (after cleaning, beside the analyses), not by 1.0
    assert (clone / "build/default/claims-xlsx.done").read_text(encoding="utf-8") == "data/processed/claims.xlsx\n"
    assert "data/processed/claims.xlsx" not in (clone / "build/default/1.0-clean-claims.done").read_text(encoding="utf-8")
    # and a no-op build stays fast
    t0 = time.perf_counter()
    assert started(make(clone, "report").stdout) == set()
    assert time.perf_counter() - t0 < 1.0, "a no-op make report takes well under a second"
