"""Conditional requirements in the model (`when:`, `waivable:`), not in code (issue 19, item
4): the loader names the line of a broken one; the engine lets a waived or inapplicable
requirement go. Pure Python: no Django, no database."""

from __future__ import annotations

from dataclasses import replace

from anskaf.process import engine
from anskaf.process.loader import load_default

from .test_loader import DEFAULT, line_of, the_problem

MIGRATION = '''      - key: migration_agreement
        title: {da: "Aftale om migrering af data", en: "Data migration agreement"}
        required: true
        when: replaces_system
        waivable: true'''


def test_the_default_model_makes_both_agreements_of_step_13_if_relevant():
    step = load_default().step_by_key("decommissioning_plan")
    assert step is not None
    docs = {d.key: d for d in step.documents}
    for key in ("migration_agreement", "archiving_agreement"):
        assert docs[key].required
        assert docs[key].condition.waivable
        assert docs[key].condition.when == "replaces_system"
    assert [i.id for i in engine.waivable_items(step)] == ["migration_agreement",
                                                            "archiving_agreement"]


def test_an_unknown_condition_is_named_with_its_line():
    assert MIGRATION in DEFAULT
    text = DEFAULT.replace("        when: replaces_system\n        waivable: true",
                           "        when: has_budget\n        waivable: true", 1)
    problem = the_problem(text, "'when' must be one of replaces_system")
    assert problem.line == line_of(text, "        when: has_budget")


def test_waivable_must_be_a_boolean():
    text = DEFAULT.replace("        waivable: true", "        waivable: maybe", 1)
    problem = the_problem(text, "'waivable' must be true or false")
    assert problem.line == line_of(text, "        waivable: maybe")


def test_a_condition_on_an_item_that_is_not_required_is_refused():
    text = DEFAULT.replace(MIGRATION, MIGRATION.replace("required: true", "required: false"), 1)
    problem = the_problem(text, "'when' qualifies a requirement")
    assert problem.line == line_of(text, "        when: replaces_system")


def test_a_waivable_checklist_item_binds_until_it_is_waived():
    text = DEFAULT.replace(
        '''      - id: "13.2"
        da:''', '''      - id: "13.2"
        required: true
        waivable: true
        da:''', 1)
    from anskaf.process.loader import load_text

    model = load_text(text)
    step = model.step_by_key("decommissioning_plan")
    assert step is not None
    snap = engine.new_snapshot(model, replaces_system=True)
    opened = {g.number: "yes" for g in model.gates}
    done = {n: engine.StepStatus.DONE for n in model.numbers if n < step.number}
    snap = replace(snap, last_outcome=opened, steps={**snap.steps, **done})
    refused = engine.refusal(engine.complete, model, snap, step.number)
    assert refused is not None and "Hvis relevant: Indgå aftale om emigrering" in refused.message
    waived = replace(snap, waived={step.number: frozenset({"13.2"})})
    assert engine.refusal(engine.complete, model, waived, step.number) is None


def test_a_requirement_whose_condition_does_not_hold_does_not_bind():
    step = load_default().step_by_key("decommissioning_plan")
    assert step is not None
    migration = step.document_type("migration_agreement")
    assert migration is not None
    assert engine.binds(migration, replaces_system=True)
    assert not engine.binds(migration, replaces_system=False)
    assert not engine.binds(migration, True, frozenset({"migration_agreement"}))
    contract = load_default().step_by_key("contract_in_place")
    signed = contract.document_type("signed_contract") if contract else None
    assert signed is not None and not signed.condition.waivable
    assert engine.binds(signed, True, frozenset({"signed_contract"}))  # not waivable
