"""JupyterLab as the analyst's workbench, end to end with a real Jupyter server.

Starts `make lab` in a throw-away clone (loopback, a token, a free port), opens
``notebooks/2.0-shipments.py`` through the contents API as a notebook, runs every code cell on
a kernel through the server's websocket, then saves the notebook back with one added markdown
cell. About half a minute; no browser needed.
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
import urllib.request
import uuid
from pathlib import Path

import websocket

from dprk_russia import PROJECT_ROOT

VENV = PROJECT_ROOT / ".venv"
NOTEBOOK = "notebooks/2.0-shipments.py"
TOKEN = uuid.uuid4().hex
IMAGES = ("image/png", "image/svg+xml")
# log lines that are not real problems and must not reach a newcomer's terminal
NOISE = re.compile(
    r"^\[[WE] |ERROR|WARNING|KeyboardInterrupt|without encryption|Stripping metadata|not trusted"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `make lab` server in ``root``, spoken to over HTTP and websockets with its token."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.port = free_port()
        self.log = tmp / "lab.log"
        env = {
            k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHONPATH")
        }
        # the token as a user would set it; config and runtime files kept out of the user's home
        env |= {
            "JUPYTER_TOKEN": TOKEN,
            "JUPYTER_CONFIG_DIR": str(tmp / "config"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
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

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/{path}",
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
        assert len(charts) >= 5
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
