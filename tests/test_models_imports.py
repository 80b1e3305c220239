"""The shape of `models/`: the standard library and attrs only, and no import cycle.

Read from the source with `ast` (every import, those under TYPE_CHECKING and inside
functions included), so a cycle cannot hide behind a late import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "models"


def _module_name(path: Path) -> str:
    parts = path.relative_to(MODELS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> every module it imports (a `from pkg import sub` counts as pkg.sub)."""
    modules = {_module_name(p): p for p in MODELS.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        out: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                out.add(node.module)
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    if sub in modules:
                        out.add(sub)
        graph[name] = out
    return graph


GRAPH = _imports()


def test_models_import_only_the_standard_library_and_attrs() -> None:
    allowed = set(sys.stdlib_module_names) | {"attrs", "models"}
    foreign = {
        (mod, imp)
        for mod, imps in GRAPH.items()
        for imp in imps
        if imp.split(".")[0] not in allowed
    }
    assert foreign == set()


def _cycle() -> list[str] | None:
    """One import cycle among the models modules, or None."""
    internal = {m: {i for i in imps if i in GRAPH and i != m} for m, imps in GRAPH.items()}
    # a package's __init__ importing its own submodules is how packages work, not a cycle
    for m, imps in internal.items():
        internal[m] = {i for i in imps if not i.startswith(m + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(internal[m]):
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state and (found := visit(n)) is not None:
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(internal):
        if m not in state and (found := visit(m)) is not None:
            return found
    return None


def test_no_import_cycle_in_models() -> None:
    assert _cycle() is None


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check itself: a made-up back edge is reported."""
    GRAPH["models.cost"].add("models.engine")
    try:
        assert _cycle() is not None
    finally:
        GRAPH["models.cost"].discard("models.engine")


def test_the_timeline_knows_no_single_algorithm() -> None:
    """It reaches the algorithms through the registry only."""
    assert {i for i in GRAPH["models.timeline"] if i.startswith("models.algorithms")} == {
        "models.algorithms.registry"
    }
