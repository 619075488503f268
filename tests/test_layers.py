"""The package's import graph: no cycle, and no import running up against the layers.

Read from the sources (every import, including those inside functions), like the engine's
purity test. A module may import from its own layer or any layer below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import dojobot

PACKAGE = Path(dojobot.__file__).parent
# Bottom to top; docs/development.md's layout draws the same order.
LAYERS = (
    ("i18n",),  # the current language and its catalogues: imports nothing else of ours
    ("engine",),  # the pure domain (its messages marked with i18n's N_)
    ("storage",),  # SQL, over engine types
    ("display",),  # the engine's figures in the language: numbers, dates, charts, the map
    ("config",),  # settings
    ("ops",),  # the running bot's operation: database opening, health, metrics, KPI reports
    ("transport",),  # Telegram in and out: update order, webhook, start/stop, sending, context
    ("handlers",),  # Telegram glue, one module per feature
    ("jobs",),  # work started by the bot itself, using handlers' texts and buttons
    ("web",),  # the Mini App's pages and API, beside the chat's handlers
    ("app",),  # build_application: wires handlers, jobs and the web app
    ("sandbox", "cli"),  # the commands on top
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
# Imports known to break the rules, each to be removed by the change that fixes it.
# The test fails when one is fixed but still listed, so the list only shrinks.
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# The SQL migrations' packages (dojobot.migrations...) hold no code, and exist under the
# package only in an installed copy (CI's), not in an editable one: not part of the graph.
MODULES = {
    module_name(p): p
    for p in PACKAGE.rglob("*.py")
    if "migrations" not in p.relative_to(PACKAGE).parts
}


def unit(module: str) -> str:
    """'dojobot.handlers.classes.board' -> 'handlers'; 'dojobot.app' -> 'app'."""
    return module.split(".")[1]


def imports(module: str) -> Iterator[str]:
    """Our modules that `module` imports (a package's submodule when named as such)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        yield from (t for t in targets if t in MODULES and t != module)


GRAPH = {module: set(imports(module)) for module in MODULES if module != "dojobot"}


def test_the_graph_is_read() -> None:
    assert "dojobot.storage.db" in GRAPH["dojobot.storage.practice"]
    assert "dojobot.handlers.classes.board" in GRAPH["dojobot.handlers.classes.group"]
    assert {unit(m) for m in GRAPH} <= set(RANK), "every top-level module has a layer"


def test_no_import_runs_up_the_layers() -> None:
    upward = {
        (importer, imported)
        for importer, targets in GRAPH.items()
        for imported in targets
        if RANK[unit(imported)] > RANK[unit(importer)]
    }
    assert upward - KNOWN == set()
    assert KNOWN - upward == set(), "fixed: remove these from KNOWN"


def test_the_engine_imports_nothing_of_ours_outside_it() -> None:
    """Apart from dojobot.i18n, whose N_ marks a learner-facing reason for translation."""
    outside = {
        (importer, imported)
        for importer, targets in GRAPH.items()
        if unit(importer) == "engine"
        for imported in targets
        if unit(imported) != "engine" and imported != "dojobot.i18n"
    }
    assert outside == set()


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    without_known = {m: {t for t in ts if (m, t) not in KNOWN} for m, ts in GRAPH.items()}
    assert cycles(without_known) == []


def test_tests_share_helpers_only_through_support() -> None:
    """Shared test code lives in tests/support/; conftest.py only declares fixtures."""
    root = Path(__file__).parent
    wrong = []
    for path in [*root.rglob("*.py"), *(root.parent / "benchmarks").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            wrong += [(path.name, m) for m in modules
                      if m.startswith("tests.") and m.split(".")[1] != "support"]
    assert wrong == []
