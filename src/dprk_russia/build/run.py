"""Run one percent-format notebook through papermill, for the Makefile.

``python -m dprk_russia.build.run NOTEBOOK.py --executed OUT.ipynb --stamp STAMP -p NAME VALUE ...``

* converts the ``.py`` to a notebook in memory (jupytext), passes only the parameters that
  the notebook's ``parameters`` cell declares, and runs it with an explicit kernel name and
  start/cell timeouts, from the project root;
* prints one line when it starts and one when it ends, with the time taken;
* on failure names the notebook and the failing cell, keeps the executed notebook for
  inspection, exits 1 and does not write the stamp (so make retries next time);
* a file that cannot be written (a full disk while papermill saves the executed notebook, say)
  gives one line naming the step and the file, no traceback, and leaves no temporary file;
* the stamp is written atomically only after success: the notebook's path, then every file the
  run wrote (recorded by :func:`dprk_russia.data.io.atomic_path`), one per line, so that the
  Makefile runs the step again when one of them is deleted;
* in a locked build the Makefile starts a step as ``warm.py --step`` (:mod:`dprk_russia.build.warm`),
  which hands it to the build's warm process; that runs the cells here (``in_process``) in a
  forked copy of itself, without a kernel start and its imports. Only where there is no warm
  process does the step become this module, and run the notebook on a kernel;
* the kernel (outside a locked build) is shut down without the interrupt (SIGINT) that
  jupyter_client sends first, which made an idle kernel log "KeyboardInterrupt caught in kernel"
  on successful runs;
* the executed notebook (or the failed one) is signed as trusted in the user's Jupyter signature
  store (:func:`sign`), so that JupyterLab opens it without the "not trusted" warning.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.io import OUTPUT_LOG_ENV, TMP_PREFIX, write_text

KERNEL = "python3"
START_TIMEOUT = 60
CELL_TIMEOUT = 600
PARAM_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=", re.MULTILINE)


def declared_parameters(nb) -> list[str]:
    """Names assigned in the notebook's single ``parameters`` cell."""
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"expected exactly one cell tagged 'parameters', found {len(cells)}")
    return PARAM_RE.findall(cells[0].source)


def coerce(value: str) -> object:
    """'12' -> 12, '1.5' -> 1.5, anything else stays text."""
    if re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if re.fullmatch(r"-?[0-9]*\.[0-9]+", value):
        return float(value)
    return value


def say(message: str, error: bool = False) -> None:
    """Write one whole line at once, so lines of parallel jobs never interleave."""
    stream = sys.stderr if error else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class QuietShutdown:
    """Mixin for a jupyter_client kernel manager: no interrupt (SIGINT) before a shutdown request.

    jupyter_client interrupts a kernel before asking it to shut down; an idle kernel that gets
    the signal while handling a message logs "KeyboardInterrupt caught in kernel" although
    nothing went wrong. The shutdown request alone stops the kernel (or it is killed after
    the usual wait). A user's own interrupt is not affected.
    """

    shutting_down: bool

    async def _async_interrupt_kernel(self) -> None:
        if not self.shutting_down:
            await super()._async_interrupt_kernel()  # type: ignore[misc]


def quiet_kernel_manager() -> type:
    """The kernel manager class for papermill: ``AsyncKernelManager`` with ``QuietShutdown``."""
    from jupyter_client.manager import AsyncKernelManager

    return type("QuietShutdownKernelManager", (QuietShutdown, AsyncKernelManager), {})


@contextlib.contextmanager
def recording_outputs(log: Path) -> Iterator[list[str]]:
    """Record the files written inside the block (by this process and the kernels it starts, through
    ``atomic_path``) in ``log``; on leaving, fill the yielded list with their paths, relative to
    the working directory where they lie below it, sorted, and remove ``log``."""
    written: list[str] = []
    log.unlink(missing_ok=True)
    before = os.environ.get(OUTPUT_LOG_ENV)
    os.environ[OUTPUT_LOG_ENV] = str(log)
    try:
        yield written
    finally:
        if before is None:
            os.environ.pop(OUTPUT_LOG_ENV, None)
        else:
            os.environ[OUTPUT_LOG_ENV] = before
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        here = Path.cwd().resolve()
        paths = {Path(p) for p in lines if p}
        written += sorted({(p.relative_to(here) if p.is_relative_to(here) else p).as_posix() for p in paths})


