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
    cache = context.render_context.setdefault(f"anskaf-deadlines-{case.pk}", {})
    if "deadlines" not in cache:
        user = context["request"].user
        cache["deadlines"] = selectors.case_deadlines(case)
        cache["may_set"] = services.deadline_refusal(user, case) is None and not case.is_closed
    deadline = cache["deadlines"].get(number)
    return {"deadline": deadline, "may_set": cache["may_set"],
            "overdue": deadline is not None and deadline.due_date < timezone.localdate()}
