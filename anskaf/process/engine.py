"""The process engine: given a model and a case snapshot, what may happen next.

Pure functions over immutable snapshots. Each move returns a `Transition` (what changes) or
raises a `MoveRefused` naming why not. Services apply transitions; tests replay them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .errors import (
    REFUSALS_BY_CODE,
    CaseClosed,
    GateNotReady,
    InvalidTransition,
    MoveRefused,
    NotAGate,
    NotRelevantLocked,
    OutcomeNotAllowed,
    RequirementMissing,
    StepNotOpen,
)
from .model import ChecklistItemDef, DocumentTypeDef, Effect, ProcessModel, StepDef


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_RELEVANT = "not_relevant"


class CaseStatus(StrEnum):
    ACTIVE = "active"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    IN_OPERATION = "in_operation"
    COMPLETED = "completed"


CLOSED = frozenset({CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.COMPLETED})
FINISHED = frozenset({StepStatus.DONE, StepStatus.NOT_RELEVANT})


@dataclass(frozen=True)
class Snapshot:
    """What the engine needs to know about a case."""

    status: CaseStatus
    replaces_system: bool
    steps: Mapping[int, StepStatus]
    checked: Mapping[int, frozenset[str]] = field(default_factory=dict)
    last_outcome: Mapping[int, str] = field(default_factory=dict)
    rounds: Mapping[int, int] = field(default_factory=dict)
    # Checklist items added to a step by a decision (Måske's missing documentation):
    # step -> ((id, Danish label), ...); each must be ticked before the step can be completed.
    extra_items: Mapping[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # Waivable requirements declared not relevant: step -> ids (checklist ids, document keys).
    waived: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    def step_status(self, number: int) -> StepStatus:
        return self.steps[number]


@dataclass(frozen=True)
class Transition:
    steps: Mapping[int, StepStatus]
    case_status: CaseStatus
    decision_round: int | None = None


def initial_steps(model: ProcessModel, replaces_system: bool) -> dict[int, StepStatus]:
    return {
        s.number: (
            StepStatus.NOT_RELEVANT
            if s.only_when_replacing and not replaces_system
            else StepStatus.NOT_STARTED
        )
        for s in model.steps
    }


def new_snapshot(model: ProcessModel, replaces_system: bool) -> Snapshot:
    return Snapshot(CaseStatus.ACTIVE, replaces_system, initial_steps(model, replaces_system))


# --- questions ---------------------------------------------------------------------------------


def applicable(snap: Snapshot, number: int) -> bool:
    return snap.steps[number] != StepStatus.NOT_RELEVANT


def gate_passed(snap: Snapshot, gate: int) -> bool:
    return snap.last_outcome.get(gate) == "yes"


def segment_open(model: ProcessModel, snap: Snapshot, number: int) -> bool:
    return all(gate_passed(snap, g.number) for g in model.gates_before(number))


def current_phase(model: ProcessModel, snap: Snapshot) -> int | None:
    """The lowest phase that still has an applicable step not done."""
    for phase in sorted(model.phases, key=lambda p: p.number):
        if any(snap.steps[n] not in FINISHED for n in phase.steps):
            return phase.number
    return None


def derive_status(model: ProcessModel, snap: Snapshot) -> CaseStatus:
    if snap.status in (CaseStatus.REJECTED, CaseStatus.WITHDRAWN):
        return snap.status
    if all(s in FINISHED for s in snap.steps.values()):
        return CaseStatus.COMPLETED
    if snap.steps[model.operation_step] == StepStatus.DONE:
        return CaseStatus.IN_OPERATION
    return CaseStatus.ACTIVE


def open_segment(model: ProcessModel, snap: Snapshot) -> tuple[int, ...]:
    """The first segment with unfinished work, i.e. where the case waits."""
    for segment in model.segments:
        if any(snap.steps[n] not in FINISHED for n in segment):
            return segment
    return ()


def waiting_steps(model: ProcessModel, snap: Snapshot) -> tuple[StepDef, ...]:
    """The steps the case waits for now (none when closed)."""
    if snap.closed:
        return ()
    return tuple(
        model.step(n) for n in open_segment(model, snap) if snap.steps[n] not in FINISHED
    )


def waiting_roles(model: ProcessModel, snap: Snapshot) -> tuple[str, ...]:
    roles: list[str] = []
    for step in waiting_steps(model, snap):
        keys = step.gate.deciding_roles if step.gate else [
            r.role for r in step.roles if not r.optional
        ]
        roles.extend(k for k in keys if k not in roles)
    return tuple(roles)


def condition_holds(condition: str | None, replaces_system: bool) -> bool:
    """The model's `when:` conditions (model.CONDITIONS), as facts of the case."""
    return condition is None or (condition == "replaces_system" and replaces_system)


