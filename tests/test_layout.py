"""The package's shape: imports run one way, the stages are folders, and no module sits in a loop of imports."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "takedowns"
# The stages from the bottom up: a module may import from its own folder and from folders listed before it.
# Helpers at the top of the package (errors, files, progress, workers, freshness, languages) sit below every stage;
# the pipeline above the stages, the authoring commands (which build previews) above it, and the command line last.
LAYERS = ("helpers", "content", "statistics", "charts", "formats", "across", "site", "pipeline", "authoring", "cli")
HELPERS = {"errors", "files", "progress", "workers", "freshness", "browser", "linkcheck", "i18n", ""}
# Every stage may look a format up in the registry: ``takedowns.formats`` (which registers every format) and its table.
REGISTRY = {"formats", "formats.registry", "formats.contract"}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (``site.pages``; a package by its own name)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in it (inside functions too)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif node.module and (node.module == "takedowns" or node.module.startswith("takedowns.")):
                base, node_module = [], node.module.split(".", 1)[1] if "." in node.module else ""
                targets.append(node_module)
                targets += [".".join(filter(None, [node_module, a.name])) for a in node.names]
                base = None
            else:
                continue
            if base is not None:
                module = ".".join([*base, *([node.module] if node.module else [])])
                targets.append(module)
                targets += [".".join(filter(None, [module, a.name])) for a in node.names]
        elif isinstance(node, ast.Import):
            targets += [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("takedowns.")]
        for t in targets:
            if t in known and t != name:
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def layer(name: str) -> int:
    head = name.split(".")[0]
    if name in HELPERS:
        return LAYERS.index("helpers")
    return LAYERS.index(head)


def test_every_import_of_the_package_names_one_of_its_modules() -> None:
    """A relative import (inside a function too) that names no module of the package fails only when it runs."""
    known = modules()
    wrong = []
    for name, path in known.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
                if module not in known and (module or not node.level):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {'.' * node.level}{node.module or ''}")
    assert wrong == []


def test_no_module_imports_itself_through_others() -> None:
    found = cycles(graph())
    assert found == [], "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_run_down_the_stages() -> None:
    """A stage imports only its own folder and the stages below it; formats are looked up, never imported by name, above them."""
    upward = []
    for name, targets in graph().items():
        for t in sorted(targets):
            if layer(t) > layer(name) and t not in REGISTRY:
                upward.append(f"{name} -> {t}")
    assert upward == []


def test_no_format_is_imported_by_name_outside_formats() -> None:
    """Statistics, pages and the rest reach a format only through the registry (``takedowns.formats``)."""
    named = [f"{name} -> {t}" for name, targets in graph().items() for t in sorted(targets)
             if t.startswith("formats.") and not name.startswith("formats") and t not in REGISTRY]
    # Meta's importer and the Twitter example writer serve one format each: they are that format's tools.
    allowed = {"authoring.meta_files -> formats.meta.indicators", "authoring.synthetic -> formats.twitter",
               "authoring.synthetic -> formats.twitter.release"}
    assert [n for n in named if n not in allowed] == []


def test_the_package_is_a_few_modules_over_stage_folders() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == {
        "content", "statistics", "charts", "formats", "across", "site", "authoring"}


def test_the_wheel_carries_every_package_and_data_file() -> None:
    """pyproject.toml lists each folder of the package and the data files beside its modules (the cluster installs the wheel)."""
    import fnmatch
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {".".join(["takedowns", *p.parent.relative_to(PACKAGE).parts]) for p in PACKAGE.rglob("__init__.py")}
    assert folders <= set(setup["packages"]), sorted(folders - set(setup["packages"]))
    unpacked = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(PACKAGE)
        owners = [(".".join(["takedowns", *rel.parts[:i]]), "/".join(rel.parts[i:])) for i in range(len(rel.parts))]
        if not any(fnmatch.fnmatch(rest, pattern) for package, rest in owners for pattern in setup["package-data"].get(package, ())):
            unpacked.append(str(rel))
    assert unpacked == []


def _third_party(name: str, known: dict[str, Path]) -> set[str]:
    """The distributions the modules reachable from ``name`` import (what a code digest of ``name`` covers)."""
    import sys
    from importlib import metadata

    owners = metadata.packages_distributions()
    edges = graph()
    seen, todo, found = set(), [name], set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo += edges[module]
        for node in ast.walk(ast.parse(known[module].read_text())):
            tops = [a.name.split(".")[0] for a in node.names] if isinstance(node, ast.Import) else (
                [node.module.split(".")[0]] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for top in tops:
                if top not in sys.stdlib_module_names and top not in ("takedowns", "__future__"):
                    found.update(d.lower() for d in owners.get(top, [top]))
    return found


def test_each_cache_is_keyed_on_every_library_its_code_imports() -> None:
    """A library the statistics import but their cache key leaves out would serve figures of its old version."""
    import re

    from takedowns import freshness
    from takedowns.across.campaigns import LIBRARIES as ACROSS
    from takedowns.statistics.tasks import LIBRARIES as STATISTICS

    known = modules()
    for module, libraries in (("statistics.compute", STATISTICS), ("across.campaigns", ACROSS)):
        covered = {re.sub(r"[-_.]+", "-", n) for n, _ in freshness.distributions(libraries)}
        missing = {re.sub(r"[-_.]+", "-", d) for d in _third_party(module, known)} - covered - set(COMPUTE_NOTHING)
        assert missing == set(), f"{module}: {sorted(missing)}"


# Reached from the statistics' code but computing no figure, so their versions need not key the cache.
COMPUTE_NOTHING = {"distributed": "sends tasks to a cluster", "fsspec": "reads remote bytes, which are hashed as they are read",
                   "jsonschema": "checks the build's own output", "pycountry": "names the countries of disclosures"}
