"""Refusals of the operator's services (ADR 0030), with Danish messages. The field errors and
"not found" are the orgs app's (`ValidationFailed`, `NotFound`); these add the moves that are
refused as a whole."""

from __future__ import annotations

from anskaf.orgs.errors import NotAllowed, NotFound, OrgsError, ValidationFailed

__all__ = ["NotAllowed", "NotAnOperator", "NotFound", "OperatorRefused", "ValidationFailed"]


class NotAnOperator(NotAllowed):
    message = "Kun installationens driftsansvarlige kan det."


class OperatorRefused(OrgsError):
    """A move that cannot be made now (suspend a suspended municipality, promote a person of
    a municipality to operator): the message says why."""