def binds(item: ChecklistItemDef | DocumentTypeDef, replaces_system: bool,
          waived: frozenset[str] = frozenset()) -> bool:
    """Does a required checklist item or document type bind the case now: required, its
    condition holds, and it has not been declared not relevant (where the model allows)?"""
    return (item.required and condition_holds(item.condition.when, replaces_system)
            and not (item.condition.waivable and item.id in waived))


def waivable_items(step: StepDef) -> tuple[ChecklistItemDef | DocumentTypeDef, ...]:
    """The step's requirements that may be declared not relevant (checklist, then documents)."""
    items: tuple[ChecklistItemDef | DocumentTypeDef, ...] = (*step.checklist, *step.documents)
    return tuple(i for i in items if i.required and i.condition.waivable)


def required_documents(model: ProcessModel, snap: Snapshot,
                       number: int) -> tuple[DocumentTypeDef, ...]:
    waived = snap.waived.get(number, frozenset())
    return tuple(d for d in model.step(number).documents
                 if binds(d, snap.replaces_system, waived))


def refusal(move: Callable[..., object], *args: object) -> MoveRefused | None:
    """Run a check without raising: the UI's way to ask 'why not?'."""
    try:
        move(*args)
    except MoveRefused as refused:
        return refused
    return None


# --- checks ------------------------------------------------------------------------------------


def ensure_open_case(status: CaseStatus) -> None:
    """Refuse (CaseClosed) any change to a rejected, withdrawn or completed case."""
    if status in CLOSED:
        labels = {
            CaseStatus.REJECTED: "afvist",
            CaseStatus.WITHDRAWN: "trukket tilbage",
            CaseStatus.COMPLETED: "afsluttet",
        }
        raise CaseClosed(
            f"Sagen er {labels[status]} og kan ikke længere ændres. "
            "Start en ny sag, hvis anskaffelsen skal genoptages."
        )


def _ensure_segment_open(model: ProcessModel, snap: Snapshot, step: StepDef,
                         skip: tuple[int, ...] = ()) -> None:
    for gate in model.gates_before(step.number):
        if gate.number not in skip and not gate_passed(snap, gate.number):
            raise StepNotOpen(
                f"Trin {step.number} kan først afsluttes, når trin {gate.number} "
                f"(»{gate.title.da}«) er besluttet med Ja."
            )


def _ensure_requirements(model: ProcessModel, snap: Snapshot, step: StepDef,
                         code: str | None) -> None:
    for req in step.requires:
        if snap.steps[req] not in FINISHED:
            refusal_class = REFUSALS_BY_CODE.get(code or "step_not_open", StepNotOpen)
            raise refusal_class(
                f"Trin {step.number} kræver, at trin {req} (»{model.step(req).title.da}«) er "
                "gennemført eller markeret som ikke relevant."
            )


def check_work(model: ProcessModel, snap: Snapshot, number: int) -> None:
    """May the step's checklist, remarks or 'in progress' be touched?"""
    ensure_open_case(snap.status)
    if snap.steps[number] == StepStatus.NOT_RELEVANT:
        raise InvalidTransition(
            f"Trin {number} er markeret som ikke relevant. Genåbn det, før der arbejdes på det."
        )


# --- moves -------------------------------------------------------------------------------------


def _transition(model: ProcessModel, snap: Snapshot, changes: Mapping[int, StepStatus],
                status: CaseStatus | None = None, decision_round: int | None = None) -> Transition:
    steps = {**snap.steps, **changes}
    after = replace(snap, steps=steps, status=status or snap.status)
    return Transition(steps=dict(changes), case_status=derive_status(model, after),
                      decision_round=decision_round)


