"""The loader's validator names the line and the problem of a broken model.

Every broken variant is built from the default model's own text, so the line numbers are
real ones. Pure Python: no Django, no database.
"""

from __future__ import annotations

import pytest

from anskaf.process.loader import DEFAULT_MODEL_PATH, ModelInvalid, Problem, load_text

DEFAULT = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")


def line_of(text: str, needle: str, after: int = 0) -> int:
    """The 1-based number of the first line after line `after` that contains `needle`."""
    for i, line in enumerate(text.splitlines(), start=1):
        if i > after and needle in line:
            return i
    raise AssertionError(f"{needle!r} not found after line {after}")


def replace_once(text: str, old: str, new: str, after_line: int = 0) -> str:
    """Replace the first occurrence of `old` on or after line `after_line + 1`."""
    lines = text.splitlines(keepends=True)
    for i in range(after_line, len(lines)):
        if old in lines[i]:
            lines[i] = lines[i].replace(old, new, 1)
            return "".join(lines)
    raise AssertionError(f"{old!r} not found")


def top_level(text: str, key: str) -> int:
    """The line of a top-level key such as `steps:`."""
    for i, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return i
    raise AssertionError(f"no top-level {key!r}")


def step_line(text: str, number: int) -> int:
    return line_of(text, f"  - number: {number}", after=top_level(text, "steps"))


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ModelInvalid) as info:
        load_text(text)
    assert info.value.problems, "ModelInvalid without problems"
    return info.value.problems


def the_problem(text: str, contains: str) -> Problem:
    found = [p for p in problems_of(text) if contains in p.message]
    assert found, f"no problem mentions {contains!r}: {problems_of(text)}"
    return found[0]


def test_the_default_text_is_valid():
    assert len(load_text(DEFAULT).steps) == 21


def test_an_unquoted_yes_outcome_in_a_yaml_1_1_document_is_named_as_a_boolean_key():
    text = "%YAML 1.1\n---\n" + DEFAULT.replace('        "yes": {label: {da: "Ja", en: "Yes"}',
                                               '        yes: {label: {da: "Ja", en: "Yes"}', 1)
    assert text != "%YAML 1.1\n---\n" + DEFAULT
    problem = the_problem(text, "boolean")
    assert problem.line == line_of(text, "        yes: {label")
    assert "quote" in problem.message


def test_an_unquoted_no_outcome_in_a_yaml_1_1_document_is_named_as_a_boolean_key():
    at = step_line(DEFAULT, 18)
    text = "%YAML 1.1\n---\n" + replace_once(DEFAULT, '"no": {label', "no: {label", after_line=at)
    problem = the_problem(text, "boolean")
    assert problem.line == line_of(text, "        no: {label")


def test_a_true_outcome_key_is_a_boolean_key_even_in_yaml_1_2():
    text = DEFAULT.replace('        "no": {label: {da: "Nej", en: "No"}, effect: reject}',
                           '        true: {label: {da: "Nej", en: "No"}, effect: reject}', 1)
    problem = the_problem(text, "boolean")
    assert problem.line == line_of(text, "        true: {label")


def test_a_whole_yaml_1_1_document_with_quoted_outcomes_is_still_valid():
    assert len(load_text("%YAML 1.1\n---\n" + DEFAULT).steps) == 21


def test_losing_the_yes_outcome_to_a_boolean_also_says_the_gate_needs_yes():
    text = "%YAML 1.1\n---\n" + DEFAULT.replace('        "yes": {label: {da: "Ja", en: "Yes"}',
                                               '        yes: {label: {da: "Ja", en: "Yes"}', 1)
    problem = the_problem(text, 'needs a "yes" outcome')
    assert problem.line == line_of(text, "      outcomes:", after=step_line(text, 6))


def test_a_boolean_text_value_in_a_yaml_1_1_document_is_named():
    text = "%YAML 1.1\n---\n" + DEFAULT.replace("key: need_reported", "key: yes", 1)
    problem = the_problem(text, "'key' is a boolean")
    assert problem.line == line_of(text, "    key: yes")


