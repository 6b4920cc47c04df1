"""The package's layout: no import cycle, and the map in the README and the package docstring is the code."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"


def _modules() -> dict:
    """Dotted name inside the package ("" for the package, "fast.adain" ...) -> (path, is a package)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


def import_graph() -> dict:
    """module -> the package's modules it imports, at the top or inside a function, read from the source."""
    modules = _modules()
    full = {("course_utils." + name).rstrip("."): name for name in modules}
    graph = {}
    for name, (path, is_package) in modules.items():
        here = ["course_utils"] + ([p for p in name.split(".") if p])
        package = here if is_package else here[:-1]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    hit = sub if sub in full else target
                    if hit in full:
                        edges.add(full[hit])
            elif isinstance(node, ast.Import):
                edges.update(full[a.name] for a in node.names if a.name in full)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict) -> list:
    """Every strongly connected group of more than one module (Tarjan's algorithm), sorted."""
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert {"config", "models", "fast.fit", "checkpoints", "cnn.ops"} <= set(graph)
    assert "models" not in graph["config"]  # the cycle this layout removed
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    graph["config"] = graph["config"] | {"models"}  # what config.environment once did
    assert any({"config", "models"} <= set(group) for group in cycles(graph))


def test_every_module_imports_alone_in_a_fresh_interpreter():
    names = ["course_utils" + ("." + name if name else "") for name in _modules()]
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    for loaded in [m for m in sys.modules if m == 'course_utils' or m.startswith('course_utils.')]:\n"
            "        del sys.modules[loaded]\n"
            "    importlib.import_module(name)\n"
            f"print('imported', {len(names)})\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"imported {len(names)}" in done.stdout


def _named_in_docstring() -> list:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    return re.findall(r"^- ``([\w.]+)``", ast.get_docstring(tree), flags=re.M)


def _named_in_readme() -> list:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How the code is laid out", 1)[1].split("Which library does what", 1)[0]
    return re.findall(r"^\| `([\w.]+)` \|", section, flags=re.M)


@pytest.mark.parametrize("where", ["README.md", "course_utils/__init__.py"])
def test_the_map_names_every_module_and_nothing_else(where):
    named = _named_in_readme() if where == "README.md" else _named_in_docstring()
    modules = sorted(name for name in _modules() if name)
    assert len(named) == len(set(named)), f"{where} names a module twice"
    assert sorted(set(modules) - set(named)) == [], f"{where} leaves out these modules"
    assert sorted(set(named) - set(modules)) == [], f"{where} names modules that do not exist"


def test_the_maps_are_checked_against_the_code():
    """The parsers above read real entries: a module that is not in the map would be noticed."""
    assert "fast.adain" in _named_in_readme() and "fast.adain" in _named_in_docstring()
    assert "fit" not in _named_in_readme() and "cnn.ops" in _named_in_docstring()
