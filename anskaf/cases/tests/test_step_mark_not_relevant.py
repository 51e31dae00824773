"""services.step_mark_not_relevant: any non-gate step, with a reason, audited."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import Conflict, InvalidTransition, NotFound, ValidationFailed

from .helpers import everything, fresh, last_event, step

pytestmark = pytest.mark.django_db


def mark(actor, case, number, reason="Ikke relevant for denne anskaffelse.", **kwargs):
    return services.step_mark_not_relevant(actor=actor, case_id=case.pk, number=number,
                                           reason=reason, **kwargs)


def test_a_step_is_marked_not_relevant_with_its_reason(coordinator, case):
    mark(coordinator, case, 11, reason="  Ingen personoplysninger behandles.  ")
    state = step(case, 11)
    assert state.status == "not_relevant"
    assert state.not_relevant_reason == "Ingen personoplysninger behandles."
    assert state.completed_by is None
    assert state.version == 2


def test_marking_not_relevant_is_audited_with_the_reason(coordinator, case):
    mark(coordinator, case, 9, reason="Lille anskaffelse uden projektorganisation.")
    event = last_event(case)
    assert event.event_type == "step.not_relevant"
    assert event.before == {"status": "active", "steps": {"9": "not_started"}}
    assert event.after == {"status": "active", "steps": {"9": "not_relevant"},
                           "reason": "Lille anskaffelse uden projektorganisation."}


@pytest.mark.parametrize("reason", [None, "", "  ", 3])
def test_a_reason_is_required(coordinator, case, reason):
    before = everything(case)
    with pytest.raises(ValidationFailed) as info:
        mark(coordinator, case, 9, reason=reason)
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
    services.step_update(actor=coordinator, case_id=case.pk, number=9, status="in_progress")
    mark(coordinator, case, 9)
    assert step(case, 9).status == "not_relevant"
    assert fresh(case).steps_in_progress == []


def test_a_step_ahead_of_its_segment_can_be_marked_not_relevant(coordinator, case):
    mark(coordinator, case, 19)
    assert step(case, 19).status == "not_relevant"


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
    services.step_update(actor=coordinator, case_id=case.pk, number=9, remarks="A")
    with pytest.raises(Conflict):
        mark(coordinator, case, 9, version=1)
    mark(coordinator, case, 9, version=2)


def test_a_case_of_another_organisation_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        mark(outsider, case, 9)
