from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from anskaf.cases import selectors


def task_count(request: HttpRequest) -> dict[str, Any]:
    """The number shown beside "Mine opgaver" in the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return {}
    return {"my_task_count": selectors.my_task_count(viewer=user)}
