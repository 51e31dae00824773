"""Property tests: random sequences of legal moves never reach an impossible state.

Moves are drawn from every move on every step number and outcome; the engine decides which
are legal (a refused move raises MoveRefused and changes nothing). After every legal move the
invariants below must hold, and from every open state the case can still be completed.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from anskaf.process import engine
from anskaf.process.engine import CLOSED, FINISHED, CaseStatus, StepStatus
from anskaf.process.errors import MoveRefused
from anskaf.process.model import Effect

from .helpers import GATES, MODEL, NUMBERS, Case, finish

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
OUTCOMES = ("yes", "maybe", "no")
MOVE_KINDS = ("start", "complete", "mark_not_relevant", "reopen", "decide", "tick_required")

numbers = st.sampled_from(NUMBERS)
outcomes = st.sampled_from(OUTCOMES)


def check_invariants(case: Case) -> None:
    snap, model = case.snap, case.model
    steps = snap.steps

    for step in model.steps:
        status = steps[step.number]
        # A done step is never behind a gate that has not been passed.
        if status == StepStatus.DONE and step.gate is None:
            for gate in model.gates_before(step.number):
                assert snap.last_outcome.get(gate.number) == "yes", (
                    f"step {step.number} is done behind gate {gate.number} "
                    f"(last outcome {snap.last_outcome.get(gate.number)!r})")
        # A done step's explicit requirements are finished.
        if status == StepStatus.DONE:
            for req in step.requires:
                assert steps[req] in FINISHED, f"step {step.number} done but {req} is {steps[req]}"
        if step.gate is not None:
            # A gate is never not relevant.
            assert status != StepStatus.NOT_RELEVANT, f"gate {step.number} is not relevant"
            last = snap.last_outcome.get(step.number)
            if status == StepStatus.DONE:
                # A done gate rests on finished steps and was decided Ja or a rejecting Nej.
                for n in step.gate.rests_on:
                    assert steps[n] in FINISHED, f"gate {step.number} done but {n} is {steps[n]}"
                assert last is not None, f"gate {step.number} done without a decision"
                assert step.gate.outcomes[last].effect in (Effect.ADVANCE, Effect.REJECT)
            elif last is not None:
                assert step.gate.outcomes[last].effect == Effect.REPEAT
                assert status == StepStatus.IN_PROGRESS

    # The stored status is the one the rules derive.
    assert snap.status == engine.derive_status(model, snap)

    # A rejected case was rejected by a gate; only a gate can reject a case.
    rejecting = [g.number for g in model.gates
                 if (o := snap.last_outcome.get(g.number)) is not None
                 and g.gate.outcomes[o].effect == Effect.REJECT]
    if snap.status == CaseStatus.REJECTED:
        assert rejecting, "rejected without a rejecting decision"
    else:
        assert not rejecting, f"gate {rejecting} rejected but the case is {snap.status}"

    # Steps 13 and 21 apply only when a system is replaced.
    if not snap.replaces_system:
        for n in (13, 21):
            assert steps[n] == StepStatus.NOT_RELEVANT, f"{n} is {steps[n]} while not replacing"

    # The phase is None exactly when the case is completed.
    phase = engine.current_phase(model, snap)
    assert (phase is None) == (snap.status == CaseStatus.COMPLETED)
    if phase is not None:
        assert any(steps[n] not in FINISHED for n in model.phase(phase).steps)

    # in operation means: step 20 done, something (21) still to do.
    if snap.status == CaseStatus.IN_OPERATION:
        assert steps[model.operation_step] == StepStatus.DONE
        assert [n for n, s in steps.items() if s not in FINISHED] == [21]

    # Rounds: each gate counts its own decisions 1, 2, 3, ...
    for gate in GATES:
        rounds = [r for (n, r, _) in case.decisions if n == gate]
        assert rounds == list(range(1, len(rounds) + 1)), (gate, rounds)
        assert snap.rounds.get(gate, 0) == len(rounds)


def check_liveness(case: Case) -> None:
    """From any open state, forward moves alone complete the case."""
    if case.snap.status in CLOSED:
        return
    witness = Case(case.snap, case.model, list(case.decisions))
    finish(witness)
    assert witness.snap.status == CaseStatus.COMPLETED, witness.snap


def attempt(case: Case, kind: str, number: int, outcome: str) -> bool:
    before = case.snap
    try:
        if kind == "decide":
            case.decide(number, outcome)
        elif kind == "tick_required":
            if case.snap.status in CLOSED:
                return False
            case.tick_required(number)
        else:
            getattr(case, kind)(number)
    except MoveRefused:
        assert case.snap == before
        return False
    return True


class CaseMachine(RuleBasedStateMachine):
    case: Case

    @initialize(replaces_system=st.booleans())
    def open_case(self, replaces_system: bool) -> None:
        self.case = Case.new(replaces_system)

    @rule(kind=st.sampled_from(MOVE_KINDS), number=numbers, outcome=outcomes)
    def any_move(self, kind: str, number: int, outcome: str) -> None:
        attempt(self.case, kind, number, outcome)

    @rule(outcome=outcomes, gate=st.sampled_from(GATES))
    def decide_a_gate(self, gate: int, outcome: str) -> None:
        attempt(self.case, "decide", gate, outcome)

    @rule(value=st.booleans())
    def set_replaces_system(self, value: bool) -> None:
        before = self.case.snap
        try:
            self.case.set_replaces_system(value)
        except MoveRefused:
            assert self.case.snap == before

    @rule(through=numbers)
    def work_up_to_the_next_gate(self, through: int) -> None:
        """Complete open work up to the first undecided gate, so that random decisions
        (Ja, Måske, Nej) happen at every gate and the case gets deep."""
        for step in self.case.model.steps:
            if step.number > through:
                break
            if step.gate is not None:
                if self.case.snap.steps[step.number] != StepStatus.DONE:
                    break
                continue
            if self.case.snap.steps[step.number] not in FINISHED:
                attempt(self.case, "tick_required", step.number, "yes")
                if not attempt(self.case, "complete", step.number, "yes"):
                    break

    @rule(through=numbers)
    def walk_forward_deciding_ja(self, through: int) -> None:
        """Complete and decide Ja up to a step: reaches operation and completion too."""
        with contextlib.suppress(MoveRefused):
            self.case.advance(through)

    @rule(number=numbers)
    def reopen_and_redo(self, number: int) -> None:
        if attempt(self.case, "reopen", number, "yes"):
            attempt(self.case, "complete", number, "yes")

    @precondition(lambda self: self.case.snap.status in CLOSED)
    @rule(kind=st.sampled_from(MOVE_KINDS[:-1]), number=numbers, outcome=outcomes)
    def a_closed_case_refuses_everything(self, kind: str, number: int, outcome: str) -> None:
        assert not attempt(self.case, kind, number, outcome)

    @invariant()
    def the_state_is_possible(self) -> None:
        check_invariants(self.case)
        event(f"status {self.case.snap.status}")  # see --hypothesis-show-statistics
        for gate in GATES:
            if (last := self.case.snap.last_outcome.get(gate)) is not None:
                event(f"gate {gate} {last}")

    @invariant()
    def completion_stays_reachable(self) -> None:
        check_liveness(self.case)


CaseMachine.TestCase.settings = settings(SETTINGS, stateful_step_count=50)
test_random_legal_moves_never_reach_an_impossible_state = CaseMachine.TestCase


move = st.tuples(st.sampled_from((*MOVE_KINDS, "replaces_true", "replaces_false", "progress")),
                 numbers, outcomes)


@SETTINGS
@given(replaces_system=st.booleans(), moves=st.lists(move, max_size=80))
def test_any_sequence_of_moves_keeps_the_invariants(replaces_system, moves):
    case = Case.new(replaces_system)
    check_invariants(case)
    for kind, number, outcome in moves:
        if kind.startswith("replaces_"):
            with contextlib.suppress(MoveRefused):
                case.set_replaces_system(kind == "replaces_true")
        elif kind == "progress":
            with contextlib.suppress(MoveRefused):
                case.advance(number)
        else:
            attempt(case, kind, number, outcome)
        check_invariants(case)
    check_liveness(case)


@SETTINGS
@given(replaces_system=st.booleans(), moves=st.lists(st.tuples(numbers, outcomes), max_size=40))
def test_a_transition_only_names_steps_that_change(replaces_system, moves):
    """What a transition lists is what the services write: no phantom step changes."""
    case = Case.new(replaces_system)
    for number, outcome in moves:
        for kind in ("complete", "decide", "reopen", "mark_not_relevant", "start"):
            before = dict(case.snap.steps)
            try:
                if kind == "decide":
                    t = engine.decide(MODEL, case.snap, number, outcome)
                else:
                    t = getattr(engine, kind)(MODEL, case.snap, number)
            except MoveRefused:
                continue
            assert t.steps, f"{kind} {number} changes no step"
            assert number in t.steps
            assert all(n in before for n in t.steps)
            getattr(case, kind)(number, *((outcome,) if kind == "decide" else ()))
            break


@SETTINGS
@given(replaces_system=st.booleans(), moves=st.lists(move, max_size=60))
def test_marking_not_relevant_follows_the_models_rules(replaces_system, moves):
    """Wherever random moves lead, a step may be marked not relevant exactly when it is an
    unfinished non-gate step of an open case, every gate before it has been passed, and no
    step the model names in `not_relevant.until_started` has started; else the refusal
    names the rule (step_not_open, not_relevant_locked)."""
    case = Case.new(replaces_system)
    for kind, number, outcome in moves:
        if kind.startswith("replaces_"):
            with contextlib.suppress(MoveRefused):
                case.set_replaces_system(kind == "replaces_true")
        elif kind == "progress":
            with contextlib.suppress(MoveRefused):
                case.advance(number)
        else:
            attempt(case, kind, number, outcome)
    snap = case.snap
    for step in MODEL.steps:
        n = step.number
        refused = engine.refusal(engine.mark_not_relevant, MODEL, snap, n)
        behind = [g.number for g in MODEL.gates_before(n) if not engine.gate_passed(snap, g.number)]
        locked = [m for m in step.not_relevant_until_started if engine.started(snap, m)]
        basic = not snap.closed and step.gate is None and snap.steps[n] not in FINISHED
        assert (refused is None) == (basic and not behind and not locked), (n, refused, snap)
        if basic and behind:
            assert refused is not None and refused.code == "step_not_open"
        elif basic and locked:
            assert refused is not None and refused.code == "not_relevant_locked"
            event("dpa locked by the contract")
