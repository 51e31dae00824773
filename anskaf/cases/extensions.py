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
