"""The package's import graph, read from the source with ``ast`` (no import is executed)."""

from __future__ import annotations

import ast
from pathlib import Path

from dprk_russia import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "dprk_russia"


def module_file(name: str) -> Path | None:
    """The file of the dotted module ``dprk_russia...`` (module or package), or None."""
    parts = name.split(".")
    if parts[0] != "dprk_russia":
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module name an ``ImportFrom`` in ``path`` refers to."""
    if not node.level:
        return node.module or ""
    here = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = here[:-1]  # a module's package; for __init__.py the package itself
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def package_imports(path: Path) -> set[Path]:
    """Files of ``dprk_russia`` modules that ``path`` imports (``from X import name`` counts the
    submodule ``X.name`` where that is a module, else ``X``), top level and inside functions."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = _resolve(path, node)
            for alias in node.names:
                target = module_file(f"{base}.{alias.name}") or module_file(base)
                if target:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(f for a in node.names if (f := module_file(a.name)))
    return found


def layer(path: Path) -> str:
    """The layer of a module file: 'root', 'data', 'analysis', 'report', 'build' or 'publish'."""
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else "root"
