"""The case page's "IT-visitationen" section: rounds through the board and "put forward"."""

from __future__ import annotations

from typing import Any

from django import template

from anskaf.cases.process_models import model_for

from .. import selectors, services
from ..steps import board_steps

register = template.Library()


@register.simple_tag(takes_context=True)
def board_section(context: Any, case: Any) -> dict[str, Any]:
    user = context["request"].user
    rounds = selectors.case_rounds(viewer=user, case=case)
    pending = services.pending_referral(case.pk)
    # The case page's case carries its step states and decisions (prefetched): no new queries.
    states = {s.number: s for s in case.step_states.all()}
    board = board_steps(model_for(case))
    return {
        "rounds": rounds,
        "pending": pending,
        "may_put_forward": services.put_forward_refusal(user, case) is None,
        "not_ready": services.ready_refusal(case, states, board),
    }
