"""The import contract: each layer imports only the layers below it, and nothing imports in a circle.

    tui (the command line and the app)          top
    store.catalog, store.ingest                 the store's interface: open, browse, add pages
    store.search                                query, word index, ranking, the kept index
    store.disk                                  main file, part files, atomic writes, lock, migration
    store.merging, store.export                 joining papers and deriving authors; BibTeX
    store.pages                                 reading a file, detecting its site, one parser a site
    basics: store.text, model, records, paths, collector, interrupts

Every import counts, at the top of a module or inside a function, typing ones too.
The command line imports the app only to run it (inside its app command), and the
store and the command line's module never import textual (test_cli.py checks the
commands at run time).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    ("store", "store.text", "store.model", "store.records", "store.paths", "store.collector", "store.interrupts"),
    ("store.pages",),
    ("store.merging", "store.export"),
    ("store.disk",),
    ("store.search",),
    ("store.catalog", "store.ingest"),
    ("tui",),
]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for package in ("store", "tui") for p in (ROOT / package).rglob("*.py")}


def _layer(module: str) -> int:
    """The layer of a module: that of the longest prefix listed."""
    best, found = -1, -1
    for level, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), level
    assert found >= 0, f"{module} is in no layer: add it to LAYERS"
    return found


def _imports(module: str) -> set[str]:
    """The litbrowse modules a module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("store", "tui") and name != module}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_layer_and_those_below(module):
    upward = {name for name in _imports(module) if _layer(name) > _layer(module)}
    assert upward == set()


def test_no_layer_below_the_interface_imports_another_of_its_own_level():
    # store.merging and store.export sit side by side: neither knows the other.
    for module in MODULES:
        for name in _imports(module):
            pair = {module.split(".")[1] if "." in module else "", name.split(".")[1] if "." in name else ""}
            assert pair != {"merging", "export"}, (module, name)


def test_nothing_imports_in_a_circle():
    graph = {module: _imports(module) & set(MODULES) for module in MODULES}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for name in sorted(graph[module]):
            assert state.get(name) != 1, " -> ".join([*path, module, name])
            if name not in state:
                visit(name, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("store") or m in (
    "tui.cli", "tui.tables", "tui.entry", "tui.__main__")))
def test_the_store_and_the_command_line_never_import_textual_at_load(module):
    tree = ast.parse(MODULES[module].read_text())
    for node in tree.body:  # a module's own imports, not those of a function that runs the app
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        assert not any(name.split(".")[0] in ("textual", "rich") or name.startswith("tui.app") for name in names)
        if module.startswith("store"):
            assert not any(name.split(".")[0] == "tui" for name in names)
