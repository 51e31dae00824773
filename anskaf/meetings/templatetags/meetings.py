"""The case page's "IT-visitationen" section: rounds through the board and "put forward"."""

from __future__ import annotations

from typing import Any

from django import template

from anskaf.cases.models import StepState

from .. import selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def board_section(context: Any, case: Any) -> dict[str, Any]:
    user = context["request"].user
    rounds = selectors.case_rounds(viewer=user, case=case)
    pending = services.pending_referral(case.pk)
    states = {s.number: s for s in StepState.objects.filter(case=case, number__in=(1, 2, 3, 4, 6))}
    return {
        "rounds": rounds,
        "pending": pending,
        "may_put_forward": services.put_forward_refusal(user, case) is None,
        "not_ready": services.ready_refusal(case, states),
    }
