"""The errors the cases app raises: the one hierarchy of domain errors (`anskaf.errors`, ADR
0037) and the engine's refusals, under the names the cases' modules import."""

from __future__ import annotations

from anskaf.errors import (
    CombinationRefused,
    DomainError,
    Forbidden,
    NotFound,
    NotReady,
    ReferenceRefused,
    ValidationFailed,
)
from anskaf.process.errors import (
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

# The role check's refusal (403) under the name the cases' modules have always used; it is
# `anskaf.errors.Forbidden`, not Django's PermissionDenied.
PermissionDenied = Forbidden

__all__ = [
    "BadRequest", "CaseClosed", "CombinationRefused", "Conflict", "ContractBeforeDPA",
    "DomainError", "Forbidden", "GateNotReady", "InvalidTransition", "MoveRefused", "NotFound",
    "NotReady", "OutcomeNotAllowed", "PermissionDenied", "ReferenceRefused", "RequirementMissing",
    "StepNotOpen", "ValidationFailed",
]
