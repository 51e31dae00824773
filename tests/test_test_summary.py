"""scripts/test_summary.py: each part's time, which suites a pass left to the other, and the
REQUIRE_* rules (not enforced by make test-quick)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("anskaf_test_summary",
                                              ROOT / "scripts" / "test_summary.py")
summary = importlib.util.module_from_spec(spec)
sys.modules["anskaf_test_summary"] = summary  # dataclasses look their module up
spec.loader.exec_module(summary)

XML = """<testsuites><testsuite name="{name}" time="3.0">
<testcase classname="a" name="t1" time="1"/>
{browser}
</testsuite></testsuites>"""
BROWSER_CASE = ('<testcase classname="b" name="t2" time="1"><properties>'
                '<property name="markers" value="browser"/></properties></testcase>')


def write(results: Path, **files: str) -> None:
    for name, text in files.items():
        (results / name.replace("_", ".", 1)).write_text(text, encoding="utf-8")


def test_each_part_has_its_time_and_the_sqlite_pass_says_what_it_left_out(tmp_path):
    write(tmp_path, lint_exit="0", lint_seconds="2", sqlite_exit="0", sqlite_seconds="41",
          sqlite_deselected="not (browser or fuzz or deployment)",
          sqlite_xml=XML.format(name="sqlite", browser=""), postgresql_exit="0",
          postgresql_seconds="95", postgresql_xml=XML.format(name="postgresql",
                                                             browser=BROWSER_CASE))
    lines, ok = summary.summarise(tmp_path, {"REQUIRE_BROWSER": "1"})
    text = "\n".join(lines)
    assert ok, text
    assert "ruff check    OK in 2 s" in text
    assert "SQLite        OK: 1 passed, 0 failed, 0 errors, 0 skipped in 41 s" in text
    assert "selected: -m 'not (browser or fuzz or deployment)'" in text
    assert "browser tests: not in this pass" in text
    assert "PostgreSQL    OK: 2 passed, 0 failed, 0 errors, 0 skipped in 95 s" in text
    assert "Browser tests: ran on PostgreSQL (1 passed)" in text


def test_a_type_error_fails_the_run_and_says_mypy(tmp_path):
    write(tmp_path, lint_exit="0", types_exit="1", types_seconds="7", sqlite_exit="0",
          sqlite_xml=XML.format(name="sqlite", browser=""))
    lines, ok = summary.summarise(tmp_path, {})
    assert not ok
    assert "mypy          FAILED in 7 s" in lines


def test_quick_runs_do_not_enforce_the_required_browser_and_postgresql(tmp_path):
    write(tmp_path, sqlite_exit="0", sqlite_deselected="not (browser or fuzz or deployment)",
          sqlite_xml=XML.format(name="sqlite", browser=""),
          postgresql_skipped="make test-quick")
    env = {"REQUIRE_BROWSER": "1", "REQUIRE_POSTGRES": "1"}
    assert summary.summarise(tmp_path, env)[1] is False
    assert summary.summarise(tmp_path, {**env, "TEST_QUICK": "1"})[1] is True


def test_the_fuzzing_suite_says_what_it_sent(tmp_path):
    write(tmp_path, sqlite_exit="0", sqlite_xml=XML.format(name="sqlite", browser=""))
    assert "Fuzzing tests: not run (they run in the PostgreSQL pass)" in summary.summarise(
        tmp_path, {})[0]
    (tmp_path / "fuzz.line").write_text("schemathesis: 12 requests generated, failures: 0\n")
    assert ("Fuzzing tests: schemathesis: 12 requests generated, failures: 0"
            in summary.summarise(tmp_path, {})[0])
