"""The meetings' panel on the case page: the case's rounds through the IT-visitation and
"Kontakt IT-visitationen". Silent for a model without the board's steps (`steps.py`)."""

from __future__ import annotations

from typing import Any

from anskaf.cases.panels import Panel, PanelContext, Place

from . import selectors, services
from .steps import board_steps


def board_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    board = board_steps(context.model)
    if board is None:
        return {}
    case = context.case
    # The case page's case carries its step states and decisions (prefetched): no new queries.
    states = {s.number: s for s in case.step_states.all()}
    return {0: {"board": {
        "rounds": selectors.rounds_of(case, board),
        "pending": _pending(case),
        "may_put_forward": services.put_forward_refusal(context.viewer, case) is None,
        "not_ready": services.ready_refusal(case, states, board),
    }}}


def _pending(case: Any) -> Any:
    """The case's pending referral: read with the page's status panel (selectors.
    held_for_board) where it was, else now."""
    if hasattr(case, "_anskaf_pending_referral"):
        return case._anskaf_pending_referral
    return services.pending_referral(case.pk)


PANELS = [Panel("board", Place.CASE, "meetings/includes/case_board.html", board_data)]
