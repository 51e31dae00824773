"""`{% step_deadline case number as deadline %}` for the case page: one query per page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from anskaf.notifications import selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def step_deadline(context: template.Context, case: Any, number: int) -> dict[str, Any]:
    """The step's deadline (if any), whether it is overdue, and whether the viewer may set it."""
    # Kept on the case object: each step's {% include %} gets a fresh render_context.
    cache = getattr(case, "_anskaf_deadlines", None)
    if cache is None:
        user = context["request"].user
        cache = {"deadlines": selectors.case_deadlines(case),
                 "may_set": services.deadline_refusal(user, case) is None and not case.is_closed}
        case._anskaf_deadlines = cache
    deadline = cache["deadlines"].get(number)
    return {"deadline": deadline, "may_set": cache["may_set"],
            "overdue": deadline is not None and deadline.due_date < timezone.localdate()}