def sign(path: str | Path) -> bool:
    """Mark the notebook at ``path`` as trusted on this machine, as JupyterLab does for a notebook
    it ran and saved, so that Lab opens it with its outputs and without "not trusted" warnings.

    The build ran this notebook from the project's own code, so its outputs are as trustworthy as
    the outputs of a notebook run in Lab. The signature (an HMAC of the content with the user's
    ``notebook_secret``) goes to the signature store in the Jupyter data folder
    (``jupyter --data-dir``, or ``$JUPYTER_DATA_DIR``); the file itself is not changed, and any
    later change to it voids the signature. Returns False, without raising, when the store cannot
    be written: signing is a convenience, never a reason to fail a build.
    """
    import os
    import sqlite3

    import nbformat
    from jupyter_core.paths import jupyter_data_dir
    from nbformat.sign import NotebookNotary

    try:
        data_dir = Path(jupyter_data_dir())
        data_dir.mkdir(parents=True, exist_ok=True)  # as Jupyter itself does on first use
        if not os.access(data_dir, os.W_OK):
            return False
        nb = nbformat.read(path, as_version=4)
        notary = NotebookNotary(data_dir=str(data_dir))
        try:
            notary.sign(nb)
        finally:
            close = getattr(notary.store, "close", None)
            if close is not None:
                close()
    except (OSError, sqlite3.Error, ValueError):
        return False
    return True


def main(argv: list[str] | None = None, in_process: bool = False) -> int:
    """Execute a notebook; return the exit status.

    In a locked build the warm server runs it (:mod:`dprk_russia.build.warm`), in a forked copy
    of itself that calls this with ``in_process``: the cells then run in that process
    (:mod:`dprk_russia.build.inprocess`) instead of a kernel started for them.
    """
    from dprk_russia.build import warm  # standard library only

    ap = argparse.ArgumentParser(description="Run a notebook with papermill.")
    ap.add_argument("notebook")
    ap.add_argument("--executed", required=True, help="where to keep the executed notebook")
    ap.add_argument("--stamp", help="file written after success")
    ap.add_argument("--label", help="name shown in progress lines")
    ap.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = ap.parse_args(argv)
    # a plain `kill` stops the run like Ctrl-C, so temporary files are cleaned up
    signal.signal(signal.SIGTERM, _interrupt)

    warm.skip_unused()  # an IRI grammar and Jupyter server modules that a run never uses
    import jupytext
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    nb_path = Path(args.notebook)
    name = args.label or nb_path.stem
    t0 = time.perf_counter()
    say(f"[start] {name}")
    nb = jupytext.read(nb_path)
    try:
        wanted = set(declared_parameters(nb))
    except ValueError as err:
        say(f"[fail]  {name}: {nb_path}: {err}", error=True)
        return 1
    params = {k: coerce(v) for k, v in args.p if k in wanted}
    executed = Path(args.executed)
    executed.parent.mkdir(parents=True, exist_ok=True)
    running = executed.with_name(f"{TMP_PREFIX}{executed.name}")
    failed = executed.with_suffix(".failed.ipynb")
    try:
        with recording_outputs(executed.with_name(f"{TMP_PREFIX}{executed.stem}.written")) as written:
            if in_process:
                from dprk_russia.build import inprocess

                engine = {"engine_name": inprocess.ENGINE}
            else:
                engine = {
                    "start_timeout": START_TIMEOUT,
                    "execution_timeout": CELL_TIMEOUT,
                    # the kernel listens on localhost only; keep its start-up warnings out of the log
                    "extra_arguments": ["--IPKernelApp.log_level=ERROR"],
                    "kernel_manager_class": quiet_kernel_manager(),
                }
            pm.execute_notebook(
                nb,
                str(running),
                parameters=params,
                kernel_name=KERNEL,
                language="python",
                cwd=str(PROJECT_ROOT),
                progress_bar=False,
                log_output=False,
                **engine,
            )
    except PapermillExecutionError as err:
        running.replace(failed)
        sign(failed)
        cell = f"cell {err.cell_index + 1} (execution count {err.exec_count})"
        say(
            f"[fail]  {name}: {nb_path} failed in {cell}: {err.ename}: {err.evalue}\n"
            f"        executed notebook kept at {failed}",
            error=True,
        )
        return 1
    except KeyboardInterrupt:
        running.unlink(missing_ok=True)
        say(f"[stop]  {name}: interrupted", error=True)
        return 130
    except OSError as err:
        # papermill saves the executed notebook as it runs: most likely the disk is full
        running.unlink(missing_ok=True)
        return _cannot_write(name, err, running, executed)
    try:
        running.replace(executed)
        sign(executed)
        failed.unlink(missing_ok=True)
        if args.stamp:
            write_text(args.stamp, "".join(f"{line}\n" for line in [str(nb_path), *written]))
    except OSError as err:
        running.unlink(missing_ok=True)
        return _cannot_write(name, err, running, executed)
    say(f"[done]  {name} in {time.perf_counter() - t0:.1f}s")
    return 0


def _cannot_write(name: str, err: OSError, running: Path, executed: Path) -> int:
    """One line for a file that could not be written (the executed notebook named by its final
    path); exit status 1."""
    path = err.filename if err.filename not in (None, str(running)) else executed
    say(f"[fail]  {name}: cannot write {path}: {err.strerror or err}", error=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
