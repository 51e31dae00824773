"""The request id of the work in progress: set by the web's RequestIdMiddleware for a request
and by the worker for a task enqueued during one, read by the audit trail and the log lines."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# What a client (or a proxy) may send as X-Request-ID and we accept as ours: short, no spaces,
# nothing that could break a log line or a header.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def is_safe_request_id(value: str | None) -> bool:
    return bool(value) and bool(_SAFE_ID.match(value or ""))


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def request_id() -> str | None:
    """The id of the request (or the task started by one) in progress; None outside both."""
    return _request_id.get()


@contextmanager
def bound_request_id(value: str | None) -> Iterator[None]:
    """Run a block under a request id (a worker task under the id of the request that
    enqueued it); an unsafe or empty value leaves the block without one."""
    token = _request_id.set(value if is_safe_request_id(value) else None)
    try:
        yield
    finally:
        _request_id.reset(token)
