"""Måske's missing documentation becomes required checklist items on step 4 of the next round,
on every path that records the decision (here the plain service the case page and API use)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import RequirementMissing, ValidationFailed
from anskaf.cases.models import StepState

pytestmark = pytest.mark.django_db


def _maybe(case, board_member, missing):
    return services.decision_record(actor=board_member, case_id=case.pk, step=6,
                                    outcome="maybe", rationale="Mangler",
                                    missing_documentation=missing)


def test_missing_documentation_becomes_open_items_that_block_step_4(case, coordinator,
                                                                    board_member):
    testing.advance(coordinator, case, through=5)
    _maybe(case, board_member, ["Konfigurationsskema", "Snitfladetegning"])
    state = StepState.objects.get(case=case, number=4)
    assert [(i["id"], i["label"]) for i in state.extra_items] == [
        ("r1-1", "Konfigurationsskema"), ("r1-2", "Snitfladetegning")]
    with pytest.raises(RequirementMissing, match="Konfigurationsskema; Snitfladetegning"):
        services.step_complete(actor=coordinator, case_id=case.pk, number=4)
    services.step_update(actor=coordinator, case_id=case.pk, number=4,
                         checklist=[{"id": "r1-1", "done": True}, {"id": "4.1", "done": True}])
    assert StepState.objects.get(case=case, number=4).checked == ["4.1", "r1-1"]
    with pytest.raises(RequirementMissing, match="Snitfladetegning"):
        services.step_complete(actor=coordinator, case_id=case.pk, number=4)
    services.step_update(actor=coordinator, case_id=case.pk, number=4,
                         checklist=[{"id": "r1-2", "done": True}])
    services.step_complete(actor=coordinator, case_id=case.pk, number=4)


def test_a_second_maybe_adds_its_own_items_and_keeps_the_first(case, coordinator, board_member):
    testing.advance(coordinator, case, through=5)
    _maybe(case, board_member, ["Konfigurationsskema"])
    testing.advance(coordinator, case, through=5)
    _maybe(case, board_member, ["Databehandleraftale-udkast"])
    state = StepState.objects.get(case=case, number=4)
    assert [i["id"] for i in state.extra_items] == ["r1-1", "r2-1"]
    assert "r1-1" in state.checked and "r2-1" not in state.checked


def test_unknown_item_ids_are_still_refused(case, coordinator):
    with pytest.raises(ValidationFailed):
        services.step_update(actor=coordinator, case_id=case.pk, number=4,
                             checklist=[{"id": "r9-9", "done": True}])
