"""Validation at the boundary (issue 16 item 1, ADR 0040): input is parsed where it enters (a
Django form for a page, a `Body` model for the API, argparse and the same parsers for a
command), and the services take what came out: typed parameters.

- no function of a `services.py` takes a parameter annotated with `Any`;
- no `services.py` imports a form (its app's `forms`, another's, or Django's);
- the text rule's messages (NUL, control characters) are written once, in
  `anskaf/validation/text.py`;
- no `services.py` parses an id or a number from text (`except (TypeError, ValueError)`
  around `int(x)`): the boundary did (a URL converter, a form field, a `Body` model,
  argparse, or `anskaf.http.params.form_int` for a posted hidden field). The selectors that
  still do are listed below, and the list may only shrink.

Each check is first shown to catch a sample, or passing it would prove nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = sorted((ROOT / "anskaf").glob("*/services.py"))
SELECTORS = sorted((ROOT / "anskaf").glob("*/selectors.py"))
# Selectors that still turn an `Any` id into a number themselves (ADR 0040, "Not yet one
# style"): the count of such handlers per file. Lower it (or drop the line) as they move.
SELECTORS_STILL_PARSING: dict[str, int] = {}


def any_parameters(source: str) -> list[str]:
    """`function(parameter)` for every parameter whose annotation names `Any`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                  *(a for a in (args.vararg, args.kwarg) if a is not None)]
        for param in params:
            if param.annotation is None:
                continue
            names = {n.id for n in ast.walk(param.annotation) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(param.annotation) if isinstance(n, ast.Attribute)}
            text = ast.unparse(param.annotation)
            if "Any" in names or re.search(r"\bAny\b", text):
                found.append(f"{node.name}({param.arg}: {text})")
    return found


def form_imports(source: str) -> list[str]:
    """The form modules `source` imports: `.forms`, `anskaf.x.forms`, `django.forms`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names = [a.name for a in node.names]
            if module.split(".")[-1] == "forms" or (module == "django" and "forms" in names) or (
                    node.level and not node.module and "forms" in names):
                found.append(f"from {module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[-1] == "forms"]
    return found


def number_parsing(source: str) -> list[int]:
    """The lines of every `except (TypeError, ValueError)` (or `(ValueError, TypeError)`):
    text turned into a number, and the failure caught, in the function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ExceptHandler) and isinstance(node.type, ast.Tuple):
            names = {n.id for n in node.type.elts if isinstance(n, ast.Name)}
            if {"TypeError", "ValueError"} <= names:
                found.append(node.lineno)
    return found


def test_the_checks_catch_a_sample():
    sample = ("from typing import Any\nfrom .forms import SystemForm\nfrom django import forms\n"
              "import django.forms\n"
              "def f(*, a: Any, b: int, c: dict[str, Any] | None = None, d: 'Any' = 1) -> Any:\n"
              "    from . import forms\n")
    assert any_parameters(sample) == ["f(a: Any)", "f(c: dict[str, Any] | None)", "f(d: 'Any')"]
    assert form_imports(sample) == ["from .forms import SystemForm", "from django import forms",
                                    "import django.forms", "from . import forms"]
    parsing = ("def f(x: int | str) -> int:\n    try:\n        return int(x)\n"
               "    except (TypeError, ValueError):\n        return 0\n"
               "def g(x: str) -> int:\n    try:\n        return int(x)\n"
               "    except (ValueError, TypeError, KeyError):\n        return 0\n"
               "    except ValueError:\n        return 1\n")
    assert number_parsing(parsing) == [4, 9]


def test_no_service_takes_a_parameter_typed_any():
    found = {path.parent.name: any_parameters(path.read_text()) for path in SERVICES}
    found = {app: params for app, params in found.items() if params}
    assert len(SERVICES) >= 9
    assert not found, ("A service takes typed values parsed at the boundary (ADR 0040); these "
                       f"parameters are `Any`: {found}")


def test_no_service_imports_a_form():
    found = {path.parent.name: form_imports(path.read_text()) for path in SERVICES}
    found = {app: imports for app, imports in found.items() if imports}
    assert not found, ("A form runs at the boundary (the view, the API, the command) and the "
                       f"service gets its values (ADR 0040): {found}")


def test_the_text_rule_messages_are_written_once():
    messages = ("ugyldigt tegn (NUL)", "usynligt kontroltegn")
    where = {m: [str(p.relative_to(ROOT)) for p in sorted((ROOT / "anskaf").rglob("*.py"))
                 if "tests" not in p.parts and m in p.read_text()] for m in messages}
    assert where == {m: ["anskaf/validation/text.py"] for m in messages}, where
    defined = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "anskaf").rglob("*.py"))
               if re.search(r"^NUL_MESSAGE\s*=", p.read_text(), re.M)]
    assert defined == ["anskaf/validation/text.py"], defined


def test_no_service_parses_an_id_from_text():
    found = {path.parent.name: number_parsing(path.read_text()) for path in SERVICES}
    found = {app: lines for app, lines in found.items() if lines}
    assert not found, ("A service takes the id as a number (`int`, or `int | None`); the "
                       "boundary parsed it, and a bad one was its 404 or form error (ADR 0040). "
                       f"`except (TypeError, ValueError)` at services.py lines: {found}")


def test_the_selectors_that_still_parse_ids_only_get_fewer():
    found = {path.parent.name: len(number_parsing(path.read_text())) for path in SELECTORS}
    found = {app: count for app, count in found.items() if count}
    grown = {app: count for app, count in found.items()
             if count > SELECTORS_STILL_PARSING.get(app, 0)}
    assert not grown, ("Parse the id at the boundary and give the selector an `int` "
                       f"(ADR 0040): {grown}")
    assert found == SELECTORS_STILL_PARSING, (
        "A selector stopped parsing ids itself: lower its count in SELECTORS_STILL_PARSING "
        f"(now {found}).")
