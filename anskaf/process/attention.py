"""What a case really waits for now, by the engine's rules (ADR 0020).

`engine.waiting_steps` names every unfinished step of the open segment: at steps 8-17 that is
ten steps, although most of them wait for nobody. `attention` splits them in two:

- **now**: the steps someone can and should act on now: a gate whose segment is reached; a
  step being worked on (in progress or a checklist item ticked) whose required steps are
  finished; and, when none of those exists, the first step in order whose required steps are
  finished (so a brand-new case waits on its first step, not on all five of its segment);
- **in principle**: the rest of the open segment, each with why it is not actionable now:
  `BLOCKED` by a required step that is not finished (the contract by the DPA), `HELD` back
  until the case is handed over (the board's step of a case not put forward; the caller says
  which steps are held, `process` knows no meetings), or `PARALLEL`: a step nobody has
  started, which may be done now but need not be.

When nothing is actionable but a step is held, the case waits for its hand-over:
`Attention.handover` names those steps, so the page can say who must hand it over.

Pure Python, no Django: unit- and property-tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from .engine import FINISHED, Snapshot, StepStatus, open_segment, started
from .model import ProcessModel, StepDef


class Why(StrEnum):
    GATE = "gate"  # a decision whose basis is complete
    STARTED = "started"  # being worked on
    NEXT = "next"  # the first step in order, nothing else being worked on
    BLOCKED = "blocked"  # a required step is not finished
    HELD = "held"  # waits for the case to be handed over (e.g. put forward to the board)
    PARALLEL = "parallel"  # nobody has started it; it may be done now, but need not be


ACTIONABLE = frozenset({Why.GATE, Why.STARTED, Why.NEXT})


@dataclass(frozen=True)
class Waiting:
    step: StepDef
    why: Why
    blocked_by: tuple[int, ...] = ()  # the required steps not finished (for BLOCKED)
    blocks: tuple[int, ...] = ()  # the unfinished steps that require this one

    @property
    def number(self) -> int:
        return self.step.number

    @property
    def actionable(self) -> bool:
        return self.why in ACTIONABLE


@dataclass(frozen=True)
class Attention:
    now: tuple[Waiting, ...] = ()
    in_principle: tuple[Waiting, ...] = ()

    @property
    def numbers_now(self) -> tuple[int, ...]:
        return tuple(w.number for w in self.now)

    @property
    def handover(self) -> tuple[Waiting, ...]:
        """The held steps, when nothing else can move: the case waits for its hand-over."""
        if self.now:
            return ()
        return tuple(w for w in self.in_principle if w.why == Why.HELD)


def _unfinished_requirements(snap: Snapshot, step: StepDef) -> tuple[int, ...]:
    return tuple(r for r in step.requires if snap.steps[r] not in FINISHED)


def attention(model: ProcessModel, snap: Snapshot, *,
              held: Collection[int] = ()) -> Attention:
    """The steps the case waits on now, and those of its open segment open only in principle.

    `held`: steps that may not be acted on until the case is handed over (the caller knows
    which; a held step is never actionable, even when started, since a Måske round returns it
    to "in progress" before the case is put forward again). A closed case waits for nothing.
    """
    if snap.closed:
        return Attention()
    unfinished = [model.step(n) for n in sorted(open_segment(model, snap))
                  if snap.steps[n] not in FINISHED]
    requiring = {s.number: tuple(o.number for o in unfinished if s.number in o.requires)
                 for s in unfinished}
    kinds: dict[int, tuple[Why, tuple[int, ...]]] = {}
    for step in unfinished:
        blocked_by = _unfinished_requirements(snap, step)
        if blocked_by:
            kinds[step.number] = (Why.BLOCKED, blocked_by)
        elif step.number in held:
            kinds[step.number] = (Why.HELD, ())
        elif step.gate is not None:
            kinds[step.number] = (Why.GATE, ())
        elif started(snap, step.number) or snap.steps[step.number] == StepStatus.IN_PROGRESS:
            kinds[step.number] = (Why.STARTED, ())
        else:
            kinds[step.number] = (Why.PARALLEL, ())
    if not any(why in ACTIONABLE for why, _ in kinds.values()):
        first = next((n for n, (why, _) in kinds.items() if why == Why.PARALLEL), None)
        if first is not None:
            kinds[first] = (Why.NEXT, ())
    items = [Waiting(step, kinds[step.number][0], kinds[step.number][1],
                     requiring[step.number]) for step in unfinished]
    return Attention(now=tuple(w for w in items if w.actionable),
                     in_principle=tuple(w for w in items if not w.actionable))
