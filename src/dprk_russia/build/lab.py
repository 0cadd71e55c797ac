"""The contents and kernel managers that `make lab` gives JupyterLab.

Jupytext's contents manager opens the ``.py`` notebooks as notebooks. A ``.py`` notebook keeps
only its kernelspec in its header (``jupytext.toml``), so it reached Lab without the
``language_info`` that the kernel reports when it starts; Lab then wrote that into the notebook
and showed every notebook as modified right after opening. This manager fills it in on reading,
exactly as the project's Python kernel reports it. It is never written to the ``.py`` file (the
metadata filter drops it), only to the git-ignored paired ``.ipynb``.

Folder listings show each notebook once: a ``.ipynb`` that Jupytext pairs with a ``.py``
notebook next to it (``jupytext.toml``) is left out of the listing, so the file browser shows the
reviewed ``.py`` only. Opening a notebook in two documents (the ``.py`` and its twin) was what
led Lab to say "File Changed": saving one rewrites the other on disk. The twin is still read and
written with the ``.py`` (it keeps the outputs), and can be opened by its path; other ``.ipynb``
files, such as the executed notebooks under ``build/``, are listed as usual.

The kernel manager shuts kernels down without a stray interrupt (see ``run.QuietShutdown``).

``python -m dprk_russia.build.lab ARGS`` (what `make lab` runs) is ``jupyter lab ARGS`` without
the IRI grammar that jsonschema (through jupyter_events) builds at import when ``rfc3987_syntax``
is installed: it took 1.4 s of Lab's 2.5 s of imports, and no event or notebook here has an IRI
to check (``build.run`` and the warm process set it aside in the same way).
"""

from __future__ import annotations

import copy
import sys
from typing import Any

if __name__ == "__main__":  # before jupyter_server below imports jsonschema
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class

from dprk_russia.build.run import QuietShutdown

KERNEL = "python3"
#: Notebooks for Lab only: they read the outputs and write nothing, and `make report` never runs
#: them (the start page that `make lab` opens, and the explorer).
LAB_ONLY = ("0.0-start-here.py", "6.0-explorer.py")


def kernel_language_info() -> dict[str, Any]:
    """The ``language_info`` that an IPython kernel of this environment reports."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


class ContentsManager(build_async_jupytext_contents_manager_class(AsyncLargeFileManager)):
    """Jupytext's contents manager; Python notebooks come with their kernel's ``language_info``."""

    async def get(self, path: str, content: bool = True, type: str | None = None, **kwargs: Any) -> dict:
        """The model of ``path``, as Jupytext's manager reads it, with ``language_info`` filled in
        and, for a folder, without the ``.ipynb`` twins of its ``.py`` notebooks."""
        model = await super().get(path, content=content, type=type, **kwargs)
        if model.get("type") == "notebook" and model.get("content"):
            meta = model["content"]["metadata"]
            if meta.get("kernelspec", {}).get("name") == KERNEL and "language_info" not in meta:
                meta["language_info"] = kernel_language_info()
        elif model.get("type") == "directory" and model.get("content"):
            model["content"] = without_twins(model["content"])
        return model


def without_twins(entries: list[dict]) -> list[dict]:
    """A folder listing without each ``X.ipynb`` whose ``X.py`` is listed as a notebook (its
    Jupytext pair, see ``jupytext.toml``)."""
    stems = {e["name"][:-3] for e in entries if e["type"] == "notebook" and e["name"].endswith(".py")}
    twins = {f"{stem}.ipynb" for stem in stems}
    return [e for e in entries if e["name"] not in twins]


class KernelManager(QuietShutdown, ServerKernelManager):
    """Jupyter server's kernel manager, shutting kernels down without interrupting them first."""


def main(argv: list[str] | None = None) -> None:
    """Start JupyterLab with ``argv`` as the ``jupyter lab`` command does."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from jupyterlab.labapp import main as lab

    lab(argv)


if __name__ == "__main__":
    main()
