"""The warm process of a build and the in-process engine (dprk_russia.build.warm, .inprocess).

A notebook run in a forked copy of the warm process gives the executed notebook a kernel gives
(the same outputs cell by cell), its progress lines on the step's own output, its exit status
and its stamp; a signal to the step stops the run; outside a build (no ``DPRK_WARM``) a step
runs cold as before.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.build import warm
from dprk_russia.data.io import TMP_PREFIX

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the warm process is Linux-only")

NOTEBOOK = """\
# %% tags=["parameters"]
X = 1

# %%
print("hello"); print("world")
X + 1

# %%
from IPython.display import HTML, display
import matplotlib.pyplot as plt
display(HTML("<b>table</b>"))
fig, ax = plt.subplots(); ax.plot([1, 2])

# %%
{last}
"""


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", warm.ENV)}
    return out | {"PYTHONPATH": str(PROJECT_ROOT / "src"), "MPLBACKEND": ""} | extra


def step(nb: Path, executed: Path, stamp: Path | None = None, **extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "dprk_russia.build.run", str(nb), "--label", nb.stem, "--executed", str(executed)]
    if stamp is not None:
        cmd += ["--stamp", str(stamp)]
    return subprocess.Popen(cmd, env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def outputs(path: Path) -> list[list[tuple]]:
    """Each code cell's outputs, as what a reader sees: type, stream text, data types, count."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    return [
        [
            (o["output_type"], o.get("name"), "".join(o.get("text", "")), sorted(o.get("data", {})),
             o.get("execution_count"), o.get("ename"), o.get("evalue"))
            for o in c["outputs"]
        ]
        for c in cells
    ]


@pytest.fixture
def build():
    """A stand-in for the make process of a build: the warm process lives as long as it does."""
    proc = subprocess.Popen(["sleep", "120"])
    yield str(proc.pid)
    proc.kill()
    proc.wait()


def test_in_process_run_gives_the_notebook_a_kernel_gives(tmp_path: Path):
    nb = tmp_path / "tiny.py"
    nb.write_text(NOTEBOOK.format(last="1 / 0"), encoding="utf-8")
    runs = {}
    for name, flag in (("kernel", "False"), ("in_process", "True")):
        res = subprocess.run(
            [sys.executable, "-c", "import sys; from dprk_russia.build import run; "
             f"sys.exit(run.main(sys.argv[1:], in_process={flag}))",
             str(nb), "--executed", str(tmp_path / f"{name}.ipynb")],
            env=env(), capture_output=True, text=True, timeout=300,
        )
        assert res.returncode == 1
        assert "failed in cell 4 (execution count 3): ZeroDivisionError: division by zero" in res.stderr
        runs[name] = outputs(tmp_path / f"{name}.failed.ipynb")
    assert runs["in_process"] == runs["kernel"]
    assert [o[0] for o in runs["kernel"][2]] == ["display_data", "display_data"]  # the table, the chart


def test_a_step_of_a_build_runs_in_the_warm_process(tmp_path: Path, build: str):
    nb = tmp_path / "tiny.py"
    nb.write_text(NOTEBOOK.format(last="X * 10"), encoding="utf-8")
    for n in (1, 2):  # the first starts the warm process, the second finds it
        executed, stamp = tmp_path / f"run{n}.ipynb", tmp_path / f"run{n}.done"
        out, err = step(nb, executed, stamp, **{warm.ENV: build}).communicate(timeout=300)
        assert (out.splitlines()[0], out.splitlines()[-1].split(" in ")[0]) == ("[start] tiny", "[done]  tiny"), err
        assert stamp.read_text().splitlines() == [str(nb)]
        assert outputs(executed)[-1] == [("execute_result", None, "", ["text/plain"], 3, None, None)]
        assert warm._connect(build) is not None, "the warm process listens"
    # the warm process ends with its build
    os.kill(int(build), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while warm._connect(build) is not None:
        assert time.monotonic() < deadline, "the warm process outlived its build"
        time.sleep(0.1)


def test_a_signal_to_the_step_stops_the_run(tmp_path: Path, build: str):
    nb = tmp_path / "slow.py"
    nb.write_text(NOTEBOOK.format(last="import time\ntime.sleep(120)"), encoding="utf-8")
    executed, stamp = tmp_path / "slow.ipynb", tmp_path / "slow.done"
    proc = step(nb, executed, stamp, **{warm.ENV: build})
    assert proc.stdout.readline() == "[start] slow\n"
    running = tmp_path / f"{TMP_PREFIX}slow.ipynb"  # papermill has begun the notebook
    deadline = time.monotonic() + 120
    while not running.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and time.monotonic() - t0 < 30
    assert "[fail]  slow" in err or "[stop]  slow" in err
    assert not stamp.exists() and not executed.exists()


def test_outside_a_build_a_step_runs_cold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(warm.ENV, raising=False)
    assert warm.delegate(["x.py", "--executed", "x.ipynb"]) is None
    nb = tmp_path / "tiny.py"
    nb.write_text(NOTEBOOK.format(last="X"), encoding="utf-8")
    out, err = step(nb, tmp_path / "tiny.ipynb").communicate(timeout=300)
    assert out.startswith("[start] tiny\n[done]  tiny"), err
