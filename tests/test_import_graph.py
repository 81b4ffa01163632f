"""Dependencies point one way (docs/architecture.md): the core (`workbook_templates`) below the
add-in (`addin`) and the server (`server`), neither of those two importing the other, and no
import cycle anywhere among their modules.

The graph is built from the source (every `import` statement, those inside functions too — a
function-level import is still a dependency, only a later one), so a new cycle fails here, with
the modules named, before it is worked around with one more import inside a function.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workbook_templates", "addin", "server")

#: Edges not yet removed, each with the reason. Both live in files another change owns:
#: - Flask's blueprint pattern: `server/web/__init__.py` makes `bp`, then imports its view modules
#:   so their routes register, and every view module imports `bp` back. (Moving `bp` into a
#:   module of its own, e.g. `server/web/blueprint.py`, removes these edges.)
#: - `server.rounds.completeness` reads the API's `status`, and the add-in route reuses the API's
#:   `submission_json`, while `server.api` imports both modules: the status and the JSON shape
#:   belong in a service module below the API (see the report of issue 21).
KNOWN: set = set()      # import edges allowed to close a cycle (none left)
BLUEPRINT_PACKAGES = {"server.web"}


def modules() -> dict[str, tuple[Path, bool]]:
    """module name -> (file, is a package)"""
    out = {}
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            if "migrations" in f.parts:      # Alembic loads revisions by path, never imports them
                continue
            parts = list(f.relative_to(ROOT).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            if is_pkg:
                parts = parts[:-1]
            out[".".join(parts)] = (f, is_pkg)
    return out


def imports_of(name: str, file: Path, is_pkg: bool, known: set[str]) -> set[str]:
    """The project modules `name` imports: `from . import x` is module x when x is one, else the
    package; `from .m import f` is module m."""
    package = name if is_pkg else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.add(sub if sub in known else target)
    out = set()
    for imported in found:
        while imported and imported not in known:      # a name inside a module: the module
            imported = imported.rpartition(".")[0]
        if imported and imported != name:
            out.add(imported)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    edges = {m: imports_of(m, f, p, set(mods)) for m, (f, p) in mods.items()}
    for m in edges:
        edges[m] -= {t for t in edges[m] if (m, t) in KNOWN}
        if m in BLUEPRINT_PACKAGES:
            edges[m] = {t for t in edges[m] if not t.startswith(m + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), iteratively."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def test_the_graph_sees_imports_inside_functions():
    """The check would be blind without them: the CLI imports the merge command inside a
    function; a relative import inside a package counts too."""
    edges = graph()
    assert "workbook_templates.merge.model" in edges["workbook_templates.merge.xlsx"]
    assert "workbook_templates.cli_merge" in edges["workbook_templates.cli"]


def test_no_import_cycle():
    found = cycles(graph())
    assert not found, ("import cycles (each a group of modules importing one another):\n"
                       + "\n".join("  " + " ↔ ".join(c) for c in found))


def test_the_core_imports_neither_the_server_nor_the_add_in():
    bad = sorted((m, t) for m, ts in graph().items() if m.startswith("workbook_templates")
                 for t in ts if t.split(".")[0] in ("server", "addin"))
    assert not bad, bad


#: The one server module that may import the add-in: it runs the add-in's own check on the
#: server for Excel without Python (issue 20), so the two cannot say different things.
SERVES_THE_ADD_IN = {"server.xlwings_remote"}


def test_the_add_in_and_the_server_do_not_import_each_other():
    bad = sorted((m, t) for m, ts in graph().items() for t in ts
                 if {m.split(".")[0], t.split(".")[0]} == {"server", "addin"}
                 and m not in SERVES_THE_ADD_IN)
    assert not bad, bad


def test_cycle_finder_finds_a_cycle():
    """The check can fail: a made-up graph with a loop of three modules is reported."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
