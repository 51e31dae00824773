"""The request id of the work in progress, so audit events can name the request that caused them."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def current_request_id() -> str:
    """The current request's id, or a fresh one for work outside a request (commands)."""
    return _request_id.get() or f"cli-{uuid.uuid4().hex[:16]}"
