"""The navigation's counters: "Mine opgaver (N)" and "Notifikationer (N)"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from anskaf.audit.chain import GENESIS
from anskaf.audit.selectors import chain_head_query
from anskaf.cases import selectors
from anskaf.notifications.selectors import unread_count_query
from anskaf.orgs.models import Organisation, User


@dataclass(frozen=True)
class Counters:
    tasks: int
    unread: int


def counters(user: User) -> Counters:
    """Both counters from one query: the head of the municipality's audit chain (the task
    count is cached under it, ADR 0011) and the unread count, read fresh, so a notification
    read or received shows on the next page."""
    head, unread = (Organisation.objects.filter(pk=user.organisation_id)
                    .annotate(head=Subquery(chain_head_query(user.organisation_id)),
                              unread=Coalesce(Subquery(unread_count_query(user)), Value(0)))
                    .values_list("head", "unread").first() or (None, 0))
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