def start(model: ProcessModel, snap: Snapshot, number: int) -> Transition:
    check_work(model, snap, number)
    if snap.steps[number] != StepStatus.NOT_STARTED:
        raise InvalidTransition(f"Trin {number} er allerede påbegyndt.")
    return _transition(model, snap, {number: StepStatus.IN_PROGRESS})


def complete(model: ProcessModel, snap: Snapshot, number: int) -> Transition:
    step = model.step(number)
    ensure_open_case(snap.status)
    if step.gate is not None:
        raise GateNotReady(
            f"Trin {number} er et beslutningspunkt. Registrér en beslutning "
            "(Ja/Måske/Nej) med begrundelse i stedet for at afslutte trinnet."
        )
    status = snap.steps[number]
    if status == StepStatus.DONE:
        raise InvalidTransition(f"Trin {number} er allerede gennemført.")
    if status == StepStatus.NOT_RELEVANT:
        raise InvalidTransition(
            f"Trin {number} er markeret som ikke relevant. Genåbn det, hvis det alligevel skal "
            "gennemføres."
        )
    if step.requires_refusal != "step_not_open":  # e.g. contract_before_dpa wins
        _ensure_requirements(model, snap, step, step.requires_refusal)
    _ensure_segment_open(model, snap, step)
    _ensure_requirements(model, snap, step, "step_not_open")
    waived = snap.waived.get(number, frozenset())
    missing = [i.label.da for i in step.checklist if binds(i, snap.replaces_system, waived)
               and i.id not in snap.checked.get(number, frozenset())]
    missing += [label for item_id, label in snap.extra_items.get(number, ())
                if item_id not in snap.checked.get(number, frozenset())]
    if missing:
        raise RequirementMissing(
            f"Trin {number} kan ikke afsluttes, før disse punkter er krydset af: "
            + "; ".join(missing)
        )
    return _transition(model, snap, {number: StepStatus.DONE})


def started(snap: Snapshot, number: int) -> bool:
    """Has work on the step begun: in progress, done, or a checklist item ticked?"""
    return (snap.steps[number] in (StepStatus.IN_PROGRESS, StepStatus.DONE)
            or bool(snap.checked.get(number)))


def mark_not_relevant(model: ProcessModel, snap: Snapshot, number: int) -> Transition:
    """A decision with consequences: never for a gate, never behind a gate not yet passed,
    never once a step the model names in `not_relevant.until_started` has started. Who may
    make it (`not_relevant.roles`) is the permissions' question, not the engine's."""
    ensure_open_case(snap.status)
    step = model.step(number)
    if step.gate is not None:
        raise InvalidTransition(
            f"Trin {number} er et beslutningspunkt og kan ikke markeres som ikke relevant."
        )
    status = snap.steps[number]
    if status == StepStatus.DONE:
        raise InvalidTransition(
            f"Trin {number} er gennemført. Genåbn det først, hvis det ikke var relevant."
        )
    if status == StepStatus.NOT_RELEVANT:
        raise InvalidTransition(f"Trin {number} er allerede markeret som ikke relevant.")
    for gate in model.gates_before(number):
        if not gate_passed(snap, gate.number):
            raise StepNotOpen(
                f"Trin {number} kan først markeres som ikke relevant, når trin {gate.number} "
                f"(»{gate.title.da}«) er besluttet med Ja."
            )
    for later in step.not_relevant_until_started:
        if started(snap, later):
            raise NotRelevantLocked(
                f"Trin {number} kan ikke længere markeres som ikke relevant, fordi trin {later} "
                f"(»{model.step(later).title.da}«) er påbegyndt."
            )
    return _transition(model, snap, {number: StepStatus.NOT_RELEVANT})


def _dependants(model: ProcessModel, snap: Snapshot, number: int) -> list[int]:
    """Done steps that rest on this one: explicit requirements and passed gates."""
    found = [s.number for s in model.steps
             if number in s.requires and snap.steps[s.number] == StepStatus.DONE]
    found += [g.number for g in model.gates
              if g.gate is not None and number in g.gate.rests_on
              and snap.steps[g.number] == StepStatus.DONE]
    return found


