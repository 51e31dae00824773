"""services.step_reopen: corrections with a reason, never past what rests on the step."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import Conflict, InvalidTransition, NotFound, ValidationFailed

from .helpers import everything, fresh, last_event, step

pytestmark = pytest.mark.django_db


def reopen(actor, case, number, reason="Der manglede en oplysning.", **kwargs):
    return services.step_reopen(actor=actor, case_id=case.pk, number=number, reason=reason,
                                **kwargs)


def test_a_done_step_is_reopened_to_in_progress(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2, remarks="Noter")
    reopen(coordinator, case, 2)
    state = step(case, 2)
    assert state.status == "in_progress"
    assert state.completed_by is None and state.completed_at is None
    assert state.remarks == "Noter"
    assert state.version == 3


def test_reopening_is_audited_with_the_reason(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2)
    reopen(coordinator, case, 2, reason="Markedsanalysen skal opdateres.")
    event = last_event(case)
    assert event.event_type == "step.reopened"
    assert event.before["steps"] == {"2": "done"}
    assert event.after == {"status": "active", "steps": {"2": "in_progress"},
                           "reason": "Markedsanalysen skal opdateres."}


def test_a_not_relevant_step_is_reopened_and_loses_its_reason(coordinator, case):
    services.step_mark_not_relevant(actor=coordinator, case_id=case.pk, number=3,
                                    reason="Ingen leverandørdialog")
    reopen(coordinator, case, 3, reason="Der skal alligevel være dialog.")
    state = step(case, 3)
    assert state.status == "in_progress"
    assert state.not_relevant_reason == ""


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_reason_is_required(coordinator, case, reason):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2)
    with pytest.raises(ValidationFailed) as info:
        reopen(coordinator, case, 2, reason=reason)
    assert set(info.value.errors) == {"reason"}
    assert step(case, 2).status == "done"


@pytest.mark.parametrize("gate", [6, 7, 18])
def test_a_gate_cannot_be_reopened(coordinator, case, gate):
    testing.advance(coordinator, case, through=gate)
    before = everything(case)
    with pytest.raises(InvalidTransition):
        reopen(coordinator, case, gate)
    assert everything(case) == before


@pytest.mark.parametrize("prepare", ["not_started", "in_progress"])
def test_a_step_neither_done_nor_not_relevant_cannot_be_reopened(coordinator, case, prepare):
    if prepare == "in_progress":
        services.step_update(actor=coordinator, case_id=case.pk, number=3, status="in_progress")
    with pytest.raises(InvalidTransition):
        reopen(coordinator, case, 3)


def test_the_dpa_cannot_be_reopened_once_the_contract_is_done(coordinator, case):
    testing.advance(coordinator, case, through=12)
    before = everything(case)
    with pytest.raises(InvalidTransition) as info:
        reopen(coordinator, case, 11)
    assert "12" in info.value.message
    assert everything(case) == before


def test_a_step_that_passed_gate_6_rests_on_cannot_be_reopened(coordinator, case):
    testing.advance(coordinator, case, through=6)
    with pytest.raises(InvalidTransition):
        reopen(coordinator, case, 4)


def test_a_step_before_an_undecided_gate_can_be_reopened(coordinator, case):
    testing.advance(coordinator, case, through=17)
    reopen(coordinator, case, 14)
    assert step(case, 14).status == "in_progress"
    assert fresh(case).phase == 4


def test_13_cannot_be_reopened_while_nothing_is_replaced(coordinator, case):
    with pytest.raises(InvalidTransition) as info:
        reopen(coordinator, case, 13)
    assert "erstatter" in info.value.message


def test_reopening_step_20_takes_a_case_out_of_operation(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=20)
    reopen(coordinator, case, 20, reason="Driften er ikke stabil.")
    assert fresh(case).status == "active"


def test_a_stale_version_is_a_conflict(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2)
    with pytest.raises(Conflict):
        reopen(coordinator, case, 2, version=1)
    reopen(coordinator, case, 2, version=2)


def test_a_case_of_another_organisation_is_not_found(outsider, coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2)
    with pytest.raises(NotFound):
        reopen(outsider, case, 2)
    assert step(case, 2).status == "done"
