#!/usr/bin/env python3
"""Summarise a `make test` run from the files scripts/test.sh leaves in var/test-results/.

Per database: passed / failed / errors / skipped, how the browser tests (marker `browser`,
written into the XML by scripts/junit_markers.py) went, and whether the deployment tests
(marker `deployment`: nginx in front of two app servers, the migration race; PostgreSQL pass
only) ran; how long each part took (the `NAME.seconds` files) and which suites a pass left to
the other (`NAME.deselected`). Exit code 1 when any test failed, a run is missing its results,
or REQUIRE_BROWSER=1 / REQUIRE_POSTGRES=1 / REQUIRE_DEPLOYMENT=1 were not met (not enforced by
`make test-quick`, TEST_QUICK=1).

Usage: scripts/test_summary.py [RESULTS_DIR]   (default var/test-results)
Standard library only, so it runs with any Python 3.
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

RUNS = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))
BROWSER = "browser"
DEPLOYMENT = "deployment"


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    def line(self) -> str:
        return (
            f"{self.passed} passed, {self.failed} failed, {self.errors} errors, "
            f"{self.skipped} skipped"
        )


@dataclass
class Run:
    all: Counts = field(default_factory=Counts)
    browser: Counts = field(default_factory=Counts)
    deployment: Counts = field(default_factory=Counts)
    seconds: float = 0.0


def _markers(case: ET.Element) -> set[str]:
    names: set[str] = set()
    for prop in case.iter("property"):
        if prop.get("name") == "markers":
            names.update(filter(None, (prop.get("value") or "").split(",")))
    return names


def read_junit(path: Path) -> Run:
    run = Run()
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    run.seconds = sum(float(s.get("time") or 0) for s in suites)
    for case in root.iter("testcase"):
        markers = _markers(case)
        targets = ([run.all] + ([run.browser] if BROWSER in markers else [])
                   + ([run.deployment] if DEPLOYMENT in markers else []))
        if case.find("failure") is not None:
            outcome = "failed"
        elif case.find("error") is not None:
            outcome = "errors"
        elif (skip := case.find("skipped")) is not None:
            outcome = "skipped"
            reason = (skip.get("message") or "").strip() or "no reason given"
            for counts in targets:
                counts.skip_reasons[reason] = counts.skip_reasons.get(reason, 0) + 1
        else:
            outcome = "passed"
        for counts in targets:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return run


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _took(results: Path, name: str) -> str:
    """ " in N s" from the part's NAME.seconds file (written by scripts/test.sh), else ""."""
    seconds = _read(results / f"{name}.seconds")
    return f" in {seconds} s" if seconds.isdigit() else ""


