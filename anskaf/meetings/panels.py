"""The meetings' panel on the case page: the case's rounds through the IT-visitation and
"Kontakt IT-visitationen". Silent for a model without the board's steps (`steps.py`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from anskaf.audit.selectors import chain_version
from anskaf.cases.panels import Lazy, Panel, PanelContext, Place
from anskaf.documents.selectors import step_files
from anskaf.portfolio.selectors import threshold_status

from . import selectors, services
from .permissions import put_forward_refusal
from .steps import DECISION, DOCUMENTATION, MANAGEMENT_DECISION, board_steps


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
        "may_put_forward": put_forward_refusal(context.viewer, case) is None,
        "not_ready": services.ready_refusal(case, states, board),
    }}}


def board_version(context: PanelContext) -> Any:
    """The rounds, their meetings and decisions, the queue and the case's readiness: every
    write to them is audited in the municipality's chain, in the same transaction."""
    return chain_version(context.case.organisation_id)


def board_signature(context: PanelContext) -> Any:
    """The one answer of the viewer's the section shows: may they put the case forward."""
    return services.put_forward_refusal(context.viewer, context.case) is None


def basis_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """What a decision rests on, shown on the decision's step: the board's gate shows the
    collected documentation and the need; the management's decision shows the board's
    decision, its recommendations and IT contacts, the need, the value and the threshold."""
    board = board_steps(context.model)
    if board is None:
        return {}
    case = context.case
    management = MANAGEMENT_DECISION.number(context.model)
    shown: dict[int, dict[str, Any]] = {}
    for number in numbers:
        if number == board.decision.number:
            shown[number] = {"basis": _board_basis(context, board)}
        elif number == management:
            decisions = sorted((d for d in case.decisions.all() if d.step == board.decision.number),
                               key=lambda d: d.round)
            shown[number] = {"basis": {
                "kind": "management", "board_step": board.decision.number,
                "decision": decisions[-1] if decisions else None,
                "threshold": threshold_status(case, timezone.localdate()),
            }}
    return shown


def _board_basis(context: PanelContext, board: Any) -> dict[str, Any]:
    documentation = board.documentation
    if documentation is None:
        return {"kind": "board", "documentation": None}
    case = context.case
    states = {s.number: s for s in case.step_states.all()}
    files = step_files(viewer=context.viewer, steps=[(case, documentation.number)])
    return {"kind": "board", "documentation": states.get(documentation.number),
            "documentation_step": documentation.number, "files": files.get(case.pk, [])}


def forward_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The documentation step's primary action, "Kontakt IT-visitationen", with what the board
    would miss (from what is saved; the service checks again against what the form sends)."""
    board = board_steps(context.model)
    case, viewer = context.case, context.viewer
    if (board is None or board.documentation is None or board.documentation.number not in numbers
            or case.is_closed or put_forward_refusal(viewer, case) is not None):
        return {}
    n = board.documentation.number
    states = {s.number: s for s in case.step_states.all()}
    if states[board.decision.number].status == "done":
        return {}
    finished = ("done", "not_relevant")
    state = states[n]
    before = [m for m in board.ready if m != n and states[m].status not in finished]
    if before:  # no queries for the early steps' usual case: say what comes first
        return {n: {"forward": {"before": before, "done": state.status in finished}}}
    pending = _pending(case)
    gaps = [] if pending else services.readiness_gaps(
        case, board.documentation, state, remarks=state.remarks, ticked=set(state.checked))
    return {n: {"forward": {"pending": pending, "before": before, "gaps": gaps,
                            "done": state.status in finished}}}


def _pending(case: Any) -> Any:
    """The case's pending referral: read with the page's status panel (selectors.
    held_for_board) where it was, else now."""
    if hasattr(case, "_anskaf_pending_referral"):
        return case._anskaf_pending_referral
    return services.pending_referral(case.pk)


PANELS = [Panel("board", Place.CASE, "meetings/includes/case_board.html", board_data,
                lazy=Lazy("it-visitationen", "Vis sagens runder i IT-visitationen",
                          board_version, board_signature)),
          Panel("forward", Place.STEP_BODY, "meetings/includes/step_forward.html", forward_data,
                bindings=(DOCUMENTATION,)),
          Panel("basis", Place.STEP_BODY, "meetings/includes/step_basis.html", basis_data,
                bindings=(DECISION, MANAGEMENT_DECISION))]
