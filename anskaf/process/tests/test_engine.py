"""One test (or a few) per rule of PROCESS.md "How the rules become an engine".

Pure Python: no Django, no database.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from anskaf.process import engine
from anskaf.process.engine import CaseStatus, StepStatus
from anskaf.process.errors import (
    BadRequest,
    CaseClosed,
    ContractBeforeDPA,
    GateNotReady,
    InvalidTransition,
    MoveRefused,
    NotAGate,
    NotRelevantLocked,
    OutcomeNotAllowed,
    RequirementMissing,
    StepNotOpen,
)

from .helpers import GATES, MODEL, NUMBERS, Case

NS, IP, DONE, NR = (StepStatus.NOT_STARTED, StepStatus.IN_PROGRESS, StepStatus.DONE,
                    StepStatus.NOT_RELEVANT)


def done_through(n: int, replaces_system: bool = False) -> Case:
    return Case.new(replaces_system).advance(n)


# --- a new case -----------------------------------------------------------------------------


def test_a_new_case_is_active_in_phase_1_with_every_step_not_started():
    case = Case.new(replaces_system=True)
    assert case.case_status == CaseStatus.ACTIVE
    assert set(case.snap.steps.values()) == {NS}
    assert engine.current_phase(MODEL, case.snap) == 1


def test_a_new_case_not_replacing_a_system_has_13_and_21_not_relevant():
    case = Case.new(replaces_system=False)
    assert {n for n, s in case.snap.steps.items() if s == NR} == {13, 21}


def test_the_case_waits_for_steps_1_to_5_at_first():
    case = Case.new()
    assert [s.number for s in engine.waiting_steps(MODEL, case.snap)] == [1, 2, 3, 4, 5]
    assert "requester" in engine.waiting_roles(MODEL, case.snap)


def test_the_case_waits_for_the_it_board_once_1_to_5_are_done():
    case = done_through(5)
    assert [s.number for s in engine.waiting_steps(MODEL, case.snap)] == [6]
    assert engine.waiting_roles(MODEL, case.snap) == ("it_board",)


def test_a_closed_case_waits_for_nobody():
    case = done_through(5)
    case.decide(6, "no")
    assert engine.waiting_steps(MODEL, case.snap) == ()


# --- segments -------------------------------------------------------------------------------


def test_the_first_segment_is_open_from_the_start():
    case = Case.new()
    assert all(engine.segment_open(MODEL, case.snap, n) for n in (1, 2, 3, 4, 5, 6))
    assert not engine.segment_open(MODEL, case.snap, 7)
    assert not engine.segment_open(MODEL, case.snap, 8)


def test_steps_in_an_open_segment_may_be_completed_in_any_order():
    case = Case.new()
    for n in (5, 3, 1, 4, 2):
        case.complete(n)
    assert all(case.status(n) == DONE for n in range(1, 6))


def test_it_refuses_completing_a_step_behind_an_undecided_gate():
    case = Case.new()
    with pytest.raises(StepNotOpen) as info:
        case.complete(8)
    assert info.value.code == "step_not_open"
    assert "trin 6" in info.value.message


def test_it_refuses_completing_a_step_behind_gate_7_when_only_6_is_passed():
    case = done_through(6)
    assert engine.segment_open(MODEL, case.snap, 7)
    assert not engine.segment_open(MODEL, case.snap, 8)
    with pytest.raises(StepNotOpen) as info:
        case.complete(8)
    assert "trin 7" in info.value.message


def test_ja_at_6_and_7_opens_steps_8_to_17():
    case = done_through(7)
    for n in range(8, 18):
        assert engine.segment_open(MODEL, case.snap, n)
    case.complete(17)
    case.complete(8)
    assert case.status(17) == case.status(8) == DONE


def test_it_refuses_completing_step_19_before_gate_18_is_ja():
    case = done_through(17)
    with pytest.raises(StepNotOpen) as info:
        case.complete(19)
    assert "trin 18" in info.value.message


def test_ja_at_18_opens_the_operation_segment():
    case = done_through(18)
    assert engine.segment_open(MODEL, case.snap, 19)
    case.complete(19)
    assert case.status(19) == DONE


# --- work at any time -----------------------------------------------------------------------


def test_any_applicable_step_may_be_started_ahead_of_its_segment():
    case = Case.new(replaces_system=True)
    for n in (8, 13, 18, 21):
        case.start(n)
        assert case.status(n) == IP


def test_it_refuses_starting_a_step_that_is_already_started():
    case = Case.new()
    case.start(3)
    with pytest.raises(InvalidTransition):
        case.start(3)


def test_it_refuses_starting_a_done_step():
    case = Case.new()
    case.complete(3)
    with pytest.raises(InvalidTransition):
        case.start(3)


def test_it_refuses_work_on_a_not_relevant_step():
    case = Case.new()
    with pytest.raises(InvalidTransition) as info:
        engine.check_work(MODEL, case.snap, 13)
    assert "ikke relevant" in info.value.message
    with pytest.raises(InvalidTransition):
        case.start(13)


def test_a_done_step_may_still_be_worked_on():
    case = Case.new()
    case.complete(2)
    engine.check_work(MODEL, case.snap, 2)  # remarks and checklist stay editable


def test_an_in_operation_case_is_still_writable():
    case = done_through(20, replaces_system=True)
    assert case.case_status == CaseStatus.IN_OPERATION
    engine.check_work(MODEL, case.snap, 21)
    case.start(21)
    case.complete(21)
    assert case.case_status == CaseStatus.COMPLETED


# --- explicit requirements ------------------------------------------------------------------


def test_it_refuses_contract_before_dpa():
    case = done_through(10)
    case.tick_required(12)
    with pytest.raises(ContractBeforeDPA) as info:
        case.complete(12)
    assert info.value.code == "contract_before_dpa"
    assert "trin 11" in info.value.message


def test_contract_before_dpa_wins_over_step_not_open():
    case = Case.new()
    case.tick_required(12)
    with pytest.raises(ContractBeforeDPA):
        case.complete(12)


def test_once_the_dpa_is_in_place_a_closed_segment_still_says_step_not_open():
    case = Case.new()
    case.snap = replace(case.snap, steps={**case.snap.steps, 11: DONE})
    with pytest.raises(StepNotOpen):
        case.complete(12)


def test_the_contract_may_be_signed_once_the_dpa_is_done():
    case = done_through(11)
    case.tick_required(12)
    case.complete(12)
    assert case.status(12) == DONE


def test_the_contract_may_be_signed_when_the_dpa_is_marked_not_needed():
    case = done_through(10)
    case.mark_not_relevant(11)
    case.tick_required(12)
    case.complete(12)
    assert case.status(12) == DONE


def test_it_refuses_the_contract_while_a_required_checklist_item_is_open():
    case = done_through(11)
    with pytest.raises(RequirementMissing) as info:
        case.complete(12)
    assert info.value.code == "requirement_missing"
    assert "Kontrakten underskrives" in info.value.message


def test_it_refuses_step_20_before_19():
    case = done_through(18)
    with pytest.raises(StepNotOpen) as info:
        case.complete(20)
    assert "trin 19" in info.value.message


def test_step_20_may_follow_19_marked_not_relevant():
    case = done_through(18)
    case.mark_not_relevant(19)
    case.complete(20)
    assert case.status(20) == DONE


def test_it_refuses_step_21_before_20():
    case = done_through(19, replaces_system=True)
    with pytest.raises(StepNotOpen) as info:
        case.complete(21)
    assert "trin 20" in info.value.message


def test_it_refuses_completing_a_gate_pointing_to_decisions():
    case = done_through(5)
    with pytest.raises(GateNotReady) as info:
        case.complete(6)
    assert info.value.code == "gate_not_ready"
    assert "beslutning" in info.value.message.lower()


def test_it_refuses_completing_a_done_step():
    case = Case.new()
    case.complete(1)
    with pytest.raises(InvalidTransition) as info:
        case.complete(1)
    assert info.value.code == "invalid_transition"


def test_it_refuses_completing_a_not_relevant_step():
    case = Case.new()
    case.mark_not_relevant(2)
    with pytest.raises(InvalidTransition):
        case.complete(2)


# --- gate readiness -------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [1, 2, 3, 4, 5])
def test_gate_6_rests_on_every_one_of_steps_1_to_5(missing):
    case = Case.new()
    for n in range(1, 6):
        if n != missing:
            case.complete(n)
    with pytest.raises(GateNotReady) as info:
        case.decide(6, "yes")
    assert str(missing) in info.value.message


def test_gate_6_may_be_decided_when_1_to_5_are_done_or_not_relevant():
    case = Case.new()
    case.mark_not_relevant(2)
    for n in (1, 3, 4, 5):
        case.complete(n)
    case.decide(6, "yes")
    assert case.status(6) == DONE


def test_gate_7_rests_on_gate_6():
    case = done_through(5)
    with pytest.raises(GateNotReady):
        case.decide(7, "yes")
    case.decide(6, "maybe")
    with pytest.raises(GateNotReady):
        case.decide(7, "yes")


@pytest.mark.parametrize("missing", range(8, 18))
def test_gate_18_rests_on_every_one_of_steps_8_to_17(missing):
    case = done_through(7, replaces_system=True)
    for n in range(8, 18):
        if n != missing and not (missing == 11 and n == 12):  # 12 needs 11 (the DPA)
            case.tick_required(n)
            case.complete(n)
    with pytest.raises(GateNotReady) as info:
        case.decide(18, "yes")
    assert str(missing) in info.value.message


def test_gate_18_does_not_wait_for_step_13_when_nothing_is_replaced():
    case = done_through(17, replaces_system=False)
    assert case.status(13) == NR
    case.decide(18, "yes")
    assert case.status(18) == DONE


def test_gate_18_is_not_open_before_gates_6_and_7_are_ja():
    case = Case.new(replaces_system=True)
    case.snap = replace(case.snap, steps={**case.snap.steps, **{n: NR for n in range(8, 18)}})
    with pytest.raises(StepNotOpen):
        case.decide(18, "yes")


# --- outcomes -------------------------------------------------------------------------------


def test_ja_at_6_makes_the_gate_done_and_keeps_the_case_active():
    case = done_through(5)
    t = case.decide(6, "yes")
    assert t.decision_round == 1
    assert case.status(6) == DONE
    assert case.case_status == CaseStatus.ACTIVE


def test_maybe_at_6_returns_4_and_5_to_in_progress_and_keeps_6_open():
    case = done_through(5)
    t = case.decide(6, "maybe")
    assert t.steps == {4: IP, 5: IP, 6: IP}
    assert [case.status(n) for n in (1, 2, 3, 4, 5, 6)] == [DONE, DONE, DONE, IP, IP, IP]
    assert case.case_status == CaseStatus.ACTIVE


def test_maybe_at_6_raises_the_round_by_one_each_time():
    case = done_through(5)
    assert case.decide(6, "maybe").decision_round == 1
    case.complete(4)
    case.complete(5)
    assert case.decide(6, "maybe").decision_round == 2
    case.complete(4)
    case.complete(5)
    assert case.decide(6, "yes").decision_round == 3
    assert case.status(6) == DONE


def test_after_maybe_gate_6_waits_for_4_and_5_again():
    case = done_through(5)
    case.decide(6, "maybe")
    with pytest.raises(GateNotReady) as info:
        case.decide(6, "yes")
    assert "4" in info.value.message and "5" in info.value.message


def test_maybe_at_6_leaves_a_not_relevant_step_4_as_it_is():
    case = Case.new()
    case.mark_not_relevant(4)
    for n in (1, 2, 3, 5):
        case.complete(n)
    t = case.decide(6, "maybe")
    assert 4 not in t.steps
    assert case.status(4) == NR


@pytest.mark.parametrize("gate", [6, 7])
def test_nej_at_6_or_7_rejects_the_case_and_makes_the_gate_done(gate):
    case = done_through(gate - 1)
    t = case.decide(gate, "no")
    assert t.case_status == CaseStatus.REJECTED
    assert case.case_status == CaseStatus.REJECTED
    assert case.status(gate) == DONE


def test_nej_at_18_returns_17_to_in_progress_and_keeps_18_open():
    case = done_through(17)
    t = case.decide(18, "no")
    assert t.steps == {17: IP, 18: IP}
    assert case.case_status == CaseStatus.ACTIVE
    assert case.status(16) == DONE


def test_each_gate_counts_its_own_rounds():
    case = done_through(5)
    case.decide(6, "maybe")
    case.complete(4)
    case.complete(5)
    assert case.decide(6, "yes").decision_round == 2
    assert case.decide(7, "yes").decision_round == 1
    case.advance(17)
    assert case.decide(18, "no").decision_round == 1
    case.complete(17)
    assert case.decide(18, "yes").decision_round == 2


def test_ja_at_18_after_a_nej_opens_the_operation_segment():
    case = done_through(17)
    case.decide(18, "no")
    case.complete(17)
    case.decide(18, "yes")
    case.complete(19)
    assert case.status(19) == DONE


@pytest.mark.parametrize("gate", [7, 18])
def test_maybe_is_not_an_outcome_at_7_or_18(gate):
    case = done_through(gate - 1)
    with pytest.raises(OutcomeNotAllowed) as info:
        case.decide(gate, "maybe")
    assert info.value.code == "outcome_not_allowed"
    assert info.value.status == 409  # the model refuses it (ADR 0022)
    assert "»Ja" in info.value.message


def test_an_unknown_outcome_is_not_allowed():
    with pytest.raises(OutcomeNotAllowed):
        engine.check_outcome(MODEL, 6, "perhaps")


@pytest.mark.parametrize("number", [n for n in NUMBERS if n not in GATES])
def test_a_decision_on_a_step_that_is_not_a_gate_is_a_business_refusal(number):
    with pytest.raises(NotAGate) as info:
        engine.decide(MODEL, Case.new().snap, number, "yes")
    assert info.value.code == "invalid_reference"
    assert info.value.status == 409
    assert not isinstance(info.value, BadRequest)


@pytest.mark.parametrize("gate", GATES)
def test_it_refuses_deciding_a_gate_already_decided_ja(gate):
    case = done_through(gate)
    with pytest.raises(InvalidTransition) as info:
        case.decide(gate, "yes")
    assert "allerede besluttet" in info.value.message


# --- not relevant ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", [n for n in NUMBERS if n not in (*GATES, 13, 21)])
def test_any_non_gate_step_may_be_marked_not_relevant_once_its_segment_is_open(number):
    gates = [g.number for g in MODEL.gates_before(number)]
    case = done_through(max(gates)) if gates else Case.new()
    t = case.mark_not_relevant(number)
    assert t.steps == {number: NR}
    assert case.status(number) == NR


def test_a_step_in_progress_may_be_marked_not_relevant():
    case = Case.new()
    case.start(3)
    case.mark_not_relevant(3)
    assert case.status(3) == NR


def test_13_and_21_may_be_marked_not_relevant_when_a_system_is_replaced():
    case = done_through(7, replaces_system=True)
    case.mark_not_relevant(13)
    assert case.status(13) == NR
    case = done_through(18, replaces_system=True)
    case.mark_not_relevant(21)
    assert case.status(21) == NR


@pytest.mark.parametrize("number", [n for n in NUMBERS if n not in GATES and n > 6])
def test_a_step_behind_a_gate_not_yet_passed_cannot_be_marked_not_relevant(number):
    case = Case.new(replaces_system=True)
    with pytest.raises(StepNotOpen) as info:
        case.mark_not_relevant(number)
    assert info.value.code == "step_not_open"
    assert "besluttet med Ja" in info.value.message
    assert case.status(number) == StepStatus.NOT_STARTED


def test_the_model_rules_the_dpa_out_once_the_contract_has_started():
    case = done_through(7)
    case.start(12)
    with pytest.raises(NotRelevantLocked) as info:
        case.mark_not_relevant(11)
    assert info.value.code == "not_relevant_locked"
    assert "trin 12" in info.value.message and "påbegyndt" in info.value.message


def test_a_ticked_contract_item_counts_as_started():
    case = done_through(7)
    case.tick_required(12)
    with pytest.raises(NotRelevantLocked):
        case.mark_not_relevant(11)


def test_the_dpa_may_be_marked_not_relevant_while_the_contract_is_untouched():
    case = done_through(10)
    case.mark_not_relevant(11)
    assert case.status(11) == NR


@pytest.mark.parametrize("gate", GATES)
def test_a_gate_cannot_be_marked_not_relevant(gate):
    with pytest.raises(InvalidTransition) as info:
        Case.new().mark_not_relevant(gate)
    assert "beslutningspunkt" in info.value.message


def test_a_done_step_cannot_be_marked_not_relevant():
    case = Case.new()
    case.complete(2)
    with pytest.raises(InvalidTransition) as info:
        case.mark_not_relevant(2)
    assert "Genåbn" in info.value.message


def test_a_not_relevant_step_cannot_be_marked_not_relevant_again():
    case = Case.new()
    with pytest.raises(InvalidTransition):
        case.mark_not_relevant(13)


# --- reopen ---------------------------------------------------------------------------------


def test_a_done_step_can_be_reopened_to_in_progress():
    case = Case.new()
    case.complete(3)
    assert case.reopen(3).steps == {3: IP}


def test_a_not_relevant_step_can_be_reopened_to_in_progress():
    case = Case.new()
    case.mark_not_relevant(3)
    case.reopen(3)
    assert case.status(3) == IP


@pytest.mark.parametrize("gate", GATES)
def test_a_gate_cannot_be_reopened(gate):
    case = done_through(gate)
    with pytest.raises(InvalidTransition) as info:
        case.reopen(gate)
    assert "beslutningspunkt" in info.value.message


@pytest.mark.parametrize("status", ["not_started", "in_progress"])
def test_a_step_that_is_neither_done_nor_not_relevant_cannot_be_reopened(status):
    case = Case.new()
    if status == "in_progress":
        case.start(2)
    with pytest.raises(InvalidTransition):
        case.reopen(2)


def test_the_dpa_cannot_be_reopened_once_the_contract_is_signed():
    case = done_through(12)
    with pytest.raises(InvalidTransition) as info:
        case.reopen(11)
    assert "12" in info.value.message


def test_a_dpa_marked_not_needed_cannot_be_reopened_once_the_contract_is_signed():
    case = done_through(10)
    case.mark_not_relevant(11)
    case.tick_required(12)
    case.complete(12)
    with pytest.raises(InvalidTransition):
        case.reopen(11)


def test_the_dpa_can_be_reopened_while_the_contract_is_not_signed():
    case = done_through(11)
    case.reopen(11)
    assert case.status(11) == IP


def test_step_19_cannot_be_reopened_once_20_is_done_nor_20_once_21_is_done():
    case = done_through(20, replaces_system=True)
    with pytest.raises(InvalidTransition):
        case.reopen(19)
    case.reopen(20)  # 21 is not done yet
    assert case.case_status == CaseStatus.ACTIVE
    case.complete(20)
    case.complete(21)
    assert case.case_status == CaseStatus.COMPLETED


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_a_step_that_a_passed_gate_6_rests_on_cannot_be_reopened(number):
    case = done_through(6)
    with pytest.raises(InvalidTransition) as info:
        case.reopen(number)
    assert "6" in info.value.message


@pytest.mark.parametrize("number", range(8, 18))
def test_a_step_that_a_passed_gate_18_rests_on_cannot_be_reopened(number):
    case = done_through(18, replaces_system=True)
    with pytest.raises(InvalidTransition):
        case.reopen(number)


def test_a_step_in_a_segment_whose_gate_is_still_open_can_be_reopened():
    case = done_through(17)
    case.reopen(15)
    assert case.status(15) == IP


@pytest.mark.parametrize("number", [13, 21])
def test_13_and_21_cannot_be_reopened_while_nothing_is_replaced(number):
    case = Case.new(replaces_system=False)
    with pytest.raises(InvalidTransition) as info:
        case.reopen(number)
    assert "erstatter" in info.value.message


def test_13_marked_not_relevant_can_be_reopened_when_a_system_is_replaced():
    case = done_through(7, replaces_system=True)
    case.mark_not_relevant(13)
    case.reopen(13)
    assert case.status(13) == IP


# --- replaces_system ------------------------------------------------------------------------


def test_replacing_a_system_makes_13_and_21_applicable():
    case = Case.new(replaces_system=False)
    t = case.set_replaces_system(True)
    assert t.steps == {13: NS, 21: NS}
    assert case.snap.replaces_system


def test_no_longer_replacing_a_system_makes_13_and_21_not_relevant():
    case = Case.new(replaces_system=True)
    case.start(13)
    t = case.set_replaces_system(False)
    assert t.steps == {13: NR, 21: NR}


def test_setting_replaces_system_to_its_current_value_changes_nothing():
    case = Case.new(replaces_system=True)
    assert engine.set_replaces_system(MODEL, case.snap, True).steps == {}


def test_it_refuses_no_longer_replacing_when_step_13_is_done():
    case = done_through(7, replaces_system=True)
    case.complete(13)
    with pytest.raises(InvalidTransition) as info:
        case.set_replaces_system(False)
    assert "13" in info.value.message


def test_replaces_system_may_change_after_a_nej_at_18_since_18_is_still_open():
    case = done_through(17)
    case.decide(18, "no")
    case.set_replaces_system(True)
    assert case.status(13) == NS
    case.complete(17)
    with pytest.raises(GateNotReady):
        case.decide(18, "yes")


@pytest.mark.parametrize("value", [True, False])
def test_it_refuses_changing_replaces_system_once_gate_18_is_decided(value):
    case = done_through(18, replaces_system=not value)
    with pytest.raises(InvalidTransition) as info:
        case.set_replaces_system(value)
    assert "18" in info.value.message


def test_it_refuses_changing_replaces_system_in_operation():
    case = done_through(20, replaces_system=True)
    with pytest.raises(InvalidTransition):
        case.set_replaces_system(False)


# --- current phase --------------------------------------------------------------------------


def test_the_current_phase_is_the_lowest_with_an_applicable_step_not_done():
    case = Case.new()
    case.complete(3)
    assert engine.current_phase(MODEL, case.snap) == 1
    case.complete(1)
    case.complete(2)
    assert engine.current_phase(MODEL, case.snap) == 2


def test_a_not_relevant_step_does_not_hold_the_phase_back():
    case = Case.new()
    case.complete(1)
    case.mark_not_relevant(2)
    assert engine.current_phase(MODEL, case.snap) == 2


@pytest.mark.parametrize(("through", "phase"), [
    (0, 1), (2, 2), (5, 2), (6, 3), (12, 4), (17, 4), (18, 5), (19, 5),
])
def test_the_current_phase_follows_the_steps(through, phase):
    case = done_through(through)
    assert engine.current_phase(MODEL, case.snap) == phase


def test_step_13_not_relevant_does_not_hold_phase_4():
    case = done_through(12, replaces_system=False)
    for n in range(14, 19):
        if n != 18:
            case.complete(n)
    case.decide(18, "yes")
    assert engine.current_phase(MODEL, case.snap) == 5


def test_the_current_phase_is_none_when_completed():
    case = done_through(21)
    assert case.case_status == CaseStatus.COMPLETED
    assert engine.current_phase(MODEL, case.snap) is None


# --- derived status -------------------------------------------------------------------------


def test_the_case_is_in_operation_when_20_is_done_and_21_is_to_do():
    case = done_through(19, replaces_system=True)
    t = case.complete(20)
    assert t.case_status == CaseStatus.IN_OPERATION
    assert engine.derive_status(MODEL, case.snap) == CaseStatus.IN_OPERATION


def test_the_case_is_completed_when_20_is_done_and_nothing_is_replaced():
    case = done_through(19, replaces_system=False)
    t = case.complete(20)
    assert t.case_status == CaseStatus.COMPLETED


def test_the_case_is_completed_when_every_applicable_step_is_done():
    case = done_through(20, replaces_system=True)
    case.complete(21)
    assert engine.derive_status(MODEL, case.snap) == CaseStatus.COMPLETED


def test_marking_21_not_relevant_in_operation_completes_the_case():
    case = done_through(20, replaces_system=True)
    assert case.mark_not_relevant(21).case_status == CaseStatus.COMPLETED


def test_reopening_20_in_operation_makes_the_case_active_again():
    case = done_through(20, replaces_system=True)
    assert case.reopen(20).case_status == CaseStatus.ACTIVE


@pytest.mark.parametrize("status", [CaseStatus.REJECTED, CaseStatus.WITHDRAWN])
def test_rejected_and_withdrawn_stay_so_whatever_the_steps(status):
    case = done_through(5)
    case.close_as(status)
    assert engine.derive_status(MODEL, case.snap) == status


def test_an_active_case_with_work_left_is_active():
    assert engine.derive_status(MODEL, done_through(17).snap) == CaseStatus.ACTIVE


# --- closed cases ---------------------------------------------------------------------------


def closed(status: CaseStatus) -> Case:
    if status == CaseStatus.COMPLETED:
        return done_through(21)
    if status == CaseStatus.REJECTED:
        case = done_through(6)
        case.decide(7, "no")
        return case
    case = done_through(7, replaces_system=True)
    case.close_as(CaseStatus.WITHDRAWN)
    return case


CLOSED = [CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.COMPLETED]
MOVES = [
    ("start", lambda c: c.start(9)),
    ("complete", lambda c: c.complete(9)),
    ("complete a gate", lambda c: c.complete(18)),
    ("mark_not_relevant", lambda c: c.mark_not_relevant(9)),
    ("reopen", lambda c: c.reopen(5)),
    ("decide", lambda c: c.decide(18, "yes")),
    ("decide the rejecting gate", lambda c: c.decide(7, "yes")),
    ("set_replaces_system", lambda c: c.set_replaces_system(not c.snap.replaces_system)),
    ("set_replaces_system unchanged", lambda c: c.set_replaces_system(c.snap.replaces_system)),
    ("check_work", lambda c: engine.check_work(MODEL, c.snap, 9)),
]


@pytest.mark.parametrize("status", CLOSED)
@pytest.mark.parametrize(("name", "move"), MOVES, ids=[m[0] for m in MOVES])
def test_a_closed_case_refuses_every_move_with_case_closed(status, name, move):
    case = closed(status)
    before = case.snap
    with pytest.raises(CaseClosed) as info:
        move(case)
    assert info.value.code == "case_closed"
    assert info.value.status == 409
    assert case.snap == before


def test_a_closed_case_message_says_to_start_a_new_case():
    with pytest.raises(CaseClosed) as info:
        closed(CaseStatus.REJECTED).start(9)
    assert "afvist" in info.value.message
    assert "ny sag" in info.value.message


def test_a_bad_outcome_on_a_closed_case_is_still_a_bad_request_first():
    with pytest.raises(OutcomeNotAllowed):
        closed(CaseStatus.COMPLETED).decide(18, "maybe")


# --- refusal codes --------------------------------------------------------------------------


@pytest.mark.parametrize(("setup", "move", "code"), [
    (lambda: Case.new(), lambda c: c.complete(8), "step_not_open"),
    (lambda: done_through(18), lambda c: c.complete(20), "step_not_open"),
    (lambda: Case.new(), lambda c: c.decide(6, "yes"), "gate_not_ready"),
    (lambda: done_through(5), lambda c: c.decide(7, "yes"), "gate_not_ready"),
    (lambda: done_through(5), lambda c: c.complete(6), "gate_not_ready"),
    (lambda: done_through(7), lambda c: c.decide(18, "yes"), "gate_not_ready"),
    (lambda: Case.new(), lambda c: c.decide(18, "yes"), "step_not_open"),
    (lambda: Case.new(), lambda c: c.complete(12), "contract_before_dpa"),
    (lambda: done_through(11), lambda c: c.complete(12), "requirement_missing"),
    (lambda: done_through(1), lambda c: c.complete(1), "invalid_transition"),
    (lambda: Case.new(), lambda c: c.reopen(1), "invalid_transition"),
    (lambda: done_through(6), lambda c: c.reopen(6), "invalid_transition"),
    (lambda: done_through(12), lambda c: c.reopen(11), "invalid_transition"),
    (lambda: done_through(6), lambda c: c.decide(6, "yes"), "invalid_transition"),
    (lambda: done_through(18), lambda c: c.set_replaces_system(True), "invalid_transition"),
    (lambda: done_through(17, True), lambda c: c.set_replaces_system(False),
     "invalid_transition"),
    (lambda: closed(CaseStatus.REJECTED), lambda c: c.complete(8), "case_closed"),
    (lambda: done_through(6), lambda c: c.decide(7, "maybe"), "outcome_not_allowed"),
    (lambda: Case.new(), lambda c: c.decide(3, "yes"), "invalid_reference"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_each_refusal_carries_its_api_code(setup, move, code):
    case = setup()
    with pytest.raises(MoveRefused) as info:
        move(case)
    assert info.value.code == code
    assert info.value.status == 409
    assert info.value.message


def test_refusal_asks_why_not_without_raising():
    case = Case.new()
    assert engine.refusal(engine.complete, MODEL, case.snap, 1) is None
    refused = engine.refusal(engine.complete, MODEL, case.snap, 8)
    assert isinstance(refused, StepNotOpen)


def test_a_walk_through_every_step_ends_completed():
    case = Case.new(replaces_system=True)
    case.advance(21)
    assert case.case_status == CaseStatus.COMPLETED
    assert all(s == DONE for s in case.snap.steps.values())


def test_the_engine_imports_no_django():
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[3])
    code = ("import sys, anskaf.process.engine, anskaf.process.loader, anskaf.process.model; "
            "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": root}, cwd=root, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