def summarise(results: Path, env: dict[str, str]) -> tuple[list[str], bool]:
    """The summary lines and whether everything required passed."""
    lines: list[str] = []
    ok = True
    quick = env.get("TEST_QUICK") == "1"
    if quick:
        env = {k: v for k, v in env.items() if k not in {"REQUIRE_BROWSER", "REQUIRE_POSTGRES"}}
    for name, label in (("lint", "ruff check"), ("imports", "lint-imports"), ("types", "mypy"),
                        ("migrations", "migrations"), ("deploy", "check deploy")):
        code = _read(results / f"{name}.exit")
        if code:
            lines.append(f"{label:<13} {'OK' if code == '0' else 'FAILED'}{_took(results, name)}")
            ok &= code == "0"
    browser_ran: list[str] = []
    browser_skips: dict[str, int] = {}
    browser_failed = False
    deployment: Counts | None = None  # the PostgreSQL pass's, the only one they run in
    for name, label in RUNS:
        xml = results / f"{name}.xml"
        skipped = results / f"{name}.skipped"
        if skipped.exists():
            lines.append(f"{label:<13} not run: {_read(skipped)}")
            if name == "postgresql" and env.get("REQUIRE_POSTGRES") == "1":
                ok = False
            continue
        if not xml.exists():
            lines.append(f"{label:<13} no results ({xml} missing: did pytest start?)")
            ok = False
            continue
        try:
            run = read_junit(xml)
        except ET.ParseError as exc:
            lines.append(f"{label:<13} unreadable results ({xml}: {exc})")
            ok = False
            continue
        exit_code = _read(results / f"{name}.exit")
        failed = run.all.failed or run.all.errors or (exit_code not in {"", "0"})
        ok &= not failed
        verdict = "FAILED" if failed else "OK"
        extra = f" (pytest exit code {exit_code})" if exit_code not in {"", "0"} else ""
        took = _took(results, name) or f" in {run.seconds:.0f} s"
        lines.append(f"{label:<13} {verdict}: {run.all.line()}{took}{extra}")
        deselected = _read(results / f"{name}.deselected")
        if deselected:
            lines.append(f"{'':<13} selected: -m {deselected!r}")
        b = run.browser
        if b.total == 0 and "browser" in deselected:
            lines.append(f"{'':<13} browser tests: not in this pass")
        elif b.total == 0:
            lines.append(f"{'':<13} browser tests: none collected")
        else:
            lines.append(f"{'':<13} browser tests: {b.line()}")
            if b.passed:
                browser_ran.append(f"{label} ({b.passed} passed)")
            for reason, count in b.skip_reasons.items():
                browser_skips[reason] = browser_skips.get(reason, 0) + count
            browser_failed |= bool(b.failed or b.errors)
        if name == "postgresql":
            deployment = run.deployment
    if browser_ran and not browser_skips:
        lines.append(f"Browser tests: ran on {', '.join(browser_ran)}")
    elif browser_ran:
        lines.append(f"Browser tests: ran on {', '.join(browser_ran)}; some skipped")
    elif browser_skips:
        lines.append("Browser tests: SKIPPED")
    else:
        lines.append("Browser tests: none ran")
    for reason, count in sorted(browser_skips.items()):
        lines.append(f"  skipped {count}x: {reason}")
    if env.get("REQUIRE_BROWSER") == "1" and (browser_skips or not browser_ran):
        lines.append("REQUIRE_BROWSER=1, but browser tests did not all run: failure")
        ok = False
    if browser_failed:
        ok = False
    deployment_line, deployment_ran = _deployment(deployment)
    lines.extend(deployment_line)
    fuzz = _read(results / "fuzz.line")
    lines.append(f"Fuzzing tests: {fuzz}" if fuzz else
                 "Fuzzing tests: not run (they run in the PostgreSQL pass)")
    if env.get("REQUIRE_DEPLOYMENT") == "1" and not deployment_ran:
        lines.append("REQUIRE_DEPLOYMENT=1, but the deployment tests did not all run: failure")
        ok = False
    lines.append(f"Result: {'OK' if ok else 'FAILED'}")
    return lines, ok


def _deployment(counts: Counts | None) -> tuple[list[str], bool]:
    """The summary's lines on the deployment tests, and whether they all ran."""
    if counts is None:
        return ["Deployment tests: not run (they run in the PostgreSQL pass)"], False
    if counts.total == 0:
        return ["Deployment tests: none collected"], False
    if counts.skipped:
        return ([f"Deployment tests: SKIPPED ({counts.line()})"]
                + [f"  skipped {n}x: {reason}" for reason, n in sorted(counts.skip_reasons.items())],
                False)
    verdict = "ran" if not (counts.failed or counts.errors) else "FAILED"
    return [f"Deployment tests: {verdict} on PostgreSQL ({counts.line()})"], True


def main(argv: list[str]) -> int:
    results = Path(argv[1]) if len(argv) > 1 else Path("var/test-results")
    if not results.is_dir():
        print(f"error: {results} is not a directory (run scripts/test.sh first)", file=sys.stderr)
        return 2
    lines, ok = summarise(results, dict(os.environ))
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
