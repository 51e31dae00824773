"""Template context: `unread_notifications`, the number beside "Notifikationer" in the menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import selectors


def unread(request: HttpRequest) -> dict[str, Any]:
    """Lazy: one COUNT query, only on pages that show the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user))}
