"""What a case waits for now (process.attention): the default model's cases, and a property
over random legal move sequences. Pure Python: no Django, no database."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anskaf.process import engine
from anskaf.process.attention import Why, attention
from anskaf.process.engine import CaseStatus

from .helpers import Case
from .test_engine_properties import MOVE_KINDS, attempt

BOARD_REVIEW = 5


def whys(case: Case, **kwargs) -> dict[int, Why]:
    found = attention(case.model, case.snap, **kwargs)
    return {w.number: w.why for w in (*found.now, *found.in_principle)}


def test_a_new_case_waits_on_its_first_step_only():
    found = attention(Case.new().model, Case.new().snap)
    assert found.numbers_now == (1,)
    assert [w.why for w in found.now] == [Why.NEXT]
    assert {w.number for w in found.in_principle} == {2, 3, 4, 5}
    assert all(w.why == Why.PARALLEL for w in found.in_principle)


def test_started_steps_are_actionable_and_the_next_in_order_is_not_added():
    case = Case.new()
    case.complete(1)
    case.start(3)
    found = attention(case.model, case.snap)
    assert found.numbers_now == (3,)
    assert whys(case)[2] == Why.PARALLEL


def test_the_dpa_blocks_the_contract_and_unstarted_parallel_steps_wait_in_principle():
    case = Case.new(replaces_system=True).advance(10)
    case.start(11)
    case.start(12)
    case.start(13)
    found = attention(case.model, case.snap)
    assert found.numbers_now == (11, 13)
    blocked = next(w for w in found.in_principle if w.number == 12)
    assert blocked.why == Why.BLOCKED and blocked.blocked_by == (11,)
    dpa = next(w for w in found.now if w.number == 11)
    assert dpa.blocks == (12,)
    assert {w.number for w in found.in_principle if w.why == Why.PARALLEL} == {14, 15, 16, 17}


def test_nothing_started_in_a_segment_makes_its_first_unblocked_step_the_next():
    case = Case.new().advance(7)
    assert attention(case.model, case.snap).numbers_now == (8,)


def test_a_gate_is_actionable_once_its_segment_is_reached():
    case = Case.new().advance(5)
    found = attention(case.model, case.snap)
    assert [(w.number, w.why) for w in found.now] == [(6, Why.GATE)]
    assert found.in_principle == ()


def test_a_held_board_step_is_not_actionable_and_the_case_waits_for_its_handover():
    case = Case.new().advance(4)
    found = attention(case.model, case.snap, held={BOARD_REVIEW})
    assert found.now == ()
    assert [w.number for w in found.handover] == [BOARD_REVIEW]
    assert attention(case.model, case.snap).numbers_now == (BOARD_REVIEW,)


def test_a_held_step_stays_held_even_when_started_after_a_maybe_round():
    case = Case.new().advance(5)
    case.decide(6, "maybe")  # steps 4 and 5 return to in progress
    found = attention(case.model, case.snap, held={BOARD_REVIEW})
    assert found.numbers_now == (4,)
    assert whys(case, held={BOARD_REVIEW})[BOARD_REVIEW] == Why.HELD
    assert found.handover == ()  # something else can move: step 4


def test_closed_cases_wait_for_nothing():
    for status in (CaseStatus.REJECTED, CaseStatus.WITHDRAWN):
        case = Case.new()
        case.close_as(status)
        found = attention(case.model, case.snap)
        assert found.now == () and found.in_principle == ()


ATTENTION_SETTINGS = settings(max_examples=150, deadline=None, database=None,
                              suppress_health_check=[HealthCheck.too_slow])
moves = st.lists(st.tuples(st.sampled_from(MOVE_KINDS), st.integers(1, 21),
                           st.sampled_from(("yes", "maybe", "no"))), max_size=60)


@ATTENTION_SETTINGS
@given(replaces=st.booleans(), sequence=moves, through=st.integers(0, 21),
       held=st.sets(st.integers(1, 21), max_size=3))
def test_attention_splits_the_waiting_steps_and_names_only_movable_ones(
        replaces, sequence, through, held):
    case = Case.new(replaces)
    case.advance(through)
    for kind, number, outcome in sequence:
        attempt(case, kind, number, outcome)
    model, snap = case.model, case.snap
    found = attention(model, snap, held=held)
    now = {w.number for w in found.now}
    principle = {w.number for w in found.in_principle}
    # A partition of the engine's waiting steps.
    assert not now & principle
    assert now | principle == {s.number for s in engine.waiting_steps(model, snap)}
    # An open case with work left always names what can move, or the hand-over it waits for.
    if principle or now:
        assert now or found.handover
    assert not now & set(held)
    # Each actionable step can be moved by the engine, its checklist aside.
    for number in now:
        if model.step(number).gate is not None:
            assert engine.refusal(engine.decide, model, snap, number, "yes") is None
        else:
            refused = engine.refusal(engine.complete, model, snap, number)
            assert refused is None or refused.code == "requirement_missing", refused
