"""The words diff between two models: per step, matched by key (pure Python)."""

from __future__ import annotations

from anskaf.process.diff import ADDED, CHANGED, MOVED, REMOVED, RENUMBERED, diff_models
from anskaf.process.loader import load_text

from .model_edits import dump, edit_step, insert_step, load, rename_step, shipped


def _by_key(diff):
    return {s.key: s for s in diff.steps}


def test_a_model_has_no_differences_with_itself() -> None:
    model = load_text(shipped())
    diff = diff_models(model, model)
    assert diff.is_empty
    assert diff.lines() == ["Ingen forskelle."]


def test_an_inserted_step_is_added_and_the_later_steps_are_only_renumbered() -> None:
    old = load_text(shipped())
    new = load_text(insert_step(shipped(), after=3))
    steps = _by_key(diff_models(old, new))
    added = steps["security_pre_screening"]
    assert (added.status, added.new_number, added.old_number) == (ADDED, 4, None)
    later = steps["documentation_collected"]
    assert (later.status, later.old_number, later.new_number) == (RENUMBERED, 4, 5)
    assert later.changes == ()
    assert later.where == "trin 4 → 5"
    assert "need_reported" not in steps  # before the insertion: untouched
    # requires and a gate's rests_on point at the same steps by key: no rule changed
    assert all(s.status in (ADDED, RENUMBERED) for s in steps.values())


def test_a_renamed_step_names_its_old_and_new_title() -> None:
    old = load_text(shipped())
    new = load_text(rename_step(shipped(), "initial_supplier_dialogue", "Leverandørmøde"))
    [step] = diff_models(old, new).steps
    assert step.status == CHANGED
    assert step.title == "Leverandørmøde"
    assert step.changes[0].startswith("titel ændret fra »Indledende dialog")
    assert step.changes[0].endswith("til »Leverandørmøde«")


def test_a_removed_step_is_removed() -> None:
    data = load(insert_step(shipped(), after=3))
    old = load_text(dump(data))
    new = load_text(shipped())
    removed = _by_key(diff_models(old, new))["security_pre_screening"]
    assert (removed.status, removed.old_number, removed.new_number) == (REMOVED, 4, None)


def test_performers_checklist_documents_and_rules_are_named() -> None:
    content = edit_step(
        shipped(), "needs_or_market_analysis",
        performers={"text": "Afdelingen", "roles": [{"role": "requester"}]},
        checklist=[{"id": "2.1", "da": "Findes systemet allerede?", "en": "Exists?",
                    "required": True},
                   {"id": "2.9", "da": "Nyt punkt", "en": "New item"}],
        documents=[{"key": "requirements_specification",
                    "title": {"da": "Kravspecifikation", "en": "Requirements"},
                    "required": True}],
        requires=[1],
    )
    old, new = load_text(shipped()), load_text(content)
    [step] = diff_models(old, new).steps
    text = "\n".join(step.changes)
    assert "udførende ændret fra »Afdeling eller forvaltning Evt. Udbud« til »Afdelingen«" in text
    assert "roller ændret fra requester, procurement (valgfri) til requester" in text
    assert "tjekpunkt tilføjet: 2.9 »Nyt punkt«" in text
    assert "tjekpunkt fjernet: 2.2" in text
    assert "tjekpunkt 2.1 ændret fra" in text and "tjekpunkt 2.1 er nu påkrævet" in text
    assert "dokument fjernet: business_case »Business case«" in text
    assert "dokument requirements_specification er nu påkrævet" in text
    assert "forudsætter nu need_reported (før ingen)" in text


def test_gate_outcomes_are_compared_in_words() -> None:
    data = load(shipped())
    gate_step = next(s for s in data["steps"] if "gate" in s and "maybe" in s["gate"]["outcomes"])
    del gate_step["gate"]["outcomes"]["maybe"]
    gate_step["gate"]["outcomes"]["yes"]["label"]["da"] = "Godkendt"
    old, new = load_text(shipped()), load_text(dump(data))
    [step] = diff_models(old, new).steps
    assert step.key == gate_step["key"]
    assert "udfald fjernet: Måske" in step.changes
    assert any(c.startswith("udfald Ja: tekst ændret fra") and c.endswith("til »Godkendt«")
               for c in step.changes)


def test_a_step_that_changes_place_is_moved() -> None:
    data = load(shipped())
    steps = data["steps"]
    # swap the titles' places: step 1 and 2 exchange keys and contents but keep numbers
    first, second = steps[0], steps[1]
    for name in ("key", "title", "description", "performers", "checklist", "documents"):
        a, b = first.get(name), second.get(name)
        for step, value in ((first, b), (second, a)):
            if value is None:
                step.pop(name, None)
            else:
                step[name] = value
    old, new = load_text(shipped()), load_text(dump(data))
    statuses = {s.key: s.status for s in diff_models(old, new).steps}
    assert MOVED in statuses.values()
    assert set(statuses) == {"need_reported", "needs_or_market_analysis"}


def test_model_level_changes_are_named() -> None:
    data = load(shipped())
    data["roles"]["auditor"] = {"da": "Revisor", "en": "Auditor"}
    data["phases"][0]["name"]["da"] = "Behov"
    old, new = load_text(shipped()), load_text(dump(data))
    diff = diff_models(old, new)
    assert "rolle tilføjet: auditor »Revisor«" in diff.model
    assert "fase 1 omdøbt fra »Behov og afklaring« til »Behov«" in diff.model
    assert diff.lines()[0].startswith("Modellen: ")

