"""The model says per step who may mark it not relevant and when (`not_relevant`); the loader
names the line of a broken rule. Pure Python: no Django, no database."""

from __future__ import annotations

from anskaf.process.loader import load_default, load_text

from .test_loader import DEFAULT, line_of, step_line, the_problem


def test_the_default_model_names_who_may_mark_the_dpa_and_the_contract_not_relevant():
    model = load_default()
    dpa, contract = model.step_by_key("data_processing_agreement"), model.step_by_key(
        "contract_in_place")
    assert dpa is not None and contract is not None
    assert dpa.not_relevant_roles == ("security",)
    assert dpa.not_relevant_until_started == (contract.number,)
    assert contract.not_relevant_roles == ("management", "procurement")
    assert contract.not_relevant_until_started == ()


def test_a_step_without_a_rule_has_none():
    step = load_default().step_by_key("project_organisation")
    assert step is not None
    assert step.not_relevant_roles == () and step.not_relevant_until_started == ()


def test_an_unknown_role_in_the_rule_is_named_with_its_line():
    text = DEFAULT.replace("      roles: [security]", "      roles: [isk]", 1)
    problem = the_problem(text, "'roles' must list known roles")
    assert problem.line == line_of(text, "      roles: [isk]")


def test_an_empty_role_list_is_refused():
    text = DEFAULT.replace("      roles: [security]", "      roles: []", 1)
    assert the_problem(text, "at least one role").line == line_of(text, "      roles: []")


def test_until_started_naming_a_missing_step_is_named_with_its_line():
    text = DEFAULT.replace("      until_started: [12]", "      until_started: [99]", 1)
    problem = the_problem(text, "until_started names 99")
    assert problem.line == line_of(text, "      until_started: [99]")


def test_an_unknown_key_in_the_rule_is_named():
    text = DEFAULT.replace("      until_started: [12]", "      until: [12]", 1)
    problem = the_problem(text, "knows only")
    assert problem.line == line_of(text, "      until: [12]")


def test_a_gate_cannot_have_a_not_relevant_rule():
    at = step_line(DEFAULT, 7)
    lines = DEFAULT.splitlines(keepends=True)
    gate_at = next(i for i in range(at, len(lines)) if lines[i].startswith("    gate:"))
    lines.insert(gate_at, "    not_relevant:\n      roles: [management]\n")
    text = "".join(lines)
    problem = the_problem(text, "a gate is never marked not relevant")
    assert problem.line == gate_at + 1


def test_a_rule_that_is_not_a_mapping_is_refused():
    text = DEFAULT.replace("    not_relevant:\n      roles: [security]\n      until_started: [12]",
                           "    not_relevant: security", 1)
    assert the_problem(text, "must be a mapping").line == line_of(text, "not_relevant: security")


def test_the_rule_loads_from_a_model_text():
    assert load_text(DEFAULT).step(11).not_relevant_roles == ("security",)


def test_complete_reason_must_be_true_or_false():
    text = DEFAULT.replace("    complete_reason: true", "    complete_reason: maybe", 1)
    problem = the_problem(text, "'complete_reason' must be true or false")
    assert problem.line == line_of(text, "    complete_reason: maybe")


def test_the_boards_review_is_completed_by_the_board_with_a_reason():
    step = load_default().step_by_key("it_board_meeting")
    assert step is not None
    assert step.complete_roles == ("it_board",) and step.complete_reason
    assert step.not_relevant_roles == ("it_board",)
