"""The package's layers: imports only run downward (data -> analysis -> report; build and
publish above all three). A lower layer that imports a higher one fails here with the line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .layers import PACKAGE, layer, package_imports

#: What each layer may import besides itself and the package root.
ALLOWED = {
    "root": set(),
    "data": set(),
    "analysis": {"data"},
    "report": {"analysis", "data"},
    "build": {"data", "analysis", "report"},
    "publish": {"data", "analysis", "report"},
}
MODULES = sorted(PACKAGE.rglob("*.py"))


def upward_imports(path: Path) -> list[str]:
    """Imports in ``path`` that reach a layer it may not use, as 'module -> layer' strings."""
    own = layer(path)
    bad = []
    for target in sorted(package_imports(path)):
        other = layer(target)
        if other not in ALLOWED[own] | {own, "root"}:
            bad.append(f"{path.relative_to(PACKAGE)} ({own}) imports {target.relative_to(PACKAGE)} ({other})")
    return bad


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_run_downward(path: Path):
    assert upward_imports(path) == []


def test_every_module_sits_in_a_layer():
    assert {layer(p) for p in MODULES} <= set(ALLOWED)
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py"]


def test_the_check_catches_an_upward_import():
    """A data module that imports the report (even inside a function, even relatively) is named."""
    fake = PACKAGE / "data" / "_probe_upward.py"
    source = "def f():\n    from ..report import charts\n    return charts\n"
    assert ast.parse(source)
    fake.write_text(source, encoding="utf-8")
    try:
        assert upward_imports(fake) == ["data/_probe_upward.py (data) imports report/charts.py (report)"]
    finally:
        fake.unlink()


def test_parameter_checks_need_only_the_standard_library():
    """The Makefile runs build.params with the system python3 before .venv exists: its imports
    (transitively) must not need pandas or any other third-party package at import time."""
    import sys

    todo, seen = {PACKAGE / "build" / "params.py"}, set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo |= package_imports(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # top-level imports only: lazy imports inside functions are fine
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in ("dprk_russia", "__future__"), (path, name)
