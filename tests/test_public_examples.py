"""Every public class has a runnable example.

A class is public when its name and every part of its module's path (``__init__`` aside) do
not start with ``_``. Its docstring must hold a ``>>>`` example, which the doctest run over
``src`` (``--doctest-modules``) then executes.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "driftscope"


def _public_modules() -> list[Path]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if not any(part.startswith("_") and part != "__init__" for part in parts):
            modules.append(path)
    return modules


def _module_classes(body: list[ast.stmt]) -> list[ast.ClassDef]:
    """Classes defined at module level, also under a module-level ``if`` or ``try``."""
    found = []
    for node in body:
        if isinstance(node, ast.ClassDef):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try):
            nested = [*node.body, *node.orelse]
            if isinstance(node, ast.Try):
                nested += [s for h in node.handlers for s in h.body] + node.finalbody
            found += _module_classes(nested)
    return found


def _without_example(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}"
        for node in _module_classes(tree.body)
        if not node.name.startswith("_") and ">>>" not in (ast.get_docstring(node) or "")
    ]


def test_the_scan_finds_the_public_classes() -> None:
    modules = {p.relative_to(PACKAGE).as_posix() for p in _public_modules()}
    assert "drift/results.py" in modules and "monitor/_writer.py" not in modules
    classes = {n.name for n in _module_classes(ast.parse((PACKAGE / "errors.py").read_text()).body)}
    assert {"DriftscopeError", "DataError", "StoreUnavailableError"} <= classes


def test_every_public_class_has_an_example() -> None:
    missing = [m for p in _public_modules() for m in _without_example(p)]
    assert not missing, "public classes without a >>> example:\n" + "\n".join(missing)
