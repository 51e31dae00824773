"""services.step_mark_not_relevant: a non-gate step, with a reason, audited; the model says
who may and when (ADR 0018)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from anskaf.process.errors import NotRelevantLocked, StepNotOpen

from .helpers import everything, fresh, last_event, step

pytestmark = pytest.mark.django_db


def mark(actor, case, number, reason="Ikke relevant for denne anskaffelse.", **kwargs):
    return services.step_mark_not_relevant(actor=actor, case_id=case.pk, number=number,
                                           reason=reason, **kwargs)


def test_a_step_is_marked_not_relevant_with_its_reason(coordinator, case):
    mark(coordinator, case, 3, reason="  Leverandøren er allerede kendt.  ")
    state = step(case, 3)
    assert state.status == "not_relevant"
    assert state.not_relevant_reason == "Leverandøren er allerede kendt."
    assert state.completed_by is None
    assert state.version == 2


def test_marking_not_relevant_is_audited_with_the_reason(coordinator, case):
    mark(coordinator, case, 3, reason="Leverandøren er allerede kendt.")
    event = last_event(case)
    assert event.event_type == "step.not_relevant"
    assert event.before == {"status": "active", "steps": {"3": "not_started"}}
    assert event.after == {"status": "active", "steps": {"3": "not_relevant"},
                           "reason": "Leverandøren er allerede kendt."}


@pytest.mark.parametrize("reason", [None, "", "  ", 3])
def test_a_reason_is_required(coordinator, case, reason):
    before = everything(case)
    with pytest.raises(ValidationFailed) as info:
        mark(coordinator, case, 3, reason=reason)
    assert set(info.value.errors) == {"reason"}
    assert everything(case) == before


@pytest.mark.parametrize("gate", [6, 7, 18])
def test_a_gate_cannot_be_marked_not_relevant(coordinator, case, gate):
    with pytest.raises(InvalidTransition) as info:
        mark(coordinator, case, gate)
    assert info.value.code == "invalid_transition"
    assert step(case, gate).status == "not_started"


def test_a_done_step_must_be_reopened_first(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2)
    with pytest.raises(InvalidTransition):
        mark(coordinator, case, 2)
    assert step(case, 2).status == "done"


def test_a_step_in_progress_can_be_marked_not_relevant(coordinator, case):
    services.step_update(actor=coordinator, case_id=case.pk, number=3, status="in_progress")
    mark(coordinator, case, 3)
    assert step(case, 3).status == "not_relevant"
    assert fresh(case).steps_in_progress == []


@pytest.mark.parametrize("number", [9, 19])
def test_a_step_behind_a_gate_not_yet_passed_cannot_be_marked_not_relevant(coordinator, case,
                                                                           number):
    before = everything(case)
    with pytest.raises(StepNotOpen) as info:
        mark(coordinator, case, number)
    assert info.value.code == "step_not_open"
    assert "besluttet med Ja" in info.value.message
    assert everything(case) == before


def test_a_step_behind_passed_gates_can_be_marked_not_relevant(coordinator, case):
    testing.advance(coordinator, case, through=7)
    mark(coordinator, case, 9, reason="Lille anskaffelse uden projektorganisation.")
    assert step(case, 9).status == "not_relevant"


def test_marking_the_last_open_steps_moves_the_phase(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    mark(coordinator, case, 2, reason="Behovet er kendt.")
    assert fresh(case).phase == 2


def test_marking_step_21_not_relevant_completes_a_case_in_operation(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=20)
    mark(coordinator, case, 21, reason="Det gamle system lukkes af leverandøren.")
    assert fresh(case).status == "completed"


def test_a_stale_version_is_a_conflict(coordinator, case):
    services.step_update(actor=coordinator, case_id=case.pk, number=3, remarks="A")
    with pytest.raises(Conflict):
        mark(coordinator, case, 3, version=1)
    mark(coordinator, case, 3, version=2)


def test_a_case_of_another_organisation_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        mark(outsider, case, 3)


# --- the model's own rules: the data processing agreement and the contract -------------------


@pytest.fixture
def security(org):
    return testing.make_user(org, "isk", "security")


@pytest.fixture
def procurement(org):
    return testing.make_user(org, "indkob", "procurement")


@pytest.mark.parametrize("number", [11, 12])
def test_the_coordinator_cannot_mark_the_dpa_or_the_contract_not_relevant(coordinator, case,
                                                                          number):
    """The way round the DPA-before-contract rule (issue 19): refused, saying who may."""
    before = everything(case)
    with pytest.raises(PermissionDenied) as info:
        mark(coordinator, case, number)
    who = "Informationssikkerhedskonsulenterne (ISK)" if number == 11 else (
        "Afdelingens eller forvaltningens ledelse eller Udbud/Indkøb")
    assert info.value.message == f"Kun {who} kan markere trinnet (trin {number}) som ikke relevant."
    assert everything(case) == before


def test_the_coordinator_is_refused_also_after_the_gates(coordinator, case):
    testing.advance(coordinator, case, through=7)
    for number in (11, 12):
        with pytest.raises(PermissionDenied):
            mark(coordinator, case, number)


def test_the_requester_who_created_the_case_cannot_mark_the_dpa_not_relevant(requester):
    case = testing.new_case(requester)
    with pytest.raises(PermissionDenied):
        mark(requester, case, 11)
    with pytest.raises(PermissionDenied):
        mark(requester, case, 12)


def test_security_cannot_mark_the_dpa_not_relevant_before_the_gates(security, case):
    with pytest.raises(StepNotOpen):
        mark(security, case, 11)


def test_security_marks_the_dpa_not_relevant_with_a_reason_audited(coordinator, security, case):
    testing.advance(coordinator, case, through=7)
    mark(security, case, 11, reason="Ingen personoplysninger behandles.")
    assert step(case, 11).not_relevant_reason == "Ingen personoplysninger behandles."
    event = last_event(case)
    assert event.event_type == "step.not_relevant"
    assert event.actor_role == "security"
    assert event.after["reason"] == "Ingen personoplysninger behandles."


def test_security_needs_a_reason(coordinator, security, case):
    testing.advance(coordinator, case, through=7)
    with pytest.raises(ValidationFailed):
        mark(security, case, 11, reason=" ")


@pytest.mark.parametrize("how", ["in_progress", "ticked"])
def test_the_dpa_cannot_be_marked_not_relevant_once_the_contract_has_started(
        coordinator, security, case, how):
    testing.advance(coordinator, case, through=7)
    if how == "in_progress":
        services.step_update(actor=coordinator, case_id=case.pk, number=12, status="in_progress")
    else:
        services.step_update(actor=coordinator, case_id=case.pk, number=12,
                             checklist=[{"id": "12.4", "done": True}])
    before = everything(case)
    with pytest.raises(NotRelevantLocked) as info:
        mark(security, case, 11)
    assert info.value.code == "not_relevant_locked"
    assert "trin 12" in info.value.message
    assert everything(case) == before


def test_management_or_procurement_mark_the_contract_not_relevant(coordinator, manager,
                                                                  procurement, security):
    first = testing.new_case(coordinator)
    testing.advance(coordinator, first, through=7)
    mark(manager, first, 12, reason="Aftalen indgås på en eksisterende rammeaftale.")
    assert step(first, 12).status == "not_relevant"
    second = testing.new_case(coordinator)
    testing.advance(coordinator, second, through=7)
    with pytest.raises(PermissionDenied):
        mark(security, second, 12)
    mark(procurement, second, 12, reason="Indkøbet sker på en eksisterende rammeaftale.")
    assert step(second, 12).status == "not_relevant"


def test_the_automatic_not_relevant_of_the_replace_only_steps_stays(coordinator, case):
    assert step(case, 13).status == "not_relevant"
    assert step(case, 21).status == "not_relevant"
    services.case_update(actor=coordinator, case_id=case.pk, data={"replaces_system": True})
    assert step(case, 13).status == "not_started"
    services.case_update(actor=coordinator, case_id=case.pk, data={"replaces_system": False})
    assert step(case, 13).status == "not_relevant"
    assert step(case, 13).not_relevant_reason == services.NOT_REPLACING_REASON
