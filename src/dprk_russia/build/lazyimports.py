"""A dependency's slow import, deferred until it is used.

``jsonschema`` (imported by ``nbformat``, so by papermill and jupytext) imports the optional
``rfc3987_syntax`` for its "iri" format check, and that module builds a Lark parser as it is
imported: about 1.3 s, paid by every build's warm process before the first notebook can start,
although nothing here checks an IRI. :func:`defer_rfc3987_syntax` puts a stand-in under that
name whose ``is_valid_syntax`` imports the real module the first time it is called, so the check
works as before and costs nothing until then.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

NAME = "rfc3987_syntax"
_LOCK = threading.Lock()


def _real() -> types.ModuleType:
    """The real module (imported once, in place of the stand-in)."""
    with _LOCK:
        module = sys.modules.get(NAME)
        if module is None or getattr(module, "_deferred", False):
            sys.modules.pop(NAME, None)
            module = importlib.import_module(NAME)
        return module


def defer_rfc3987_syntax() -> None:
    """Put the stand-in in place, unless the module is missing or already imported."""
    if NAME in sys.modules or importlib.util.find_spec(NAME) is None:
        return
    stand_in = types.ModuleType(NAME, "Stand-in: imports rfc3987_syntax when first used.")
    stand_in._deferred = True  # type: ignore[attr-defined]

    def is_valid_syntax(term: str, value: str) -> bool:
        return _real().is_valid_syntax(term, value)

    def __getattr__(attr: str) -> object:  # anything else the module has, from the real one
        if attr.startswith("__"):  # what the import system probes for (__path__, __file__, ...)
            raise AttributeError(attr)
        return getattr(_real(), attr)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules[NAME] = stand_in
