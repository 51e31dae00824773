"""The two extension points other apps plug into: guards (before a move) and events (after).

`cases` knows no documents, portfolio or notifications; they register here in their
AppConfig.ready(). Guards raise a MoveRefused (usually RequirementMissing) to stop a move;
event handlers run inside the same transaction as the move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Guard = Callable[["MoveContext"], None]
Handler = Callable[["CaseEvent"], None]

_guards: list[tuple[str, Guard]] = []
_handlers: list[tuple[str, Handler]] = []


@dataclass(frozen=True)
class MoveContext:
    move: str  # "complete", "decide", "not_relevant", "reopen"
    case: Any
    step: int
    actor: Any
    outcome: str | None = None


@dataclass(frozen=True)
class CaseEvent:
    type: str  # e.g. "step.completed", "decision.recorded"
    case: Any
    actor: Any
    step: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def register_guard(move: str, guard: Guard) -> None:
    _guards.append((move, guard))


def register_handler(event_type: str, handler: Handler) -> None:
    """`event_type` "*" receives every event."""
    _handlers.append((event_type, handler))


def unregister(fn: Callable[..., None]) -> None:
    _guards[:] = [g for g in _guards if g[1] is not fn]
    _handlers[:] = [h for h in _handlers if h[1] is not fn]


def run_guards(context: MoveContext) -> None:
    for move, guard in _guards:
        if move == context.move:
            guard(context)


def emit(event: CaseEvent) -> None:
    for event_type, handler in _handlers:
        if event_type in ("*", event.type):
            handler(event)


# --- step bindings: which steps the apps work on (for the Procesmodel page's warnings) -------

_bindings: list[Any] = []  # anskaf.process.bindings.StepBinding


def register_bindings(bindings: Any) -> None:
    """An app names the steps it binds to (its steps.BINDINGS), so a model that lacks one can
    be warned about before it is published."""
    _bindings.extend(b for b in bindings if b not in _bindings)


def step_bindings() -> list[Any]:
    return list(_bindings)


# --- holds: steps not actionable until the case is handed over (ADR 0020) --------------------

# A finder gets the cases (each with `pk`, `model_version_id` and `waiting_steps`) and their
# models by version id, and returns per case pk the step numbers held back with one sentence
# (Danish) saying what hand-over they wait for. It reads set-wise: one query for all cases.
HoldFinder = Callable[[list[Any], dict[int, Any]], dict[int, dict[int, str]]]
_hold_finders: list[HoldFinder] = []


def register_hold_finder(finder: HoldFinder) -> None:
    if finder not in _hold_finders:
        _hold_finders.append(finder)


def held_steps(cases: list[Any], models: dict[int, Any]) -> dict[int, dict[int, str]]:
    """Per case pk: the held steps and what each waits for (empty for a case with none)."""
    found: dict[int, dict[int, str]] = {}
    if not cases:
        return found
    for finder in _hold_finders:
        for case_id, steps in finder(cases, models).items():
            found.setdefault(case_id, {}).update(steps)
    return found


# --- deadlines: the date a step should be done by, where an app keeps one ---------------------

# A finder gets the cases and (case pk, step number) pairs and returns the due date of those
# that have one, in one query (notifications keeps the deadlines; cases shows them on the
# status panel and "Mine opgaver").
DeadlineFinder = Callable[[list[Any], list[tuple[int, int]]], dict[tuple[int, int], Any]]
_deadline_finders: list[DeadlineFinder] = []


def register_deadline_finder(finder: DeadlineFinder) -> None:
    if finder not in _deadline_finders:
        _deadline_finders.append(finder)


def step_deadlines(cases: list[Any], pairs: list[tuple[int, int]]
                   ) -> dict[tuple[int, int], Any]:
    found: dict[tuple[int, int], Any] = {}
    if not pairs:
        return found
    for finder in _deadline_finders:
        found.update(finder(cases, pairs))
    return found


# --- step renumbering: a case moved to another model version (issue 17, ADR 0032) -------------

# fn(case_id, mapping): mapping is old step number -> new number, or None for a step the new
# model removes. Runs inside the migration's transaction; rows of a removed step are moved to
# the case as a whole or deleted, as the app sees fit (its blocker said nothing against it).
Renumberer = Callable[[int, dict[int, int | None]], None]
# fn(case_id, removed numbers) -> Danish reasons a step cannot be removed (e.g. its documents).
Blocker = Callable[[int, set[int]], list[str]]

_renumberers: list[Renumberer] = []
_blockers: list[Blocker] = []


def register_renumberer(fn: Renumberer, blocker: Blocker | None = None) -> None:
    if fn not in _renumberers:
        _renumberers.append(fn)
    if blocker is not None and blocker not in _blockers:
        _blockers.append(blocker)


def renumber_steps(case_id: int, mapping: dict[int, int | None]) -> None:
    for fn in _renumberers:
        fn(case_id, mapping)


def removal_blockers(case_id: int, removed: set[int]) -> list[str]:
    if not removed:
        return []
    return [reason for fn in _blockers for reason in fn(case_id, removed)]


RENUMBER_OFFSET = 10_000  # above any step number: the rows pass through it, unique keys hold


def renumber_rows(queryset: Any, field: str, mapping: dict[int, int | None]) -> None:
    """Give the rows of `queryset` their new step numbers in two passes (through an offset),
    so a unique (case, step) never meets itself half-way. Removed steps are left alone."""
    moves = {old: new for old, new in mapping.items() if new is not None and new != old}
    for old, new in moves.items():
        queryset.filter(**{field: old}).update(**{field: new + RENUMBER_OFFSET})
    if moves:
        from django.db.models import F

        queryset.filter(**{f"{field}__gte": RENUMBER_OFFSET}).update(
            **{field: F(field) - RENUMBER_OFFSET})
