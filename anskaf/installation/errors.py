"""Refusals of the operator's services (ADR 0030), with Danish messages. The field errors and
"not found" are the orgs app's (`ValidationFailed`, `NotFound`); these add the moves that are
refused as a whole."""

from __future__ import annotations

from anskaf.errors import Refused
from anskaf.orgs.errors import NotAllowed, NotFound, ValidationFailed

__all__ = ["NotAllowed", "NotAnOperator", "NotFound", "OperatorRefused", "ValidationFailed"]


class NotAnOperator(NotAllowed):
    message = "Kun installationens driftsansvarlige kan det."


class OperatorRefused(Refused):
    """A move that cannot be made now (suspend a suspended municipality, promote a person of
    a municipality to operator): the message says why (409 `conflict`)."""

    code = "conflict"
