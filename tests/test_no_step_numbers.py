"""Steps are named by key outside the process model (issue 15): a municipality whose model numbers
its steps differently must not break an app. Numbers come from the model and are for display.

This scans every .py and .html file outside `process/`, tests and migrations for the shapes a
hard-coded step number takes. A hit names the file, line and the text that matched.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "anskaf"
COMMENT = re.compile(r"(^|\s)#\s.*$")  # a comment may explain the default model's numbering
SKIPPED_PARTS = {"process", "tests", "migrations", "vendor", "static"}

PATTERNS = {
    "model.step(<int>)": re.compile(r"\.step\(\s*\d+\s*\)"),
    "has_step(<int>)": re.compile(r"has_step\(\s*\d+\s*\)"),
    "number ==/!= <int>": re.compile(r"\bnumber\s*[!=]=\s*\d"),
    "number=<int>": re.compile(r"\b(?:number|step|step_number)\s*=\s*[1-9]"),
    "number in (<ints>)": re.compile(r"\b(?:number|step)\s+in\s+[(\[{]\s*\d"),
    "step-number constant": re.compile(r"\b[A-Z_]*STEPS?\b\s*(?::[^=]+)?=\s*[(\[{]?\s*\d"),
    "states[<int>]": re.compile(r"\bstates?\[\s*\d+\s*\]"),
    "step<int> attribute": re.compile(r"\bstep\d+\b"),
    "template tag with a step number": re.compile(r"{%[^%]*\b\w+_step\w*\s+\w+\s+\d+\s*%}"),
    "'trin <int>' in text": re.compile(r"\b[Tt]rin(?:ene)?\s+\d"),
    "'trin-<int>' in an id or anchor": re.compile(r"\btrin-\d"),
    "'step <int>' in text": re.compile(r"\b[Ss]teps?\s+\d+\b"),
}


def _files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*") if p.suffix in (".py", ".html")
                  and not SKIPPED_PARTS.intersection(p.relative_to(ROOT).parts[:-1]))


def _hits(path: Path) -> list[str]:
    found = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if path.suffix == ".py":
            line = COMMENT.sub("", line)
        for name, pattern in PATTERNS.items():
            if match := pattern.search(line):
                found.append(f"{path.relative_to(ROOT.parent)}:{lineno}: {name}: {match.group(0)!r}")
    return found


def test_the_scan_finds_each_shape_of_a_hard_coded_step_number(tmp_path: Path) -> None:
    # The patterns themselves must bite, or the scan below proves nothing.
    samples = ["model.step(12)", "if s.number == 4:", "StepState(number=5)", "x(step=6)",
               "if number in (1, 2, 3)", "REVIEW_STEP = 5", "READY_STEPS = (1, 2)", "states[6]",
               "item.step4.remarks", "{% attach_step_files items 4 %}", "'under trin 12'",
               "Trin 1 venter", "the gate step 6", 'href="#trin-2"', "\"step 11\""]
    for sample in samples:
        assert any(p.search(sample) for p in PATTERNS.values()), sample
    for fine in ["model.step(number)", "step.number == acted", "first_step = model.steps[0]",
                 "Trin {{ n }}", "steps[0]", "f'trin {step.number}'"]:
        assert not any(p.search(fine) for p in PATTERNS.values()), fine


def test_no_step_number_is_hard_coded_outside_the_process_model() -> None:
    files = _files()
    assert len(files) > 50  # the scan really reads the apps
    hits = [hit for path in files for hit in _hits(path)]
    assert hits == [], "step numbers outside anskaf/process:\n" + "\n".join(hits)
