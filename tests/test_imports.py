"""The package's import graph, read from the source (ast): imports run one way.

Module-level imports (run when a module is imported, class bodies included) and function-level
imports (run when the function is called) are collected separately. A cycle among module-level
imports makes what a module sees depend on which module was imported first: there must be none.
Function-level imports may point back up the pipeline; they are listed, not refused, except that
the notation layer never imports the checker (verify/) at all.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symderiv"
ROOT = PACKAGE.name


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _target(importer: str, node: ast.AST, alias: ast.alias) -> str | None:
    """The package module an import statement loads (None: outside the package)."""
    if isinstance(node, ast.Import):
        name = alias.name
    else:
        package = importer if MODULES[importer].name == "__init__.py" else importer.rsplit(".", 1)[0]
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        base = f"{base}.{node.module}" if node.level and node.module else (node.module if not node.level else base)
        name = f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
    if name.split(".")[0] != ROOT:
        return None
    while name not in MODULES:          # import a.b.c of a name c defined in a.b
        name = name.rsplit(".", 1)[0]
    return name


def import_edges() -> tuple[dict, dict]:
    """(module-level, function-level): importer -> {imported module: first line}."""
    top: dict = {m: {} for m in MODULES}
    inner: dict = {m: {} for m in MODULES}

    def visit(importer: str, node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    target = _target(importer, child, alias)
                    if target and target != importer:
                        (inner if in_function else top)[importer].setdefault(target, child.lineno)
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(importer, child, nested)

    for name, path in MODULES.items():
        visit(name, ast.parse(path.read_text(encoding="utf-8")), False)
    return top, inner


def cycles(graph: dict) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), as sorted lists."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def strongconnect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return out


TOP, INNER = import_edges()


def test_the_graph_is_read():
    # a known edge of each kind, so an empty graph cannot pass the cycle test
    assert "symderiv.notation.constructs" in TOP["symderiv.notation.registry"]
    assert "symderiv.notation.registry" in TOP["symderiv.notation.grammar"]
    assert sum(map(len, TOP.values())) > 50 and sum(map(len, INNER.values())) > 10


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_no_module_level_import_cycle():
    found = cycles(TOP)
    detail = ["  " + " -> ".join(f"{m} (line {TOP[m][n]})" for m, n in zip(c, c[1:] + c[:1]) if n in TOP[m])
              for c in found]
    assert not found, "module-level import cycles:\n" + "\n".join(detail)


@pytest.mark.parametrize("edges", [TOP, INNER], ids=["module-level", "function-level"])
def test_the_notation_layer_does_not_import_the_checker(edges):
    wrong = {(m, t): line for m, targets in edges.items() if m.startswith(f"{ROOT}.notation")
             for t, line in targets.items() if t.startswith(f"{ROOT}.verify")
             or t.startswith(f"{ROOT}.documents") or t.startswith(f"{ROOT}.report")}
    assert not wrong, wrong

