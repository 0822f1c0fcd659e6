"""The import graph of ``furcate/`` (issue 12): imports run one way, as ../shared/DESIGN.md
draws the layers, and no modules import each other in a circle.

Every ``import`` / ``from ... import`` of a furcate module is an arrow, at module level or
inside a function (a lazy import is still a dependency), except under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "furcate"

# layer of each top-level name -> rank; an arrow may only point to a lower rank or stay in
# its layer. Base modules (errors, dtypes, diagnostics, _version) are below everything.
RANK = {
    "errors": 0, "dtypes": 0, "diagnostics": 0, "_version": 0, "options": 0,
    "ir": 1, "runtime": 1,
    "passes": 2, "backends": 2,
    "devices": 3,
    "compiler": 4,
    "frontend": 5, "tools": 5,
    "__init__": 6, "cli": 7, "__main__": 8,
}
# arrows between layers of the same rank that DESIGN.md rules out
FORBIDDEN = {("ir", "runtime"), ("runtime", "ir"), ("passes", "backends"), ("backends", "passes"),
             ("frontend", "tools"), ("tools", "frontend")}
# a frontend calls the driver (compiler.py), never a backend
FORBIDDEN |= {("frontend", "backends"), ("frontend", "devices")}
# circles still to be broken, each with the reason it is not yet (the whole circle must match)
KNOWN_CIRCLES: dict[frozenset, str] = {}


def modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        rel = p.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts)
        out[name[: -len(".__init__")] if name.endswith(".__init__") else name] = p
    return out


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines |= set(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def arrows() -> dict[str, set[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        tree = ast.parse(path.read_text())
        skip = _type_checking_lines(tree)
        package = m if path.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for t in targets:
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != m and t.startswith("furcate"):
                    graph[m].add(t)
    return graph


def layer(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def circles(graph: dict[str, set[str]]) -> list[frozenset]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on, stack, out = set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.add(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(frozenset(comp))
    return out


def test_every_module_has_a_layer():
    unknown = sorted({layer(m) for m in modules()} - set(RANK))
    assert not unknown, f"add these top-level names of furcate/ to RANK: {unknown}"


def test_imports_run_one_way():
    bad = []
    for m, targets in arrows().items():
        for t in targets:
            a, b = layer(m), layer(t)
            if a != b and (RANK[b] > RANK[a] or (a, b) in FORBIDDEN or (RANK[a] == RANK[b] and a != b)):
                bad.append(f"{m} -> {t}")
    assert not bad, "imports against the layering:\n" + "\n".join(sorted(bad))


def test_no_import_circles():
    found = circles(arrows())
    new = [sorted(c) for c in found if c not in KNOWN_CIRCLES]
    assert not new, f"modules importing each other in a circle: {new}"
    gone = [sorted(c) for c in KNOWN_CIRCLES if c not in found]
    assert not gone, f"a known circle is broken (or changed): take it out of KNOWN_CIRCLES: {gone}"


def test_the_circle_finder_finds_circles():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(g) == [frozenset({"a", "b", "c"})]


def test_version_has_one_source():
    import tomllib

    from furcate._version import __version__

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["version"] == __version__


def test_nothing_in_the_package_imports_the_tests():
    """``tests/`` is not installed: a tool importing it works only from a checkout."""
    bad = []
    for m, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            bad += [f"{m} imports {n}" for n in names if n == "tests" or n.startswith("tests.")]
    assert not bad, bad
