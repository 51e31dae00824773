"""The request id of the work in progress, so audit events can name the request that caused them.
The context variable itself lives in anskaf.observability.context (the log lines read it too)."""

from __future__ import annotations

import uuid

from anskaf.observability.context import request_id, reset_request_id, set_request_id

__all__ = ["current_request_id", "reset_request_id", "set_request_id"]


def current_request_id() -> str:
    """The current request's id, or a fresh one for work outside a request (commands)."""
    return request_id() or f"cli-{uuid.uuid4().hex[:16]}"