def test_an_unknown_role_is_named_with_its_line():
    at = step_line(DEFAULT, 1)
    text = replace_once(DEFAULT, "- role: coordinator", "- role: koordinator", after_line=at)
    problem = the_problem(text, "unknown role")
    assert problem.line == line_of(text, "- role: koordinator")
    assert "'koordinator'" in problem.message
    assert "coordinator" in problem.message.split("known roles:")[1]


def test_an_unknown_deciding_role_of_a_gate_is_named_with_its_line():
    text = DEFAULT.replace("deciding_roles: [it_board]", "deciding_roles: [visitation]", 1)
    problem = the_problem(text, "deciding_roles")
    assert problem.line == line_of(text, "deciding_roles: [visitation]")


def test_a_requires_pointing_to_a_later_step_is_named_with_its_line():
    text = DEFAULT.replace("    requires: [19]", "    requires: [21]", 1)
    problem = the_problem(text, "requires 21")
    assert problem.line == line_of(text, "    requires: [21]")
    assert "not an earlier step" in problem.message
    assert "step 20" in problem.message


def test_a_requires_pointing_to_the_step_itself_is_refused():
    text = DEFAULT.replace("    requires: [11]", "    requires: [12]", 1)
    problem = the_problem(text, "requires 12")
    assert problem.line == line_of(text, "    requires: [12]")


def test_a_requires_pointing_to_a_missing_step_is_refused():
    text = DEFAULT.replace("    requires: [11]", "    requires: [99]", 1)
    assert the_problem(text, "requires 99").line == line_of(text, "    requires: [99]")


def test_a_duplicate_step_key_is_named_at_the_duplicate():
    text = DEFAULT.replace("key: needs_or_market_analysis", "key: need_reported", 1)
    problems = [p for p in problems_of(text) if "used twice" in p.message]
    lines = {p.line for p in problems}
    first = line_of(text, "key: need_reported")
    second = line_of(text, "key: need_reported", after=first)
    assert second in lines
    assert all("'need_reported'" in p.message for p in problems)


def test_a_duplicate_step_number_is_refused():
    at = step_line(DEFAULT, 2)
    text = replace_once(DEFAULT, "  - number: 2", "  - number: 1", after_line=at - 1)
    assert problems_of(text)


def test_a_duplicate_step_number_is_named_at_the_duplicate():
    at = step_line(DEFAULT, 2)
    text = replace_once(DEFAULT, "  - number: 2", "  - number: 1", after_line=at - 1)
    lines = {p.line for p in problems_of(text) if "number" in p.message}
    assert at in lines


def test_a_missing_title_is_named_at_its_step():
    start = step_line(DEFAULT, 3)
    lines = DEFAULT.splitlines(keepends=True)
    title = line_of(DEFAULT, "    title:", after=start)
    del lines[title - 1:title + 2]  # "title:", "da:", "en:"
    text = "".join(lines)
    problem = the_problem(text, "'title' is missing")
    assert problem.line == step_line(text, 3)
    assert "'da' and 'en'" in problem.message


def test_a_missing_english_title_is_named_at_the_title():
    start = step_line(DEFAULT, 5)
    title = line_of(DEFAULT, "    title:", after=start)
    lines = DEFAULT.splitlines(keepends=True)
    del lines[title + 1]  # the "en:" line after "da:"
    text = "".join(lines)
    problem = the_problem(text, "'en' is missing")
    assert problem.line == title + 1  # the title mapping begins on its "da:" line


def test_invalid_yaml_syntax_is_named_with_its_line():
    text = DEFAULT.replace("    key: need_reported", "    key: need: reported", 1)
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].message.startswith("not valid YAML")
    assert problems[0].line == line_of(text, "key: need: reported")


def test_an_unclosed_flow_sequence_is_invalid_yaml():
    text = DEFAULT.replace("  - [6]\n", "  - [6\n", 1)
    problems = problems_of(text)
    assert problems[0].message.startswith("not valid YAML")
    assert problems[0].line is not None


def test_an_unknown_outcome_key_is_named():
    text = DEFAULT.replace('"maybe": {label', '"perhaps": {label', 1)
    problem = the_problem(text, "unknown outcome")
    assert problem.line == line_of(text, '"perhaps": {label')
    assert "'perhaps'" in problem.message


