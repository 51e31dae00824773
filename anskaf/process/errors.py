"""Refusals the engine gives, each with a stable code (the API's `error`) and a Danish message."""

from __future__ import annotations


class MoveRefused(Exception):
    code = "invalid_transition"
    status = 409

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class CaseClosed(MoveRefused):
    code = "case_closed"


class InvalidTransition(MoveRefused):
    code = "invalid_transition"


class StepNotOpen(MoveRefused):
    code = "step_not_open"


class GateNotReady(MoveRefused):
    code = "gate_not_ready"


class ContractBeforeDPA(MoveRefused):
    code = "contract_before_dpa"


class RequirementMissing(MoveRefused):
    code = "requirement_missing"


class NotRelevantLocked(MoveRefused):
    """A step may no longer be marked not relevant: a step that rests on it has started."""

    code = "not_relevant_locked"


class Conflict(MoveRefused):
    code = "conflict"


class BadRequest(MoveRefused):
    """A request the rules cannot even consider (400)."""

    code = "validation_error"
    status = 400


class NotAGate(MoveRefused):
    """A decision on a step of the model that is no gate: a business refusal (409), since
    which steps are gates is the case's model's business, not the request's shape."""

    code = "invalid_reference"


class OutcomeNotAllowed(MoveRefused):
    """`maybe` at a gate without Måske: the model's business, so 409 (ADR 0022)."""

    code = "outcome_not_allowed"


REFUSALS_BY_CODE: dict[str, type[MoveRefused]] = {
    "step_not_open": StepNotOpen,
    "contract_before_dpa": ContractBeforeDPA,
    "requirement_missing": RequirementMissing,
}
