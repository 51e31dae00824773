"""Template context: `is_org_admin` (shows the "Administration" item in the main menu)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .permissions import is_admin


def admin(request: HttpRequest) -> dict[str, Any]:
    """Lazy: the query runs only when a template asks, and at most once per request."""
    user = getattr(request, "user", None)
    return {"is_org_admin": SimpleLazyObject(lambda: is_admin(user))}
