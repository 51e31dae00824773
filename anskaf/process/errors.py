"""Refusals the engine gives, each with a stable code (the API's `error`) and a Danish message.

They belong to the one hierarchy of domain errors (`anskaf.errors`, ADR 0037); `MoveRefused` is
the engine's name for its `Refused`: a move the rules refuse now."""

from __future__ import annotations

from anskaf.errors import BadRequest, Conflict, Refused

__all__ = [
    "REFUSALS_BY_CODE",
    "BadRequest",
    "CaseClosed",
    "Conflict",
    "ContractBeforeDPA",
    "GateNotReady",
    "InvalidTransition",
    "MoveRefused",
    "NotAGate",
    "NotRelevantLocked",
    "OutcomeNotAllowed",
    "RequirementMissing",
    "StepNotOpen",
]

MoveRefused = Refused


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


class NotAGate(MoveRefused):
    """A decision on a step of the model that is no gate: a business refusal (409), since
    which steps are gates is the case's model's business, not the request's shape."""

    code = "invalid_reference"
    field = "step"


class OutcomeNotAllowed(MoveRefused):
    """`maybe` at a gate without Måske: the model's business, so 409 (ADR 0022)."""

    code = "outcome_not_allowed"
    field = "outcome"


REFUSALS_BY_CODE: dict[str, type[MoveRefused]] = {
    "step_not_open": StepNotOpen,
    "contract_before_dpa": ContractBeforeDPA,
    "requirement_missing": RequirementMissing,
}
