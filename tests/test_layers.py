"""Layers you can see (issue 15): no import cycles, and no private names used across modules.

The layers themselves are import-linter contracts in pyproject.toml (`lint-imports`, run by
make test). These two tests hold what a layers contract cannot say:

- no two modules of anskaf import each other, directly or round a longer loop (read with
  grimp, the graph import-linter builds on; tests and migrations left out);
- no module uses another module's private name (`_name`): not `from anskaf.x import _name`,
  not `module._name` on an imported anskaf module. Inside its own module a private name is
  fine; so is a test looking inside what it tests.

Each test first shows its check catches a sample, or passing it would prove nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_PARTS = {"tests", "migrations"}

# Private names still used across modules, each with the issue that removes it. A fixed one
# must leave this list too (the test says so).
KNOWN: set[tuple[str, str]] = set()  # none left; an exception is named here with its reason


# --- cycles --------------------------------------------------------------------------------------


def _outside_tests(module: str) -> bool:
    return not SKIPPED_PARTS.intersection(module.split("."))


def import_cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The groups of modules that import each other round a loop (strongly connected
    components of more than one module, or a module importing itself); each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in imports.get(node, ()):
                    cycles.append(sorted(group))
    return sorted(cycles)


def graph_imports(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Who imports whom among the modules outside tests and migrations."""
    modules = {m for m in graph.modules if _outside_tests(m)}
    return {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}


def test_the_cycle_check_finds_a_loop_and_leaves_tests_out() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("anskaf.a.jobs", "anskaf.a.services"), ("anskaf.a.services", "anskaf.a.tasks"),
        ("anskaf.a.tasks", "anskaf.a.jobs"),  # a loop of three
        ("anskaf.b.clamd", "anskaf.b.validation"), ("anskaf.b.validation", "anskaf.b.clamd"),
        ("anskaf.c.views", "anskaf.c.models"),  # no loop
        ("anskaf.c.tests.test_views", "anskaf.c.views"),  # a test may import what it tests
        ("anskaf.c.views", "anskaf.c.tests.test_views"),  # (made up: loops only via a test)
    ]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph_imports(graph)) == [
        ["anskaf.a.jobs", "anskaf.a.services", "anskaf.a.tasks"],
        ["anskaf.b.clamd", "anskaf.b.validation"],
    ]
    assert import_cycles({"x": {"x"}, "y": set()}) == [["x"]]


def test_no_modules_of_anskaf_import_each_other_round_a_loop() -> None:
    graph = grimp.build_graph("anskaf", exclude_type_checking_imports=True, cache_dir=None)
    imports = graph_imports(graph)
    assert len(imports) > 100  # the check really reads the apps
    cycles = import_cycles(imports)
    assert cycles == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


# --- private names -------------------------------------------------------------------------------


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    where = ROOT.joinpath(*dotted.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_uses(path: Path, source: str | None = None) -> list[tuple[str, str]]:
    """(file, what) for each private name of another anskaf module this file uses."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    here = _module_of(path)
    bound: dict[str, str] = {}  # a local name -> the anskaf module it stands for
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _absolute(node, here, path.name == "__init__.py")
            if target.split(".")[0] != "anskaf":
                continue
            for alias in node.names:
                if _is_module(f"{target}.{alias.name}"):
                    bound[alias.asname or alias.name] = f"{target}.{alias.name}"
                if _private(alias.name) and (target != here or _is_module(f"{target}.{alias.name}")):
                    found.append(f"from {target} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "anskaf":
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"import {alias.name}")
                    if alias.asname:
                        bound[alias.asname] = alias.name
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain: list[str] = []
        value = node.value
        while isinstance(value, ast.Attribute):
            chain.insert(0, value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in bound:
            module = ".".join([bound[value.id], *chain])
            if _is_module(module) and module != here:
                found.append(f"{module}.{node.attr}")
    name = path.relative_to(ROOT).as_posix()
    return [(name, what) for what in dict.fromkeys(found)]


def _files() -> list[Path]:
    files = [*(ROOT / "anskaf").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    return sorted(p for p in files
                  if not SKIPPED_PARTS.intersection(p.relative_to(ROOT).parts[:-1]))


def test_the_scan_finds_each_way_of_using_another_modules_private_name() -> None:
    at = ROOT / "anskaf" / "portfolio" / "handlers.py"
    samples = [
        "from anskaf.portfolio.services import _require, _search_text",
        "from .services import _audit",
        "from . import services\nservices._set_lifecycle(system)",
        "from anskaf.process import engine\nengine._ensure_open_case(snap)",
        "import anskaf.process.engine as eng\neng._ensure_open_case(snap)",
        "from anskaf import cases\ncases.services._clean_string_list([], 'x')",
        "from anskaf.cases import services as case_services\ncase_services._audit()",
        "def f():\n    from anskaf.orgs import services\n    return services._require_admin(a)",
    ]
    for sample in samples:
        assert private_uses(at, sample), sample
    fine = [
        "from .services import system_lifecycle_set",
        "from anskaf.portfolio.handlers import _move_for",  # its own module
        "_move_for(case, 3)\nself._cache = {}",
        "from anskaf.cases.models import Case\nCase._meta.get_field('title')",  # not a module
        "from anskaf.portfolio import services\nservices.__name__",
        "import json\njson._default_decoder",  # not ours
    ]
    for sample in fine:
        assert private_uses(at, sample) == [], sample


def test_no_module_uses_another_modules_private_names() -> None:
    files = _files()
    assert len(files) > 100  # the scan really reads the apps
    found = {use for path in files for use in private_uses(path)}
    assert found - KNOWN == set(), "private names used across modules:\n" + "\n".join(
        f"{file}: {what}" for file, what in sorted(found - KNOWN))
    assert KNOWN - found == set(), f"no longer used, take them off KNOWN: {KNOWN - found}"
