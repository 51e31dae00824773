from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import view_refusal


def board(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation shows "IT-visitationen" (the board and admins)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return {}
    return {"sees_board": view_refusal(user) is None}
