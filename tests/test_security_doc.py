"""docs/security.md stays true: every test it names (`path::test_name`) exists, and it covers
every chapter of ASVS 4.0.3 (V1-V14). Issue 21, item 8."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"([\w./-]+\.py)::(\w+)")


def references(text: str) -> list[tuple[str, str]]:
    return REFERENCE.findall(text)


def defined_functions(path: Path) -> set[str]:
    """The names of the functions (also methods) defined in a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def missing(text: str) -> list[str]:
    gone = []
    for path, name in references(text):
        file = ROOT / path
        if not file.is_file() or name not in defined_functions(file):
            gone.append(f"{path}::{name}")
    return gone


def test_the_check_finds_a_test_that_does_not_exist():
    text = ("- 1.1.1 x: tests/test_security_doc.py::test_every_test_security_md_names_exists\n"
            "- 1.1.2 y: tests/test_security_doc.py::test_that_was_never_written\n"
            "- 1.1.3 z: tests/no_such_file.py::test_x\n")
    assert missing(text) == ["tests/test_security_doc.py::test_that_was_never_written",
                             "tests/no_such_file.py::test_x"]


def test_every_test_security_md_names_exists():
    text = DOC.read_text(encoding="utf-8")
    assert len(references(text)) >= 40
    assert missing(text) == []


def test_security_md_covers_every_asvs_chapter():
    headings = re.findall(r"^## (V\d+) ", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert headings == [f"V{n}" for n in range(1, 15)]
