"""A tiny in-memory case for engine tests: applies transitions the way the services do.

Pure Python: no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from anskaf.process import engine
from anskaf.process.engine import CaseStatus, Snapshot, StepStatus, Transition
from anskaf.process.loader import load_default
from anskaf.process.model import ProcessModel

MODEL: ProcessModel = load_default()
GATES = (6, 7, 18)
NUMBERS = tuple(range(1, 22))


def apply(snap: Snapshot, transition: Transition, *, decided: tuple[int, str] | None = None,
          replaces_system: bool | None = None) -> Snapshot:
    """The snapshot after a transition, as a service would store and reload it."""
    last, rounds = dict(snap.last_outcome), dict(snap.rounds)
    if decided is not None:
        number, outcome = decided
        assert transition.decision_round is not None
        last[number] = outcome
        rounds[number] = transition.decision_round
    return Snapshot(
        status=transition.case_status,
        replaces_system=snap.replaces_system if replaces_system is None else replaces_system,
        steps={**snap.steps, **transition.steps},
        checked=dict(snap.checked),
        last_outcome=last,
        rounds=rounds,
    )


@dataclass
class Case:
    """A mutable wrapper around a snapshot; each move replaces the snapshot or raises."""

    snap: Snapshot
    model: ProcessModel = MODEL
    decisions: list[tuple[int, int, str]] = field(default_factory=list)  # (step, round, outcome)

    @classmethod
    def new(cls, replaces_system: bool = False, model: ProcessModel = MODEL) -> Case:
        return cls(engine.new_snapshot(model, replaces_system), model)

    # --- moves ---
    def start(self, n: int) -> Transition:
        t = engine.start(self.model, self.snap, n)
        self.snap = apply(self.snap, t)
        return t

    def complete(self, n: int) -> Transition:
        t = engine.complete(self.model, self.snap, n)
        self.snap = apply(self.snap, t)
        return t

    def mark_not_relevant(self, n: int) -> Transition:
        t = engine.mark_not_relevant(self.model, self.snap, n)
        self.snap = apply(self.snap, t)
        return t

    def reopen(self, n: int) -> Transition:
        t = engine.reopen(self.model, self.snap, n)
        self.snap = apply(self.snap, t)
        return t

    def decide(self, n: int, outcome: str) -> Transition:
        t = engine.decide(self.model, self.snap, n, outcome)
        self.snap = apply(self.snap, t, decided=(n, outcome))
        assert t.decision_round is not None
        self.decisions.append((n, t.decision_round, outcome))
        return t

    def set_replaces_system(self, value: bool) -> Transition:
        t = engine.set_replaces_system(self.model, self.snap, value)
        self.snap = apply(self.snap, t, replaces_system=value)
        return t

    def tick_required(self, n: int) -> None:
        """What a PATCH of the step's checklist does: tick every required item."""
        required = {i.id for i in self.model.step(n).checklist if i.required}
        checked = dict(self.snap.checked)
        checked[n] = frozenset(checked.get(n, frozenset()) | required)
        self.snap = replace(self.snap, checked=checked)

    def close_as(self, status: CaseStatus) -> None:
        self.snap = replace(self.snap, status=status)

    # --- questions ---
    def status(self, n: int) -> StepStatus:
        return self.snap.steps[n]

    @property
    def case_status(self) -> CaseStatus:
        return self.snap.status

    def advance(self, through: int) -> Case:
        """Complete every applicable step and decide every gate Ja up to `through`."""
        for step in self.model.steps:
            if step.number > through:
                break
            if self.snap.steps[step.number] in engine.FINISHED:
                continue
            if step.gate is not None:
                self.decide(step.number, "yes")
            else:
                self.tick_required(step.number)
                self.complete(step.number)
        return self


def finish(case: Case) -> Case:
    """Drive an open case to completion with forward moves only (the liveness witness)."""
    return case.advance(max(NUMBERS))