def reopen(model: ProcessModel, snap: Snapshot, number: int) -> Transition:
    step = model.step(number)
    ensure_open_case(snap.status)
    if step.gate is not None:
        raise InvalidTransition(
            f"Trin {number} er et beslutningspunkt og kan ikke genåbnes; en ny runde "
            "registreres som en beslutning."
        )
    if snap.steps[number] not in FINISHED:
        raise InvalidTransition(
            f"Trin {number} er hverken gennemført eller markeret som ikke relevant, så det kan "
            "ikke genåbnes."
        )
    if step.only_when_replacing and not snap.replaces_system:
        raise InvalidTransition(
            f"Trin {number} gælder kun, når sagen erstatter et eksisterende system. "
            "Ret sagens oplysninger, hvis den gør det."
        )
    if dependants := _dependants(model, snap, number):
        raise InvalidTransition(
            f"Trin {number} kan ikke genåbnes, fordi trin "
            f"{', '.join(map(str, dependants))} bygger på det og er gennemført."
        )
    return _transition(model, snap, {number: StepStatus.IN_PROGRESS})


def check_outcome(model: ProcessModel, number: int, outcome: str) -> None:
    """The 400-level checks of a decision: is this a gate, and does it have this outcome?"""
    gate = model.step(number).gate
    if gate is None:
        raise NotAGate(f"Trin {number} er ikke et beslutningspunkt.")
    if outcome not in gate.outcomes:
        allowed = ", ".join(f"»{o.label.da}« ({o.key})" for o in gate.outcomes.values())
        raise OutcomeNotAllowed(f"Trin {number} kan kun besluttes med: {allowed}.")


def decide(model: ProcessModel, snap: Snapshot, number: int, outcome: str) -> Transition:
    check_outcome(model, number, outcome)
    step = model.step(number)
    gate = step.gate
    assert gate is not None
    ensure_open_case(snap.status)
    if snap.steps[number] == StepStatus.DONE:
        raise InvalidTransition(f"Trin {number} er allerede besluttet med Ja.")
    _ensure_segment_open(model, snap, step, skip=gate.rests_on)
    not_done = [n for n in gate.rests_on if snap.steps[n] not in FINISHED
                and not (model.step(n).gate and gate_passed(snap, n))]
    if not_done:
        raise GateNotReady(
            f"Beslutningen i trin {number} kræver, at trin {', '.join(map(str, not_done))} "
            "er gennemført først."
        )
    effect = gate.outcomes[outcome].effect
    changes: dict[int, StepStatus]
    status = None
    if effect == Effect.ADVANCE:
        changes = {number: StepStatus.DONE}
    elif effect == Effect.REJECT:
        changes, status = {number: StepStatus.DONE}, CaseStatus.REJECTED
    else:
        changes = {n: StepStatus.IN_PROGRESS for n in gate.outcomes[outcome].reopen
                   if snap.steps[n] != StepStatus.NOT_RELEVANT}
        changes[number] = StepStatus.IN_PROGRESS
    return _transition(model, snap, changes, status, snap.rounds.get(number, 0) + 1)


def set_replaces_system(model: ProcessModel, snap: Snapshot, value: bool) -> Transition:
    ensure_open_case(snap.status)
    if value == snap.replaces_system:
        return _transition(model, snap, {})
    replacing_steps = [s for s in model.steps if s.only_when_replacing]
    decided = [g.number for g in model.gates if snap.steps[g.number] == StepStatus.DONE
               and g.gate is not None and any(s.number in g.gate.rests_on for s in replacing_steps)]
    if decided:
        raise InvalidTransition(
            f"Om sagen erstatter et system kan ikke ændres, efter at trin "
            f"{', '.join(map(str, decided))} er besluttet."
        )
    if not value and (done := [s.number for s in replacing_steps
                               if snap.steps[s.number] == StepStatus.DONE]):
        raise InvalidTransition(
            f"Sagen kan ikke ændres til ikke at erstatte et system, fordi trin "
            f"{', '.join(map(str, done))} er gennemført. Genåbn trinnet først."
        )
    new = StepStatus.NOT_STARTED if value else StepStatus.NOT_RELEVANT
    changes = {s.number: new for s in replacing_steps}
    after = replace(snap, replaces_system=value)
    return _transition(model, after, changes)
