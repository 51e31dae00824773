"""services.step_complete: the rules of the engine, written in one audited transaction."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import (
    CaseClosed,
    Conflict,
    ContractBeforeDPA,
    GateNotReady,
    InvalidTransition,
    NotFound,
    RequirementMissing,
    StepNotOpen,
)

from .helpers import event_types, everything, fresh, last_event, step

pytestmark = pytest.mark.django_db


def complete(actor, case, number, **kwargs):
    return services.step_complete(actor=actor, case_id=case.pk, number=number, **kwargs)


def test_completing_a_step_records_who_and_when(coordinator, case):
    complete(coordinator, case, 1)
    state = step(case, 1)
    assert state.status == "done"
    assert state.completed_by == coordinator
    assert state.completed_at is not None
    assert state.version == 2


def test_completing_a_step_is_audited(coordinator, case):
    complete(coordinator, case, 1)
    event = last_event(case)
    assert event.event_type == "step.completed"
    assert event.object_id == f"{case.pk}:1"
    assert event.before == {"status": "active", "steps": {"1": "not_started"}}
    assert event.after == {"status": "active", "steps": {"1": "done"}}
    assert event.actor_role == "coordinator"


def test_remarks_can_be_given_with_the_completion(coordinator, case):
    complete(coordinator, case, 2, remarks="Ingen udbudspligt.")
    assert step(case, 2).remarks == "Ingen udbudspligt."


def test_steps_of_the_open_segment_complete_in_any_order(coordinator, board_member, case):
    for n in (4, 2, 5, 1, 3):
        if n == 5:  # the board's review: only the board completes it, with a reason
            complete(board_member, case, n, remarks="Behandlet uden for anskaf")
        else:
            complete(coordinator, case, n)
    case = fresh(case)
    assert case.phase == 2
    assert case.waiting_steps == [6]
    assert case.waiting_roles == ["it_board"]


def test_it_refuses_a_step_behind_an_undecided_gate(coordinator, case):
    before = everything(case)
    with pytest.raises(StepNotOpen) as info:
        complete(coordinator, case, 9)
    assert info.value.code == "step_not_open"
    assert everything(case) == before


def test_it_refuses_contract_before_dpa(coordinator, case):
    testing.advance(coordinator, case, through=10)
    testing.tick_required(coordinator, case, 12)
    before = everything(case)
    with pytest.raises(ContractBeforeDPA) as info:
        complete(coordinator, case, 12)
    assert info.value.code == "contract_before_dpa"
    assert everything(case) == before


def test_contract_before_dpa_wins_over_step_not_open(coordinator, case):
    with pytest.raises(ContractBeforeDPA):
        complete(coordinator, case, 12)


def test_the_contract_needs_its_required_checklist_items(coordinator, case):
    testing.advance(coordinator, case, through=11)
    with pytest.raises(RequirementMissing) as info:
        complete(coordinator, case, 12)
    assert info.value.code == "requirement_missing"
    assert "KITOS" in info.value.message
    testing.tick_required(coordinator, case, 12)
    testing.provide_documents(coordinator, case, 12)
    complete(coordinator, case, 12)
    assert step(case, 12).status == "done"


def test_the_contract_may_follow_a_dpa_marked_not_needed(coordinator, case):
    testing.advance(coordinator, case, through=10)
    services.step_mark_not_relevant(actor=testing.stand_in(case, ("security",)),
                                    case_id=case.pk, number=11, reason="Ingen personoplysninger.")
    testing.tick_required(coordinator, case, 12)
    testing.provide_documents(coordinator, case, 12)
    complete(coordinator, case, 12)
    assert step(case, 12).status == "done"


def test_it_refuses_step_20_before_19(coordinator, case):
    testing.advance(coordinator, case, through=18)
    with pytest.raises(StepNotOpen):
        complete(coordinator, case, 20)


def test_completing_a_gate_points_to_decisions(coordinator, case):
    testing.advance(coordinator, case, through=5)
    with pytest.raises(GateNotReady) as info:
        complete(coordinator, case, 6)
    assert info.value.code == "gate_not_ready"


def test_it_refuses_completing_a_done_step(coordinator, case):
    complete(coordinator, case, 1)
    with pytest.raises(InvalidTransition):
        complete(coordinator, case, 1)


def test_it_refuses_completing_a_not_relevant_step(coordinator, case):
    with pytest.raises(InvalidTransition):
        complete(coordinator, case, 13)


def test_a_stale_version_is_a_conflict(coordinator, case):
    services.step_update(actor=coordinator, case_id=case.pk, number=1, remarks="A")
    with pytest.raises(Conflict):
        complete(coordinator, case, 1, version=1)
    assert step(case, 1).status == "not_started"
    complete(coordinator, case, 1, version=2)
    assert step(case, 1).status == "done"


def test_the_phase_moves_as_steps_are_done(coordinator, case):
    complete(coordinator, case, 1)
    assert fresh(case).phase == 1
    complete(coordinator, case, 2)
    assert fresh(case).phase == 2


def test_step_20_puts_a_replacing_case_in_operation(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=19)
    complete(coordinator, case, 20)
    case = fresh(case)
    assert case.status == "in_operation"
    assert case.phase == 5
    assert case.waiting_steps == [21]


def test_step_21_completes_a_case_in_operation(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=20)
    complete(coordinator, case, 21)
    case = fresh(case)
    assert case.status == "completed"
    assert case.phase is None
    assert case.waiting_steps == []


def test_step_20_completes_a_case_that_replaces_nothing(coordinator, case):
    testing.advance(coordinator, case, through=19)
    complete(coordinator, case, 20)
    assert fresh(case).status == "completed"
    assert last_event(case).after["status"] == "completed"


def test_a_completed_case_is_read_only(coordinator, case):
    testing.advance(coordinator, case, through=21)
    with pytest.raises(CaseClosed):
        services.step_update(actor=coordinator, case_id=case.pk, number=1, remarks="x")
    with pytest.raises(CaseClosed):
        services.step_reopen(actor=coordinator, case_id=case.pk, number=21, reason="x")
    with pytest.raises(CaseClosed):
        services.case_update(actor=coordinator, case_id=case.pk, data={"title": "x"})


def test_a_walk_through_all_21_steps_leaves_one_event_per_move(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=21)
    types = event_types(case)
    assert types.count("step.completed") == 18
    assert types.count("decision.recorded") == 3
    assert types.count("step.updated") == 1  # the ticks of step 12's required items


def test_a_case_of_another_organisation_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        complete(outsider, case, 1)
    assert step(case, 1).status == "not_started"
