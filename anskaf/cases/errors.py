"""Domain errors of the cases app: the engine's refusals plus not-found and bad input."""

from __future__ import annotations

from anskaf.process.errors import (  # noqa: F401  (re-exported for views and the API)
    BadRequest,
    CaseClosed,
    Conflict,
    ContractBeforeDPA,
    GateNotReady,
    InvalidTransition,
    MoveRefused,
    OutcomeNotAllowed,
    RequirementMissing,
    StepNotOpen,
)


class NotFound(Exception):
    def __init__(self, message: str = "Sagen findes ikke, eller du har ikke adgang til den.") -> None:
        self.message = message
        super().__init__(message)


class PermissionDenied(MoveRefused):
    """The person lacks the role the model names for this action (403)."""

    code = "forbidden"
    status = 403


class ValidationFailed(BadRequest):
    """Input that breaks a rule of shape: names each field and what to do."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class ReferenceRefused(ValidationFailed):
    """Well-formed input that names what this municipality or the case's model does not have
    (a unit, a person, a step, a document type): a business refusal, 409 with `fields`. The
    OpenAPI document cannot know these, so they are not 400 (ADR 0022)."""

    code = "invalid_reference"
    status = 409


class NotReady(ValidationFailed):
    """Well-formed input the case is not ready for (what the board would miss, without a
    reason to go on anyway): a business refusal, 409 with `fields` (ADR 0022)."""

    code = "not_ready"
    status = 409


class CombinationRefused(ValidationFailed):
    """Fields that each fit the document but not together (no reason given for declaring a
    requirement not relevant): a business refusal, 409 with `fields` (ADR 0022)."""

    code = "invalid_combination"
    status = 409
