"""Values kept under keys that name their content, in the process as well as the shared cache.

A key that holds the version of what it maps to (the viewer's access stamp, the work version,
a fragment's chain head, a model's hash) is never reused for other content, so a copy in the
process's memory can never be stale: a change makes the next request build a new key. Each
page reads several of them (the viewer, the task count, the header); with Redis as the cache
each read was a round trip and an unpickling, about 1 ms of CPU per page in all (ADR 0044).
Here they are read from a bounded LRU in the process first, then from Django's cache.

Values must be immutable (str, int, tuples, frozen dataclasses): every request of the process
shares the one object. Only such version-named keys belong here; a key that expires by time
(e.g. the municipality's name) stays in Django's cache alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.core.cache import cache

# Entries per process, and their weight: an entry weighs 1 plus its items when it is a
# collection (a task list, a person's task parts) and 1 per kilobyte of text (HTML). The
# weight bounds the memory: an IT person's task list has thousands of rows, and each move of
# the municipality's work version keeps a new one; by count alone a thousand of them could
# fill a worker's memory.
LIMIT = 1000
WEIGHT = 200_000

_local: OrderedDict[str, Any] = OrderedDict()
_weights: dict[str, int] = {}
_lock = threading.Lock()
_total = 0


def kept_get(key: str) -> Any:
    """The value under `key`, from the process, else from Django's cache (then kept here
    too); None when neither has it."""
    with _lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    value = cache.get(key)
    if value is not None:
        _remember(key, value)
    return value


def kept_get_many(keys: list[str]) -> dict[str, Any]:
    """The values of those `keys` that are kept, from the process, the rest from Django's
    cache in one round trip (then kept here too)."""
    found: dict[str, Any] = {}
    with _lock:
        for key in keys:
            if key in _local:
                _local.move_to_end(key)
                found[key] = _local[key]
    missing = [key for key in keys if key not in found]
    if missing:
        fetched = cache.get_many(missing)
        for key, value in fetched.items():
            _remember(key, value)
        found.update(fetched)
    return found


def kept_set(key: str, value: Any, timeout: int) -> None:
    cache.set(key, value, timeout)
    _remember(key, value)


def kept_set_many(values: dict[str, Any], timeout: int) -> None:
    """Keep several values in one round trip to Django's cache."""
    cache.set_many(values, timeout)
    for key, value in values.items():
        _remember(key, value)


def kept_here(key: str) -> Any:
    """The value under `key` in this process only, None when it has none: for what is too
    large to send to the shared cache whole and is rebuilt from it when missing."""
    with _lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    return None


def keep_here(key: str, value: Any) -> None:
    """Keep `value` in this process only (`kept_here`)."""
    _remember(key, value)


def _weight(value: Any) -> int:
    if isinstance(value, (tuple, list, dict, set, frozenset)):
        return 1 + len(value)
    if isinstance(value, str):
        return 1 + len(value) // 1024
    return 1


def _remember(key: str, value: Any) -> None:
    global _total
    weight = _weight(value)
    with _lock:
        _total += weight - _weights.get(key, 0)
        _weights[key] = weight
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > 1 and (len(_local) > LIMIT or _total > WEIGHT):
            oldest, _ = _local.popitem(last=False)
            _total -= _weights.pop(oldest)


def forget_kept() -> None:
    """Empty the process's copies (with `cache.clear()`: the tests, which reuse ids and
    write rows without the audited services)."""
    global _total
    with _lock:
        _local.clear()
        _weights.clear()
        _total = 0
