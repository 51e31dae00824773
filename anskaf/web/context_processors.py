"""The navigation's counters: "Mine opgaver (N)" and "Notifikationer (N)"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from anskaf.audit.chain import GENESIS
from anskaf.audit.selectors import work_version_sql
from anskaf.cases import selectors
from anskaf.notifications.selectors import unread_count_sql
from anskaf.orgs.models import User


@dataclass(frozen=True)
class Counters:
    tasks: int
    unread: int


def counters(user: User) -> Counters:
    """Both counters from one statement: the municipality's work version (the task count is
    cached under it, ADR 0044) and the unread count, read fresh, so a notification read or
    received shows on the next page. Plain SQL from the two apps' selectors: on every page,
    the ORM's query building was most of an empty page's CPU."""
    head_sql, head_params = work_version_sql(user.organisation_id)
    unread_sql, unread_params = unread_count_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({head_sql}), ({unread_sql})", [*head_params, *unread_params])
        head, unread = cursor.fetchone()
    return Counters(tasks=selectors.my_task_count(viewer=user, version=head or GENESIS),
                    unread=unread)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Lazy: the query runs once, and only on pages that show the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return {}
    both = SimpleLazyObject(lambda: counters(user))
    return {"my_task_count": SimpleLazyObject(lambda: both.tasks),
            "unread_notifications": SimpleLazyObject(lambda: both.unread)}
