"""Who may use the installation's pages and services: its operator (ADR 0030), as defined
once in `anskaf.orgs.permissions.is_operator`; the command line acts as the operator."""

from __future__ import annotations

from typing import Any

from anskaf.orgs.permissions import is_operator, require

from .errors import NotAnOperator


def operator_refusal(person: Any) -> str | None:
    return None if is_operator(person) else NotAnOperator.message


def require_operator(person: Any) -> None:
    require(operator_refusal(person), NotAnOperator)


def via_refusal(actor: Any, via: str) -> str | None:
    """A service is called by an operator (a page, the API) or by the command line."""
    if actor is None:
        return None if via == "cli" else NotAnOperator.message
    return operator_refusal(actor)
