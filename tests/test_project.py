"""Project conventions: notebook pairing, parameters cells, pinned environment, CI script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jupytext
import pytest
import yaml

from dprk_russia import PROJECT_ROOT
from dprk_russia.build.lab import LAB_ONLY
from dprk_russia.build.run import declared_parameters

from .layers import package_imports

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.py"))
#: The notebooks make runs (the others are for Lab only: dprk_russia.build.lab.LAB_ONLY).
PIPELINE = [p for p in NOTEBOOKS if p.name not in LAB_ONLY]


def test_there_are_phase_prefixed_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 6
    assert all(re.match(r"^\d\.\d-[a-z0-9-]+\.py$", n) for n in names), names


def test_jupytext_config_pairs_and_keeps_tags():
    cfg = tomllib.loads((PROJECT_ROOT / "jupytext.toml").read_text())
    assert cfg["formats"] == "ipynb,py:percent"
    cell_filter = cfg.get("cell_metadata_filter", "")
    assert "tags" in cell_filter.split(",") and "-tags" not in cell_filter
    # the kernelspec stays in the .py, so Lab starts the kernel without asking which
    assert "kernelspec" in cfg.get("notebook_metadata_filter", "").split(",")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_round_trips_and_has_one_parameters_cell(path: Path):
    text = path.read_text(encoding="utf-8")
    nb = jupytext.reads(text, fmt="py:percent")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "header names the kernel"
    assert declared_parameters(nb), "the parameters cell assigns at least one name"
    # .py -> ipynb -> .py gives the same text, with the repository's jupytext.toml settings
    cfg = tomllib.loads((PROJECT_ROOT / "jupytext.toml").read_text())
    nb2 = jupytext.reads(jupytext.writes(nb, fmt="ipynb"), fmt="ipynb")
    nb2.metadata.setdefault("jupytext", {}).update(
        {k: cfg[k] for k in ("notebook_metadata_filter", "cell_metadata_filter")}
    )
    assert jupytext.writes(nb2, fmt="py:percent") == text


def test_environment_yml_matches_lock():
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    locked = {
        p["name"].lower(): p["version"]
        for p in lock["package"]
        if p.get("source", {}).get("editable") is None and p.get("source", {}).get("virtual") is None
    }
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pinned = {}
    for line in pip:
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)", line)
        if m:
            pinned[m.group(1).lower()] = m.group(2)
    assert pinned == locked


def test_ci_runs_make_test():
    script = (PROJECT_ROOT / ".ci/run").read_text()
    commands = [ln.strip() for ln in script.splitlines() if ln.strip() and not ln.startswith("#")]
    assert "make test" in commands


def test_make_without_target_prints_help():
    out = subprocess.run(["make", "-s"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("report", "test", "lab", "sync", "lint", "clean", "distclean", "sweep"):
        assert re.search(rf"^\s+{target}\s", out, re.M), target


def test_lab_binds_to_localhost_with_token():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    lab = makefile[makefile.index("\nlab:") :].split("\n\n")[0]
    assert "--ip=127.0.0.1" in lab
    assert "token=''" not in lab and 'token=""' not in lab and "--IdentityProvider.token=" not in lab


def test_make_lab_starts_jupyterlab_without_building_the_iri_grammar():
    """`make lab` runs Lab through dprk_russia.build.lab, which is `jupyter lab` without the IRI
    grammar jsonschema would build at import (1.4 s of Lab's start)."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    lab = makefile[makefile.index("\nlab:") :].split("\n\n")[0]
    assert "$(PY) -m dprk_russia.build.lab --ip=127.0.0.1" in lab
    res = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/python"), "-X", "importtime", "-m", "dprk_russia.build.lab", "--version"],
        capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT / "src")},
    )
    assert res.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+", res.stdout.strip()), res.stdout + res.stderr
    imported = {ln.split("|")[-1].strip() for ln in res.stderr.splitlines() if ln.startswith("import time:")}
    assert "jupyterlab.labapp" in imported and "rfc3987_syntax.syntax_helpers" not in imported


def test_lint_is_clean():
    res = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/ruff"), "check", "src", "tests", "bench", "notebooks"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout


def test_processed_tables_match_their_dictionary():
    from dprk_russia.data.clean import PROCESSED_COLUMNS
    from dprk_russia.data.dictionary import TABLES

    processed = PROJECT_ROOT / "data/processed"
    from dprk_russia.analysis.findings import DICTIONARY, PARTS
    from dprk_russia.data.clean import REPORT_TABLES

    documented = {"claims": list(PROCESSED_COLUMNS), **{k: list(v[1]) for k, v in TABLES.items()}}
    documented |= {f"findings_{p}": list(DICTIONARY) for p in PARTS}
    documented |= {k: list(v[1]) for k, v in REPORT_TABLES.items()}
    for name, columns in documented.items():
        header = (processed / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == columns, name


def test_raw_dictionary_documents_every_column():
    readme = (PROJECT_ROOT / "data/raw/README.md").read_text(encoding="utf-8")
    for csv_file in sorted((PROJECT_ROOT / "data/raw").glob("*.csv")):
        header = csv_file.read_text(encoding="utf-8").splitlines()[0].split(",")
        missing = [c for c in header if f"`{c}`" not in readme]
        assert not missing, f"{csv_file.name}: {missing}"


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("REPORT_LANGS=fr", "REPORT_LANGS may contain only"),
        ("AS_OF=2024/06/30", "AS_OF must be an ISO date"),
        ("ESTIMATOR_TYPES=spies", "ESTIMATOR_TYPES must be"),
        ("ROUNDS_PER_CONTAINER_LOW=600", "0 < LOW <= HIGH"),
    ],
)
def test_bad_parameters_stop_make_before_building(arg, message):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    res = subprocess.run(
        ["make", "-n", "report", arg], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env
    )
    assert res.returncode != 0
    assert message in res.stderr


def _transitive(files: set[Path]) -> set[Path]:
    """The package's module files that ``files`` import, directly or through each other."""
    todo, seen = set(files), set()
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.add(path)
        todo |= package_imports(path)
    return seen


def _make_database() -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        ["make", "-pq", "report", "sweep", "backtest"], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env
    ).stdout


def _rules_running(db: str, name: str) -> list[str]:
    """The rules of make's database (``make -p``) whose stamp runs notebooks/``name``."""
    return [
        ln for ln in db.splitlines() if ln.endswith(".done: " + ln.split(": ", 1)[-1]) and f"notebooks/{name}" in ln
    ]


def test_lab_only_notebooks_exist_and_make_never_runs_them():
    assert set(LAB_ONLY) <= {p.name for p in NOTEBOOKS}
    db = _make_database()
    assert {name: _rules_running(db, name) for name in LAB_ONLY} == {name: [] for name in LAB_ONLY}


@pytest.mark.parametrize("path", PIPELINE, ids=lambda p: p.name)
def test_make_rule_depends_on_every_module_the_notebook_uses(path: Path):
    rules = _rules_running(_make_database(), path.name)
    assert rules, f"no make rule runs {path.name}"
    used = _transitive(package_imports(path)) | {PROJECT_ROOT / "src/dprk_russia/build/run.py"}
    for rule in rules:
        # rules depend on content stamps build/<variant>/hash/<file>.sha of their sources
        deps = {d.split("/hash/", 1)[-1].removesuffix(".sha") for d in rule.split(": ", 1)[1].split()}
        missing = sorted(m.relative_to(PROJECT_ROOT).as_posix() for m in used)
        missing = [m for m in missing if m not in deps]
        assert not missing, f"{rule.split(':')[0]} lacks {missing}"


