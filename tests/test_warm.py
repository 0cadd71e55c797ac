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
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.build import warm
from dprk_russia.data.io import TMP_PREFIX

#: The Makefile's notebook step (``warm.py --step``, by path).
WARM_PY = Path(warm.__file__)

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


def cmd(nb: Path, executed: Path, stamp: Path | None = None) -> list[str]:
    """A notebook step as the Makefile runs it."""
    out = [sys.executable, "-I", "-S", str(WARM_PY), "--step", str(nb), "--label", nb.stem, "--executed", str(executed)]
    return out + (["--stamp", str(stamp)] if stamp is not None else [])


def step(nb: Path, executed: Path, stamp: Path | None = None, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(cmd(nb, executed, stamp), env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# A stand-in for the make process of a build: it names itself in DPRK_WARM, runs each step it
# reads on its input (a JSON list) and prints its status after it; it ends when its input ends.
HOLDER = """
import json, os, subprocess, sys
os.environ["DPRK_WARM"] = str(os.getpid())
for line in sys.stdin:
    print(f"[status] {subprocess.call(json.loads(line))}", flush=True)
"""


class Build:
    """A running stand-in build (:data:`HOLDER`)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER], env=env(), text=True, bufsize=1,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.id = str(self.proc.pid)
        self.lines: list[str] = []

    def run(self, step: list[str]) -> None:
        """Start a step (the build runs one at a time)."""
        self.lines = []
        self.proc.stdin.write(json.dumps(step) + "\n")
        self.proc.stdin.flush()

    def until(self, prefix: str) -> str:
        """Read the build's output up to a line starting with ``prefix``; that line."""
        while True:
            got = self.proc.stdout.readline()
            assert got, f"the build ended before {prefix!r}: {self.lines}"
            self.lines.append(got.rstrip("\n"))
            if got.startswith(prefix):
                return self.lines[-1]

    def end(self) -> str:
        """End the build (as make ends); its standard error."""
        _out, err = self.proc.communicate(timeout=60)
        return err

    def step_pid(self) -> int:
        kids = _children(self.proc.pid)
        assert len(kids) == 1
        return kids[0]


@pytest.fixture(scope="module")
def build():
    """One build for the module's tests (one warm process); it must end with the build."""
    b = Build()
    try:
        yield b
    finally:
        b.end()
    # (a make ends it with the goal warm-end, which tests/test_pipeline.py checks; here it ends
    # because its build did)
    deadline = time.monotonic() + 5
    while warm._connect(b.id) is not None:
        assert time.monotonic() < deadline, "the warm process outlived its build"
        time.sleep(0.02)


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


def test_in_process_run_gives_the_notebook_a_kernel_gives(tmp_path: Path):
    """The Makefile's step outside its build (here a stale DPRK_WARM, naming no ancestor) runs the
    notebook itself, in a kernel; a run in process gives the same notebook."""
    nb = tmp_path / "tiny.py"
    nb.write_text(NOTEBOOK.format(last="1 / 0"), encoding="utf-8")
    in_process = [sys.executable, "-c", "import sys; from dprk_russia.build import run; "
                  "sys.exit(run.main(sys.argv[1:], in_process=True))"]
    runs = {}
    for name, start in (("kernel", [sys.executable, "-I", "-S", str(WARM_PY), "--step"]), ("in_process", in_process)):
        res = subprocess.run(
            [*start, str(nb), "--executed", str(tmp_path / f"{name}.ipynb")],
            env=env(**{warm.ENV: "1"}), capture_output=True, text=True, timeout=300,
        )
        assert res.returncode == 1, res.stderr
        assert "failed in cell 4 (execution count 4): ZeroDivisionError: division by zero" in res.stderr, res.stderr
        runs[name] = outputs(tmp_path / f"{name}.failed.ipynb")
    assert runs["in_process"] == runs["kernel"]
    assert [o[0] for o in runs["kernel"][2]] == ["display_data", "execute_result", "display_data"]  # table, value, chart


def in_process_run(
    tmp_path: Path, last: str, first: str, shown: str, then: list[str] | None = None
) -> subprocess.CompletedProcess:
    """The tiny notebook ending in ``last``, run in process (``run.main``) by a new Python that
    runs the code ``first`` before and prints the expression ``shown`` after it; with ``then``
    (a run's arguments), ``writes`` is emptied and that run follows, and ``shown`` and its exit
    status are printed after it (the Python's own status is the first run's)."""
    nb = tmp_path / "tiny.py"
    nb.write_text(NOTEBOOK.format(last=last), encoding="utf-8")
    code = (
        f"import json, sys\n{first}\n"
        "from dprk_russia.build import run; status = run.main(sys.argv[1:4], in_process=True)\n"
        f"print({shown})\n"
        "if len(sys.argv) > 4:\n"
        "    writes.clear(); then = run.main(json.loads(sys.argv[4]), in_process=True)\n"
        f"    print({shown}, then)\n"
        "sys.exit(status)"
    )
    args = [str(nb), "--executed", str(tmp_path / "tiny.ipynb")] + ([json.dumps(then)] if then else [])
    return subprocess.run([sys.executable, "-c", code, *args], env=env(), capture_output=True, text=True, timeout=300)


def test_a_step_in_the_warm_process_imports_no_library_again(tmp_path: Path):
    """What a step needs is imported once, by the warm process (warm.preload): the forked copy
    that runs a notebook imports no module of its own, nor compiles nbformat's notebook schema.
    And the warm process leaves out the modules a build never uses (warm.UNUSED): jupytext's
    contents managers would bring a Jupyter server and tornado along."""
    res = in_process_run(
        tmp_path, "X",
        "from dprk_russia.build import warm; warm.skip_unused(); warm.preload(); seen = set(sys.modules)\n"
        "import nbformat.validator as v; compiled = dict(v.validators)\n"
        "print([m for m in ('jupyter_server', 'rfc3987_syntax') if sys.modules.get(m)])",
        "sorted(set(sys.modules) - seen) + sorted(set(v.validators.items()) - set(compiled.items()))",
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "[]", "no Jupyter server, no IRI grammar"
    assert lines[-1] == "[]", res.stdout


def test_an_in_process_run_writes_its_notebook_at_the_start_and_the_end_only(tmp_path: Path):
    """papermill writes the notebook before and after each cell for a kernel; in process it is
    written when the run starts and once when it ends, with every cell run (or up to the failing
    one, its error shown), whatever the number of cells. (One Python runs a notebook that
    succeeds, then one that fails.)"""
    failing = tmp_path / "failing.py"
    failing.write_text(NOTEBOOK.format(last="1 / 0"), encoding="utf-8")
    res = in_process_run(
        tmp_path, "X",
        "import papermill.iorw as io; writes = []; real = io.papermill_io.write\n"
        "def write(buf, path, *a, **k): writes.append(path); return real(buf, path, *a, **k)\n"
        "io.papermill_io.write = write",
        "len(writes)",
        then=[str(failing), "--executed", str(tmp_path / "failing.ipynb")],
    )
    assert res.returncode == 0, res.stderr
    # writes of the first run; writes and exit status of the second (progress lines between)
    assert [ln for ln in res.stdout.splitlines() if ln[:1].isdigit()] == ["2", "2 1"], res.stdout + res.stderr
    assert outputs(tmp_path / "tiny.ipynb")[-1] == [("execute_result", None, "", ["text/plain"], 4, None, None)]
    assert outputs(tmp_path / "failing.failed.ipynb")[-1][-1][0] == "error"


def test_the_steps_of_a_build_run_in_its_warm_process(tmp_path: Path, build: Build):
    nb = tmp_path / "tiny.py"
    nb.write_text(NOTEBOOK.format(last="X * 10"), encoding="utf-8")
    for n in (1, 2):  # the first step starts the warm process (or finds it), the second finds it
        executed, stamp = tmp_path / f"run{n}.ipynb", tmp_path / f"run{n}.done"
        build.run(cmd(nb, executed, stamp))
        assert build.until("[status]") == "[status] 0"
        assert [line.split(" in ")[0] for line in build.lines] == ["[start] tiny", "[done]  tiny", "[status] 0"]
        assert stamp.read_text().splitlines() == [str(nb)]
        assert outputs(executed)[-1] == [("execute_result", None, "", ["text/plain"], 4, None, None)]
        assert warm._connect(build.id) is not None, "the warm process listens"
        assert _no_runs(build.id), "no run is left"


def test_a_run_in_the_warm_process_finds_the_preloaded_objects_frozen(tmp_path: Path, build: Build):
    """What the warm process imported is frozen for the garbage collector before any fork, and a
    run collects less often than Python's default (about 2 s less CPU per clean build)."""
    nb, seen = tmp_path / "gc.py", tmp_path / "gc.txt"
    nb.write_text(NOTEBOOK.format(last=f"import gc; open({str(seen)!r}, 'w').write("
                                       "f'{gc.get_freeze_count()} {gc.get_threshold()}')"), encoding="utf-8")
    build.run(cmd(nb, tmp_path / "gc.ipynb"))
    assert build.until("[status]") == "[status] 0", build.lines
    frozen, thresholds = seen.read_text().split(" ", 1)
    assert int(frozen) > 100_000, "pandas, SciPy and matplotlib alone are several hundred thousand objects"
    assert thresholds == str(warm.GC_THRESHOLDS)


def test_end_waits_until_the_warm_process_is_gone(tmp_path: Path):
    """warm.end (the Makefile's last goal) returns once the build's warm process has exited."""
    build = Build()
    try:
        nb = tmp_path / "tiny.py"
        nb.write_text(NOTEBOOK.format(last="X"), encoding="utf-8")
        build.run(cmd(nb, tmp_path / "tiny.ipynb"))
        assert build.until("[status]") == "[status] 0"
        server = _server(build.id)
        warm.end(build.id)
        assert warm._connect(build.id) is None
        deadline = time.monotonic() + 1  # its descriptors are closed as it exits, just before it is a zombie
        while _alive(server):
            assert time.monotonic() < deadline, "end returned before the warm process exited"
            time.sleep(0.001)
        warm.end(build.id)  # none left: returns at once
    finally:
        build.end()


def test_a_warm_process_started_with_validation_ends_with_a_build_that_fails_there():
    """Validation starts the warm process (``--spawn``, returning at once) so that its imports
    overlap; a build that ends meanwhile (its validation failed) ends it at once, not once it
    has imported everything."""
    build = Build()
    spawner = [sys.executable, "-S", str(PROJECT_ROOT / "src/dprk_russia/build/warm.py"), "--spawn", build.id]
    subprocess.run(spawner, env=env(), check=True, timeout=10)
    server = _spawned(build.id)
    assert _alive(server)
    build.end()
    ended = time.monotonic()
    while _alive(server):
        assert time.monotonic() - ended < 1.0, "the warm process outlived its build"
        time.sleep(0.005)
    assert warm._connect(build.id) is None


def test_an_end_right_after_the_start_waits_for_the_warm_process_still_importing():
    """The build's end can come while its warm process is still importing (validation started
    it and no notebook ran): the end waits until it is gone, so that it does not outlive make.
    A second start meanwhile (two steps that found none) finds the name taken and starts nothing."""
    build = Build()
    try:
        spawner = [sys.executable, "-S", str(PROJECT_ROOT / "src/dprk_russia/build/warm.py"), "--spawn", build.id]
        subprocess.run(spawner, env=env(), check=True, timeout=10)
        [server] = _all_spawned(build.id)
        assert warm.spawn(build.id) is False
        assert _all_spawned(build.id) == [server], "a second warm process was started"
        warm.end(build.id)
        assert not _alive(server), "end returned while the warm process was still running"
    finally:
        build.end()


def test_a_step_whose_warm_process_does_not_take_it_runs_itself(monkeypatch: pytest.MonkeyPatch):
    """A warm process that never takes the step (stuck importing): after READY_TIMEOUT the step
    runs itself, having sent nothing that the process could run later."""
    build = str(os.getppid())  # an ancestor of this process, as a build's make is of its steps
    stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with stuck:
        stuck.bind(warm._address(build))
        stuck.listen(1)
        monkeypatch.setenv(warm.ENV, build)
        monkeypatch.setattr(warm, "READY_TIMEOUT", 0.2)
        assert warm.delegate(["x.py", "--executed", "x.ipynb"]) is None
        conn, _ = stuck.accept()
        with conn:
            assert conn.recv(1024) == b"", "the step sent its request to a process that had not taken it"


def _all_spawned(build: str) -> list[int]:
    """The ids of the (live) warm processes started for ``build`` (found by their command line)."""
    wanted = b"dprk_russia.build.warm\0" + build.encode() + b"\0"
    out = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if wanted in (proc / "cmdline").read_bytes() and _alive(int(proc.name)):
                out.append(int(proc.name))
        except OSError:
            continue
    return out


def _spawned(build: str) -> int:
    """The id of the warm process started for ``build``."""
    found = _all_spawned(build)
    assert found, f"no warm process for build {build}"
    return found[0]


def _slow(tmp_path: Path, build: Build) -> Path:
    """Start a step whose notebook sleeps; once the notebook has begun, its temporary file."""
    nb = tmp_path / "slow.py"
    nb.write_text(NOTEBOOK.format(last="import time\ntime.sleep(120)"), encoding="utf-8")
    build.run(cmd(nb, tmp_path / "slow.ipynb", tmp_path / "slow.done"))
    assert build.until("[start]") == "[start] slow"
    running = tmp_path / f"{TMP_PREFIX}slow.ipynb"  # papermill has begun the notebook
    deadline = time.monotonic() + 120
    while not running.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return running


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_step_stops_the_run(tmp_path: Path, build: Build, signum: int):
    _slow(tmp_path, build)
    assert len(_runs(build.id)) == 1
    t0 = time.monotonic()
    os.kill(build.step_pid(), signum)
    assert build.until("[status]") == "[status] 130"  # as a cold step stops ("[stop] ...: interrupted")
    assert time.monotonic() - t0 < 30
    assert not (tmp_path / "slow.done").exists() and not (tmp_path / "slow.ipynb").exists()
    assert not list(tmp_path.glob(f"{TMP_PREFIX}*"))
    assert _no_runs(build.id)


def test_a_killed_step_stops_its_run(tmp_path: Path, build: Build):
    """A step killed outright (SIGKILL, nothing forwarded) still stops its forked run."""
    running = _slow(tmp_path, build)
    runs = _runs(build.id)
    assert len(runs) == 1
    os.kill(build.step_pid(), signal.SIGKILL)
    assert build.until("[status]") == "[status] -9"
    assert _no_runs(build.id), "the run outlived its killed step"
    assert not running.exists() and not (tmp_path / "slow.done").exists()


def test_a_step_outside_the_named_build_runs_cold(monkeypatch: pytest.MonkeyPatch):
    """No DPRK_WARM, or one naming a process that is not the step's ancestor (a stale
    environment): the step runs itself (the cold run is test_in_process_run_...'s kernel run)."""
    monkeypatch.delenv(warm.ENV, raising=False)
    assert warm.delegate(["x.py", "--executed", "x.ipynb"]) is None
    other = subprocess.Popen(["sleep", "60"])
    try:
        monkeypatch.setenv(warm.ENV, str(other.pid))
        assert warm.delegate(["x.py", "--executed", "x.ipynb"]) is None
        assert warm._connect(str(other.pid)) is None, "no warm process was started"
    finally:
        other.kill()
        other.wait()


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _runs(build: str) -> list[int]:
    """The forked runs of the build's warm process."""
    return [pid for pid in _children(_server(build)) if _alive(pid)]


def _server(build: str) -> int:
    """The id of the build's warm process."""
    sock = warm._connect(build)
    assert sock is not None
    with sock:
        return struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]


def _no_runs(build: str, wait: float = 30) -> bool:
    """Whether the build's forked runs all end (a run ends just after it sends its status)."""
    deadline = time.monotonic() + wait
    while _runs(build):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
