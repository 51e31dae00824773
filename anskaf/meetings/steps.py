"""The steps the IT-visitation's meetings work on, by kind or key (never by number).

Pure Python: `anskaf model validate` reads these to say what a model leaves silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from anskaf.process.bindings import StepBinding
from anskaf.process.model import ProcessModel, StepDef

APP = "IT-visitation meetings"

# Where the case's documentation for the board is collected (shown with the agenda item).
DOCUMENTATION = StepBinding(APP, "show the collected documentation on the board's agenda",
                            kind="board_documentation", key="documentation_collected")
# The board's meeting: completed when the board records an outcome.
REVIEW = StepBinding(APP, "complete a step when the board records an outcome",
                     kind="board_review", key="it_board_meeting")
# The board's gate (Ja / Måske / Nej): decided with the outcome.
DECISION = StepBinding(APP, "decide the board's gate (cases cannot be put forward)",
                       kind="board_decision", key="it_board_decision")

# The management's decision after the board's Ja: its page shows the board's decision and
# the case's basis (issue 20: "management decides blind").
MANAGEMENT_DECISION = StepBinding(APP, "show the board's decision and the case's basis on the "
                                       "management's decision",
                                  kind="management_decision", key="internal_decision")

BINDINGS = [DOCUMENTATION, REVIEW, DECISION, MANAGEMENT_DECISION]


def ready_steps(model: ProcessModel, review: StepDef) -> tuple[int, ...]:
    """The steps finished (done or not relevant) before a case may be put forward: those of
    the review step's segment that come before it."""
    segment = model.segments[model.segment_index(review.number)]
    return tuple(n for n in segment if n < review.number)


@dataclass(frozen=True)
class BoardSteps:
    """A model's steps for the board; None from `board_steps` when the model has no review or
    no decision gate, and the meetings then leave its cases alone."""

    documentation: StepDef | None
    review: StepDef
    decision: StepDef
    ready: tuple[int, ...]

    @property
    def missing_documentation_step(self) -> int | None:
        """Where a Måske's missing documentation becomes checklist items: the first step its
        repeat outcome reopens (as `cases.services.decision_record` puts them)."""
        assert self.decision.gate is not None
        reopened = [min(o.reopen) for o in self.decision.gate.outcomes.values() if o.reopen]
        return min(reopened) if reopened else None


def board_steps(model: ProcessModel) -> BoardSteps | None:
    review, decision = REVIEW.find(model), DECISION.find(model)
    if review is None or decision is None or decision.gate is None:
        return None
    return BoardSteps(DOCUMENTATION.find(model), review, decision, ready_steps(model, review))
