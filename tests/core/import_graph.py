"""The import graph of a Python package, read from the source with `ast` (nothing is imported).

Every `import` counts, wherever it sits (module level, inside a function, under TYPE_CHECKING):
an import deferred to the first call is still a dependency. Migrations are left out.
"""

import ast
from pathlib import Path


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under `root` (a package directory)."""
    found = {}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        found[".".join(parts)] = path
    return found


def _known(name: str, known: dict[str, Path]) -> str | None:
    """`name` or the closest enclosing module of it that is in `known`."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _targets(module: str, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [target for alias in node.names if (target := _known(alias.name, known))]
    base = node.module or ""
    if node.level:  # a relative import, from the module's own package
        package = module if known[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    # `from a.b import c` imports the module a.b.c when there is one, else a name of a.b.
    return [target for alias in node.names if (target := _known(f"{base}.{alias.name}", known))]


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                graph[name].update(target for target in _targets(name, node, known) if target != name)
    return graph


def package_graph(graph: dict[str, set[str]], depth: int = 2) -> dict[str, set[str]]:
    """The same graph between packages (`app.accounts`, `app.bookings`...): `depth` dotted parts."""
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        source = ".".join(module.split(".")[:depth])
        packages.setdefault(source, set())
        for target in targets:
            package = ".".join(target.split(".")[:depth])
            if package != source:
                packages[source].add(package)
    return packages


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of nodes that import each other, directly or not (Tarjan's strongly connected
    components of more than one node), each sorted; an empty list when the graph has no cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def imports_between(graph: dict[str, set[str]], source: str, targets: set[str]) -> list[str]:
    """`a -> b` for each import from package `source` into one of the packages `targets`."""
    return sorted(
        f"{module} -> {target}"
        for module, imported in graph.items()
        if _inside(module, source)
        for target in imported
        if any(_inside(target, package) for package in targets)
    )


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")
