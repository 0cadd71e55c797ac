"""JupyterLab as the analyst's workbench, end to end with a real Jupyter server.

Starts `make lab` in throw-away clones (loopback, a token, a free port) and speaks to it as Lab
does, over HTTP and the kernels' websockets; no browser needed (tests/test_lab_browser.py adds
one). First: ``notebooks/2.1-oil-transfers.py`` opens as a notebook, every code cell runs, and it is
saved back with one added markdown cell. Then, on one server whose clone has its ``.ipynb``
twins (``make sync``) and an executed notebook from ``dprk_russia.build.run``: the start page
opens and shows the key findings; the file browser lists each notebook once; autosave is off;
1.1 with an edited parameter runs, shows its charts and changes no committed file, and its
``.py`` changes only when saved, without a "File Changed" conflict; executed notebooks open
trusted; and the server logs nothing alarming. A few minutes in all.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time
import types
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import websocket

from dprk_russia import PROJECT_ROOT

from .conftest import fresh_clone

VENV = PROJECT_ROOT / ".venv"
# the analysis notebook with the fewest charts (two) and the shortest run: what is checked of it
# (each chart shown once inline, the saved .py) is the same for every analysis notebook
NOTEBOOK = "notebooks/2.1-oil-transfers.py"
TOKEN = uuid.uuid4().hex
IMAGES = ("image/png", "image/svg+xml")
# log lines that are not real problems and must not reach a newcomer's terminal
NOISE = re.compile(
    r"^\[[WE] |ERROR|WARNING|KeyboardInterrupt|without encryption|Stripping metadata|not trusted"
)


def clean_env() -> dict[str, str]:
    """The environment without the caller's make flags and PYTHONPATH (make sets its own)."""
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHONPATH")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `make lab` server in ``root``, spoken to over HTTP and websockets with its token."""

    def __init__(self, root: Path, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.log = tmp / "lab.log"
        env = clean_env()
        # the token as a user would set it; config and runtime files kept out of the user's home
        env |= {
            "JUPYTER_TOKEN": TOKEN,
            "JUPYTER_CONFIG_DIR": str(tmp / "config"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
            **(extra_env or {}),
        }
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                ["make", "lab", f"VENV={VENV}", f"TOOLS={PROJECT_ROOT / '.tools'}", f"LAB_PORT={self.port}"],
                cwd=root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                self.api("GET", "status")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"make lab did not start:\n{self.log.read_text()}") from None
                time.sleep(0.3)

    def api(self, method: str, path: str, body: dict | None = None, prefix: str = "api/") -> dict:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{prefix}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as res:
            text = res.read()
        return json.loads(text) if text else {}

    def stop(self) -> None:
        """Shut the server down as Ctrl-C would, killing it only if it does not stop."""
        if self.proc.poll() is None:
            try:
                self.api("POST", "shutdown")
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Kernel:
    """A kernel started by the server, driven through its websocket like Lab does."""

    def __init__(self, server: Server, path: str) -> None:
        self.session = server.api(
            "POST", "sessions", {"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}}
        )
        kid = self.session["kernel"]["id"]
        self.client = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels?session_id={self.client}&token={TOKEN}",
            timeout=300,
        )

    def request(self, msg_type: str, content: dict) -> tuple[dict, list[dict]]:
        """Send a shell request; return its reply content and the outputs (nbformat dicts) it
        produced, once the kernel is idle again."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.client,
            "username": "test",
            "version": "5.3",
            "date": "",
        }
        msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
        self.ws.send(json.dumps(msg))
        outputs, reply, idle = [], None, False
        while reply is None or not idle:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, c = msg["msg_type"], msg["content"]
            if kind == msg_type.replace("_request", "_reply"):
                reply = c
            elif kind == "status":
                idle = c["execution_state"] == "idle"
            elif kind in ("display_data", "execute_result"):
                out = {"output_type": kind, "data": c["data"], "metadata": c.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = c["execution_count"]
                outputs.append(out)
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
            elif kind == "error":
                outputs.append({"output_type": "error", **c})
        return reply, outputs

    def execute(self, code: str) -> tuple[list[dict], str]:
        """Run ``code``; return its outputs and the reply status."""
        content = {"code": code, "silent": False, "store_history": True, "allow_stdin": False}
        reply, outputs = self.request("execute_request", {**content, "user_expressions": {}})
        return outputs, reply["status"]

    def close(self, server: Server) -> None:
        self.ws.close()
        server.api("DELETE", f"sessions/{self.session['id']}")


def test_kernels_are_shut_down_without_an_interrupt_but_can_still_be_interrupted():
    from dprk_russia.build.lab import KernelManager
    from dprk_russia.build.run import quiet_kernel_manager

    for cls in (KernelManager, quiet_kernel_manager()):
        km = cls(kernel_name="python3")
        sent = []

        async def signal_kernel(signum: int, sent: list = sent) -> None:
            sent.append(signum)

        km._async_signal_kernel = signal_kernel
        km.provisioner = types.SimpleNamespace(has_process=True)  # as if a kernel were running
        asyncio.run(km._async_interrupt_kernel())
        assert sent == [signal.SIGINT], "a user's interrupt still reaches the kernel"
        km.shutting_down = True
        asyncio.run(km._async_interrupt_kernel())
        assert sent == [signal.SIGINT], "no interrupt while shutting down"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def test_lab_opens_runs_and_saves_a_py_notebook(clone: Path, tmp_path: Path):
    before = (clone / NOTEBOOK).read_bytes()
    server = Server(clone, tmp_path)
    try:
        model = server.api("GET", f"contents/{NOTEBOOK}?type=notebook&content=1")
        assert model["type"] == "notebook"
        nb = model["content"]
        # the kernel is named, so Lab starts it without a "Select Kernel" dialog
        assert nb["metadata"]["kernelspec"]["name"] == "python3"

        kernel = Kernel(server, NOTEBOOK)
        try:
            # Lab writes the kernel's language_info into the notebook when the kernel starts:
            # the notebook must have it already, or it would show as modified on opening
            assert (
                nb["metadata"]["language_info"]
                == kernel.request("kernel_info_request", {})[0]["language_info"]
            )
            code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
            for n, cell in enumerate(code_cells, 1):
                outputs, status = kernel.execute(cell["source"])
                assert status == "ok", f"code cell {n} failed: {outputs}"
                cell["outputs"], cell["execution_count"] = outputs, n
                cell["metadata"]["trusted"] = True  # Lab trusts the cells run in the session
        finally:
            kernel.close(server)

        charts = [c for c in code_cells if "ctx.figures(" in c["source"]]
        assert len(charts) == 2
        for cell in charts:
            shown = [k for o in cell["outputs"] for k in o.get("data", {}) if k in IMAGES]
            assert len(shown) == 1, (
                f"one inline chart expected from:\n{cell['source']}\ngot {cell['outputs']}"
            )
        # running saves nothing (it writes only data/processed/ and reports/, as `make report` does)
        assert (clone / NOTEBOOK).read_bytes() == before
        assert git(clone, "status", "--porcelain", "--", "notebooks", "src", "data/raw") == ""

        # save the notebook back as Lab does, with its outputs and one added markdown cell
        note = "A note added in Lab."
        nb["cells"].insert(2, {"cell_type": "markdown", "metadata": {}, "source": note})
        server.api("PUT", f"contents/{NOTEBOOK}", {"type": "notebook", "format": "json", "content": nb})
    finally:
        server.stop()

    diff = git(clone, "diff", "--unified=0", "--", NOTEBOOK).splitlines()
    changed = [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert [ln for ln in changed if ln.strip("+")] == ["+# %% [markdown]", f"+# {note}"], changed
    # outputs went to the git-ignored paired .ipynb only
    assert git(clone, "status", "--porcelain", "--", "notebooks", "src", "data/raw") == f" M {NOTEBOOK}\n"
    assert (clone / NOTEBOOK).with_suffix(".ipynb").exists()
    noise = [ln for ln in server.log.read_text().splitlines() if NOISE.search(ln)]
    assert not noise, "make lab logged:\n" + "\n".join(noise)


# ---- one server for the rest: a clone with .ipynb twins and a signed executed notebook

START = "notebooks/0.0-start-here.py"
POOLED = "notebooks/1.1-pooled-estimate.py"
EXECUTED = "build/default/executed/0.0-start-here.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    """``make lab`` in a clone after ``make sync`` (every .py has its .ipynb twin) and after
    ``dprk_russia.build.run`` executed the start notebook into build/, as ``make report`` writes
    executed notebooks; both share a Jupyter data folder (the signature store) in the test's
    temporary folder, as they share the user's."""
    tmp = tmp_path_factory.mktemp("lab")
    root = fresh_clone(tmp)
    data_dir = {"JUPYTER_DATA_DIR": str(tmp / "jupyter-data")}
    env = clean_env() | data_dir
    make = ["make", f"VENV={VENV}", f"TOOLS={PROJECT_ROOT / '.tools'}"]
    subprocess.run([*make, "sync"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run(
        [str(VENV / "bin/python"), "-m", "dprk_russia.build.run", START, "--executed", EXECUTED],
        cwd=root, env=env | {"PYTHONPATH": str(root / "src")}, check=True, capture_output=True,
    )
    server = Server(root, tmp, data_dir)
    try:
        yield types.SimpleNamespace(root=root, server=server)
    finally:
        server.stop()


def run_all(server: Server, path: str, nb: dict) -> list[dict]:
    """Run every code cell of ``nb`` (opened from ``path``) on a kernel, as Run All does; put the
    outputs in the cells and return the code cells."""
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    kernel = Kernel(server, path)
    try:
        for n, cell in enumerate(code_cells, 1):
            outputs, status = kernel.execute(cell["source"])
            assert status == "ok", f"{path}: code cell {n} failed: {outputs}"
            cell["outputs"], cell["execution_count"] = outputs, n
            cell["metadata"]["trusted"] = True  # Lab trusts the cells run in the session
    finally:
        kernel.close(server)
    return code_cells


def html_of(cell: dict) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell["outputs"])


def test_make_lab_opens_the_start_notebook_with_the_key_findings(lab):
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
            return None

    req = urllib.request.Request(f"http://127.0.0.1:{lab.server.port}/", headers={"Authorization": f"token {TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as where:
        urllib.request.build_opener(Stay).open(req)
    assert where.value.code == 302
    assert where.value.headers["Location"].split("?")[0] == f"/lab/tree/{START}"

    nb = lab.server.api("GET", f"contents/{START}?type=notebook&content=1")["content"]
    cells = run_all(lab.server, START, nb)
    table = html_of(cells[-1])
    assert "<table" in table and "North Korean troops sent to Russia" in table
    # the project's number formatting: thousands separators, no None/NaN, integers as integers
    assert re.search(r">\d{1,3}(,\d{3})+<", table)
    assert not re.search(r">(None|nan|NaN|NaT|<NA>)<|\d\.0<", table)
    # the links of the start page point at the notebooks next to it
    text = "".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    linked = set(re.findall(r"\]\(([^)]+\.py)\)", text))
    assert linked == {p.name for p in (lab.root / "notebooks").glob("*.py")} - {Path(START).name}


def test_the_file_browser_lists_each_notebook_once(lab):
    on_disk = sorted(p.name for p in (lab.root / "notebooks").iterdir() if p.suffix in (".py", ".ipynb"))
    assert any(n.endswith(".ipynb") for n in on_disk), "make sync pairs every notebook"
    listed = lab.server.api("GET", "contents/notebooks?content=1")["content"]
    names = sorted(e["name"] for e in listed if e["name"].endswith((".py", ".ipynb")))
    assert names == sorted(p.name for p in (lab.root / "notebooks").glob("*.py"))
    assert all(e["type"] == "notebook" for e in listed if e["name"].endswith(".py"))
    # other .ipynb files are listed as usual
    executed = lab.server.api("GET", "contents/build/default/executed?content=1")["content"]
    assert [e["name"] for e in executed] == [Path(EXECUTED).name]


def test_autosave_is_off_in_the_projects_lab(lab):
    plugin = lab.server.api("GET", "settings/@jupyterlab/docmanager-extension:plugin", prefix="lab/api/")
    assert plugin["schema"]["properties"]["autosave"]["default"] is False
    assert plugin["settings"].get("autosave", False) is False
    assert plugin["schema"]["properties"]["defaultViewers"]["default"]["python"] == "Jupytext Notebook"


def test_an_edited_parameter_runs_changes_no_committed_file_and_reaches_the_py_only_when_saved(lab):
    root, server = lab.root, lab.server
    before = (root / POOLED).read_bytes()
    opened = server.api("GET", f"contents/{POOLED}?type=notebook&content=1&hash=1")
    nb = opened["content"]
    params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    assert "POOL_BAND = 0.8\n" in params["source"]
    params["source"] = params["source"].replace("POOL_BAND = 0.8\n", "POOL_BAND = 0.9\n")

    cells = run_all(server, POOLED, nb)
    charts = [c for c in cells if "show_figure(" in c["source"]]
    assert len(charts) == 1
    assert [k for o in charts[0]["outputs"] for k in o.get("data", {}) if k in IMAGES] == ["image/png"]
    tables = [c for c in cells if "show_table(" in c["source"]]
    assert len(tables) >= 4 and all("<table" in html_of(c) for c in tables)
    # the run wrote to the variant's folder (git-ignored), never to a committed file
    assert (root / "reports/variants/band-0.9/processed/consensus_over_time.csv").exists()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (root / POOLED).read_bytes() == before, "nothing is saved without Save"

    # what Lab checks before saving: the file on disk is the one it opened, so no "File Changed"
    check = server.api("GET", f"contents/{POOLED}?content=0&hash=1")
    assert check["hash"] == opened["hash"]
    server.api("PUT", f"contents/{POOLED}", {"type": "notebook", "format": "json", "content": nb})
    saved = server.api("GET", f"contents/{POOLED}?content=0&hash=1")
    assert server.api("GET", f"contents/{POOLED}?content=0&hash=1")["hash"] == saved["hash"]
    diff = git(root, "diff", "--unified=0", "--", POOLED).splitlines()
    changed = [ln for ln in diff if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert changed == ["-POOL_BAND = 0.8", "+POOL_BAND = 0.9"]
    assert git(root, "status", "--porcelain") == f" M {POOLED}\n"
    # opened again, the saved notebook keeps its outputs (in the git-ignored twin) and its edit
    again = server.api("GET", f"contents/{POOLED}?type=notebook&content=1")["content"]
    shown = [c for c in again["cells"] if c["cell_type"] == "code" and "show_figure(" in c["source"]]
    assert any("image/png" in o.get("data", {}) for o in shown[0]["outputs"])


def test_executed_notebooks_open_trusted(lab):
    nb = lab.server.api("GET", f"contents/{EXECUTED}?type=notebook&content=1")["content"]
    with_outputs = [c for c in nb["cells"] if c["cell_type"] == "code" and c["outputs"]]
    assert with_outputs and all(c["metadata"].get("trusted") for c in with_outputs)


def test_the_lab_log_stays_quiet(lab):
    """Last: nothing above made the server warn (no "not trusted", no stripped metadata, no error)."""
    noise = [ln for ln in lab.server.log.read_text().splitlines() if NOISE.search(ln)]
    assert not noise, "make lab logged:\n" + "\n".join(noise)
