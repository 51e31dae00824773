"""A small extension point for changes to people: other apps (notifications) register a
listener in their AppConfig.ready(); orgs itself knows none of them. Listeners run inside the
transaction of the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., None]
_listeners: list[tuple[str, Listener]] = []


def register(event_type: str, listener: Listener) -> None:
    _listeners.append((event_type, listener))


def unregister(listener: Listener) -> None:
    _listeners[:] = [item for item in _listeners if item[1] is not listener]


def emit(event_type: str, **data: Any) -> None:
    for registered, listener in _listeners:
        if registered == event_type:
            listener(**data)
