"""The per-request cache of access (ADR 0039): what one request has read of its people's
roles, units and deputies, and nothing kept on a model instance.

`AccessCacheMiddleware` binds a fresh `AccessCache` for each request in a context variable;
`access_cache()` binds one for a block (a command, a task). `memo(kind, key, compute)` asks
it, and computes every time when none is bound. The viewer (orgs/viewer.py, ADR 0041), the
cross-request cache, sits under it: `viewer_of` is one of the things memoised here.

A module of its own so that both `viewer` and `permissions` use it without importing each
other the wrong way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")


class AccessCache:
    """What one request has read of its people's access, by kind and key.

    Lives as long as the request (or an `access_cache()` block). A service that changes roles
    or deputies empties it (`forget_access`, `access_changed`): the rest of the request sees
    the change. The access stamps this request wrote (`access_changed`) are kept apart and
    survive the emptying: every person object of the request, not only those the service was
    given, then reads its municipality's new stamp."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, Any], Any] = {}
        self._stamps: dict[int, int] = {}

    def get(self, kind: str, key: Any, compute: Callable[[], T]) -> T:
        slot = (kind, key)
        if slot not in self._values:
            self._values[slot] = compute()
        return self._values[slot]

    def peek(self, kind: str, key: Any) -> Any:
        return self._values.get((kind, key))

    def clear(self) -> None:
        self._values.clear()

    def stamp(self, organisation_id: int) -> int | None:
        return self._stamps.get(organisation_id)

    def note_stamp(self, organisation_id: int, stamp: int) -> None:
        self._stamps[organisation_id] = stamp

    def __len__(self) -> int:
        return len(self._values)


_CURRENT: ContextVar[AccessCache | None] = ContextVar("anskaf_access_cache", default=None)


def current_cache() -> AccessCache | None:
    return _CURRENT.get()


@contextmanager
def access_cache() -> Iterator[AccessCache]:
    """Bind a cache for the block (the request's middleware, a command, a task); inside an
    already bound one, keep that one."""
    cache = _CURRENT.get()
    if cache is not None:
        yield cache
        return
    cache = AccessCache()
    token = _CURRENT.set(cache)
    try:
        yield cache
    finally:
        _CURRENT.reset(token)


def memo(kind: str, key: Any, compute: Callable[[], T]) -> T:
    """`compute()` once per request for (kind, key): what the request's pages share about a
    person (their viewer, their roles, their tasks). Without a bound cache, computed every
    time."""
    cache = _CURRENT.get()
    if cache is None or key is None:
        return compute()
    return cache.get(kind, key, compute)


def memoised(kind: str, key: Any) -> Any:
    """What `memo` holds for (kind, key) in this request, or None."""
    cache = _CURRENT.get()
    return None if cache is None else cache.peek(kind, key)


def clear_request_cache() -> None:
    """Empty the request's cache (a role, deputy or unit changed): read everything again."""
    cache = _CURRENT.get()
    if cache is not None:
        cache.clear()


def written_stamp(organisation_id: int | None) -> int | None:
    """The access stamp this request wrote for the municipality, if it wrote one."""
    cache = _CURRENT.get()
    if cache is None or organisation_id is None:
        return None
    return cache.stamp(organisation_id)


def note_written_stamp(organisation_id: int, stamp: int) -> None:
    cache = _CURRENT.get()
    if cache is not None:
        cache.note_stamp(organisation_id, stamp)
