"""A papermill engine that runs a notebook's cells in this process, as a kernel would.

:mod:`dprk_russia.build.warm` forks a process that has imported everything the notebooks
use for each notebook of a build; that process runs the notebook here instead of starting a
kernel. The cells run in an IPython shell, so the executed notebook is what a kernel gives:
the same execution counts, ``display()`` outputs (tables, charts), the value of a cell's last
expression (``execute_result``), printed text (``stream``, consecutive writes merged as
nbclient merges them), an ``error`` output with the traceback where a cell fails (papermill
then names the cell), the kernel's ``language_info`` and the cells' execution times. An
interrupt (Ctrl-C or a kill the step forwards) stops the run as it stops a kernel's.
"""

from __future__ import annotations

import base64
import sys
from datetime import UTC, datetime
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from nbformat.v4 import output_from_msg
from papermill.engines import Engine, papermill_engines
from traitlets import Type

ENGINE = "dprk-in-process"


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """A display bundle as a kernel sends it: binary data (images) base64-encoded."""
    return {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}


class _Outputs:
    """The outputs of the running cell."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def add(self, msg_type: str, content: dict[str, Any]) -> None:
        self.items.append(output_from_msg({"header": {"msg_type": msg_type}, "content": content}))

    def stream(self, name: str, text: str) -> None:
        last = self.items[-1] if self.items else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.add("stream", {"name": name, "text": text})


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` of a running cell: text becomes a stream output."""

    def __init__(self, outputs: _Outputs, name: str) -> None:
        self.outputs, self.name = outputs, name
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        if text:
            self.outputs.stream(self.name, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _Publisher(DisplayPublisher):
    """``display()``: a display_data output."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:  # noqa: ANN001
        self.shell.outputs.add("display_data", {"data": _jsonable(data), "metadata": metadata or {}})


class _Hook(DisplayHook):
    """The value of a cell's last expression: an execute_result output."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:  # noqa: ANN001
        self.shell.outputs.add(
            "execute_result",
            {"execution_count": self.prompt_count, "data": _jsonable(format_dict), "metadata": md_dict or {}},
        )

    def finish_displayhook(self) -> None:
        pass


class Shell(InteractiveShell):
    """An IPython shell whose outputs go to the running cell's outputs, as a kernel's do."""

    outputs = _Outputs()
    displayhook_class = Type(_Hook)
    display_pub_class = Type(_Publisher)

    def enable_gui(self, gui=None) -> None:  # noqa: ANN001
        pass  # the inline backend needs no event loop

    def _showtraceback(self, etype, evalue, stb) -> None:  # noqa: ANN001
        self.outputs.add("error", {"ename": etype.__name__, "evalue": str(evalue), "traceback": stb})

    def run(self, source: str) -> tuple[list[Any], int]:
        """Run one cell; return its outputs and its execution count."""
        self.outputs.items = []
        count = self.execution_count
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(self.outputs, "stdout"), _Stream(self.outputs, "stderr")
        try:
            self.run_cell(source, store_history=True)
        finally:
            sys.stdout, sys.stderr = out, err
        return self.outputs.items, count


def shell() -> Shell:
    """The process's shell (made on first use, with no history file and matplotlib's inline
    backend, as a kernel starts)."""
    if not Shell.initialized():
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.hist_file = ":memory:"  # as the build's kernels were started
        Shell.instance(config=config).enable_matplotlib("inline")
    return Shell.instance()


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class InProcessEngine(Engine):
    """Papermill's engine API: run the cells in :func:`shell`, stopping at the first error."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:  # noqa: ANN001
        from ipykernel.ipkernel import IPythonKernel

        sh = shell()
        # papermill writes the whole notebook (charts included) before and after every cell, so
        # that a kernel's progress shows in the file; a run here needs only the write papermill
        # makes after it (of every cell, or up to the failing one): about 1 s of a build's CPU
        nb_man.output_path = None
        for index, cell in enumerate(nb_man.nb.cells):
            nb_man.cell_start(cell, index)
            try:
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                started = _now()
                cell.outputs, cell.execution_count = sh.run(cell.source)
                cell.metadata["execution"] = {
                    "iopub.execute_input": started,
                    "iopub.status.busy": started,
                    "iopub.status.idle": _now(),
                    "shell.execute_reply": _now(),
                }
                errors = [o for o in cell.outputs if o.output_type == "error"]
                if errors and errors[-1].ename == "KeyboardInterrupt":
                    # Ctrl-C or a kill forwarded by the step (which IPython shows as an error):
                    # the run stops as a kernel's step does, not as a failed cell
                    raise KeyboardInterrupt
                if errors:
                    nb_man.cell_exception(cell, cell_index=index)
                    break
            finally:
                nb_man.cell_complete(cell, cell_index=index)
        nb_man.nb.metadata["language_info"] = IPythonKernel.language_info


papermill_engines.register(ENGINE, InProcessEngine)