def test_a_repeat_outcome_without_steps_to_reopen_is_named():
    text = DEFAULT.replace("effect: repeat, reopen: [4, 5], ", "effect: repeat, ", 1)
    assert the_problem(text, "must name steps to 'reopen'")


def test_an_unknown_effect_is_named():
    text = DEFAULT.replace("effect: reject}", "effect: stop}", 1)
    problem = the_problem(text, "effect must be")
    assert problem.line == line_of(text, "effect: stop}")


def test_a_gate_resting_on_a_later_step_is_named():
    text = DEFAULT.replace("rests_on: [6]", "rests_on: [8]", 1)
    problem = the_problem(text, "rests on 8")
    assert problem.line == line_of(text, "rests_on: [8]")


def test_an_outcome_reopening_a_step_the_gate_does_not_rest_on_is_named():
    text = DEFAULT.replace("reopen: [17]", "reopen: [19]", 1)
    assert the_problem(text, "reopens 19")


def test_a_gate_sharing_its_segment_is_named():
    text = DEFAULT.replace("  - [6]\n  - [7]\n", "  - [6, 7]\n", 1)
    assert the_problem(text, "must be a segment of its own")


def test_segments_that_skip_a_step_are_named():
    text = DEFAULT.replace("  - [19, 20, 21]", "  - [19, 20]", 1)
    problem = the_problem(text, "segments must list every step")
    assert problem.line == top_level(text, "segments")


def test_phases_that_skip_a_step_are_named():
    text = DEFAULT.replace("steps: [19, 20, 21]", "steps: [19, 20]", 1)
    problem = the_problem(text, "phases must together list every step")
    assert problem.line == top_level(text, "phases")


def test_a_step_in_an_unknown_phase_is_named():
    at = step_line(DEFAULT, 4)
    text = replace_once(DEFAULT, "    phase: 2", "    phase: 9", after_line=at)
    problem = the_problem(text, "phase 9 does not exist")
    assert problem.line == line_of(text, "    phase: 9")


def test_an_unknown_refusal_code_is_named():
    text = DEFAULT.replace("requires_refusal: contract_before_dpa", "requires_refusal: teapot", 1)
    problem = the_problem(text, "'requires_refusal' must be one of")
    assert problem.line == line_of(text, "requires_refusal: teapot")


def test_a_non_boolean_only_when_replacing_is_named():
    text = DEFAULT.replace("only_when_replacing: true", "only_when_replacing: maybe", 1)
    problem = the_problem(text, "'only_when_replacing' must be true or false")
    assert problem.line == line_of(text, "only_when_replacing: maybe")


def test_a_duplicate_checklist_id_is_named():
    text = DEFAULT.replace('- id: "1.2"', '- id: "1.1"', 1)
    problem = the_problem(text, "used twice in step 1")
    assert problem.line == line_of(text, '- id: "1.1"', after=line_of(text, '- id: "1.1"'))


def test_a_wrong_schema_is_named():
    text = DEFAULT.replace("schema: 1", "schema: 2", 1)
    assert the_problem(text, "schema must be 1").line == line_of(text, "schema: 2")


def test_a_document_that_is_not_a_mapping_is_refused_on_line_1():
    problems = problems_of("- just\n- a list\n")
    assert problems == [Problem(1, "the model must be a mapping")]


def test_every_problem_is_collected_not_only_the_first():
    text = DEFAULT.replace("- role: coordinator", "- role: koordinator", 1)
    text = text.replace("effect: reject}", "effect: stop}", 1)
    messages = [p.message for p in problems_of(text)]
    assert any("unknown role" in m for m in messages)
    assert any("effect must be" in m for m in messages)


def test_the_error_text_reads_line_n_colon_message():
    text = DEFAULT.replace("    requires: [19]", "    requires: [21]", 1)
    with pytest.raises(ModelInvalid) as info:
        load_text(text)
    assert f"line {line_of(text, '    requires: [21]')}: step 20 requires 21" in str(info.value)


def test_a_deeply_nested_text_is_an_invalid_model_not_a_crash() -> None:
    with pytest.raises(ModelInvalid) as exc:
        load_text("[" * 5000)
    assert "nested too deeply" in str(exc.value)
