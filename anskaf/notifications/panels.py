"""The notifications' panel on the case page: each step's deadline ("Frist") and its link."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from anskaf.cases.panels import Panel, PanelContext, Place

from . import selectors
from .permissions import deadline_refusal


def deadline_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """One query for the case's deadlines, whatever the number of steps."""
    case = context.case
    deadlines = selectors.case_deadlines(case)
    may_set = deadline_refusal(context.viewer, case) is None and not case.is_closed
    today = timezone.localdate()
    shown = {}
    for number in numbers:
        deadline = deadlines.get(number)
        if deadline is None and not may_set:
            continue
        shown[number] = {"deadline": deadline, "may_set": may_set,
                         "overdue": deadline is not None and deadline.due_date < today}
    return shown


PANELS = [Panel("deadline", Place.STEP_META, "notifications/includes/step_deadline.html",
                deadline_data)]