@pytest.mark.parametrize("omp", ["1", ""])
def test_make_runs_as_many_jobs_as_there_are_cores_whatever_omp_num_threads_says(omp: str):
    """`nproc` obeys OMP_NUM_THREADS: the 1 that the Makefile exports to its recipes (so to
    `make test`'s builds) or that a user sets for BLAS must not make builds run on one core."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "OMP_NUM_THREADS")}
    env |= {"OMP_NUM_THREADS": omp} if omp else {}
    res = subprocess.run(["make", "-pq", "report"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    flags = next(ln for ln in res.stdout.splitlines() if ln.startswith("MAKEFLAGS = "))
    assert f"-j{len(os.sched_getaffinity(0))}" in flags.split()


def recipe_prints(command: str, env: dict[str, str | None]) -> str:
    """What ``command`` prints when run as a recipe of the Makefile, with ``env`` (and none of the
    caller's make flags; a None removes the variable) in the environment of make."""
    base = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", *env)}
    res = subprocess.run(
        ["make", "-s", "--eval", f"probe:\n\t@{command}", "probe"],
        cwd=PROJECT_ROOT, env=base | {k: v for k, v in env.items() if v is not None}, capture_output=True, text=True,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_recipes_keep_the_bytecode_they_compile_and_setup_compiles_nothing_up_front():
    """The environment is set up without compiling every file of .venv (15 s), so recipes must
    keep what they compile: a PYTHONDONTWRITEBYTECODE=1 in the caller's environment (as on many CI
    machines) does not reach them, else every process would compile its imports again."""
    probe = "python3 -c 'import sys; print(sys.dont_write_bytecode)'"
    assert recipe_prints(probe, {"PYTHONDONTWRITEBYTECODE": "1"}) == "False"
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    sync = next(ln for ln in makefile.splitlines() if " sync --frozen" in ln)
    assert "--compile-bytecode" not in sync


def test_recipes_run_numpy_without_asking_for_huge_pages():
    """On this project's machines a fresh 2 MB page costs about ten times what 512 small ones do
    (Makefile: NUMPY_MADVISE_HUGEPAGE), so NumPy in a recipe, a notebook kernel or a test must not
    ask for them; a value in the caller's environment still wins."""
    probe = "$(PY) -c 'import numpy._core.multiarray as m; print(m._get_madvise_hugepage())'"
    assert recipe_prints(probe, {"NUMPY_MADVISE_HUGEPAGE": None}) == "False"
    if sys.platform == "linux":
        assert recipe_prints(probe, {"NUMPY_MADVISE_HUGEPAGE": "1"}) == "True"


def test_the_quick_tests_leave_out_every_file_that_builds_or_starts_a_server(request: pytest.FixtureRequest):
    """`make test-quick` selects `not end_to_end`: none of the end-to-end files, all the others. A
    test file that builds a clone, starts Lab or drives a browser belongs in LONGEST_FIRST.

    Under `make test` every process collected the whole suite, with the marks conftest gave it:
    `-m 'not end_to_end'` keeps the tests without the mark. Run alone, this asks pytest itself."""
    from .conftest import LONGEST_FIRST

    every = {p.name for p in (PROJECT_ROOT / "tests").glob("test_*.py")}
    items = request.session.items
    if {item.path.name for item in items} == every:
        files = {item.path.name for item in items if item.get_closest_marker("end_to_end") is None}
    else:
        res = subprocess.run(
            [str(PROJECT_ROOT / ".venv/bin/python"), "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
             "-m", "not end_to_end"],
            cwd=PROJECT_ROOT, capture_output=True, text=True,
        )
        # (-q here and in addopts: one line per file, "tests/test_x.py: 12")
        files = {ln.split(":")[0].removeprefix("tests/") for ln in res.stdout.splitlines() if ln.startswith("tests/")}
    assert files and not files & set(LONGEST_FIRST)
    assert files == every - set(LONGEST_FIRST)
    # (in pieces, so that this file does not match itself)
    e2e = re.compile("|".join(["fresh" + r"_clone\(", r"\bServer" + r"\(", "sync" + "_playwright", r"\bmake\(" + "clone"]))
    for name in sorted(files):
        assert not e2e.search((PROJECT_ROOT / "tests" / name).read_text()), f"{name} looks end-to-end"


def test_an_environment_synced_from_the_same_lock_is_used_as_it_is(tmp_path: Path):
    """`$(VENV)/.synced` is older than uv.lock whenever another checkout (a fresh clone using
    VENV=...) or a `touch` gives the lock a newer time. When the lock and pyproject.toml hold
    what the environment was synced from, make syncs nothing: no uv, no editable install pointed
    elsewhere, and the stamp keeps its time. When they differ, uv syncs once and the stamp
    records the new content. (The Makefile runs in a folder of its own with copies of the two
    files, new ones, so that the checkout's file times do not matter.)"""
    import hashlib

    checkout, venv, log = tmp_path / "checkout", tmp_path / "venv", tmp_path / "uv.log"
    checkout.mkdir()
    venv.mkdir()
    content = b""
    for name in ("uv.lock", "pyproject.toml"):
        data = (PROJECT_ROOT / name).read_bytes()
        (checkout / name).write_bytes(data)
        content += data
    uv = tmp_path / "uv"  # a stand-in for uv that records what it is asked to do
    uv.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    uv.chmod(0o755)
    stamp, synced = venv / ".synced", f"{hashlib.sha256(content).hexdigest()}  -\n"  # as sha256sum prints it
    stamp.write_text(synced)
    os.utime(stamp, (0, 0))  # older than the lock: make runs the stamp's recipe
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}

    def venv_target() -> subprocess.CompletedProcess:
        return subprocess.run(["make", "-f", str(PROJECT_ROOT / "Makefile"), "venv", f"VENV={venv}", f"UV={uv}"],
                              cwd=checkout, env=env, capture_output=True, text=True)

    res = venv_target()
    assert res.returncode == 0, res.stderr
    assert "[setup]" not in res.stdout and not log.exists()
    assert stamp.stat().st_mtime == 0
    assert not (checkout / ".tools").exists()
    # an environment synced from another lock (here: the stamp of another content)
    stamp.write_text("0" * 64 + "  -\n")
    os.utime(stamp, (0, 0))
    res = venv_target()
    assert res.returncode == 0, res.stderr
    assert "[setup] installing the locked environment" in res.stdout
    assert log.read_text().split()[:2] == ["sync", "--frozen"]
    assert stamp.read_text() == synced
