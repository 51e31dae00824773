"""The portfolio's panel on the case page, on the steps it binds to (`steps.py`): the system
search and tender threshold, the case's systems, the DPA, KITOS. Read once per page, however
many steps show it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from anskaf.audit.selectors import chain_version
from anskaf.cases import permissions
from anskaf.cases.models import StepState
from anskaf.cases.panels import Lazy, Panel, PanelContext, Place

from . import selectors, services, steps
from .models import System

SEARCH_PARAM = "systemsoeg"


def _search(context: PanelContext) -> dict[str, Any]:
    q = context.params.get(SEARCH_PARAM, "")[:200].replace("\x00", "")
    return {"q": q, "searched": bool(q.strip()),
            "results": selectors.search(context.viewer, q) if q.strip() else []}


def portfolio_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    case, viewer, model = context.case, context.viewer, context.model
    may_edit = permissions.edit_refusal(viewer, case) is None and not case.is_closed
    shared = {
        "p": selectors.case_portfolio(case, timezone.localdate()),
        "may_edit": may_edit,
        "choices": list(System.objects.filter(organisation_id=case.organisation_id)
                        .only("pk", "name")) if may_edit else [],
        "may_agree": services.may(viewer, services.AGREEMENT_WRITERS),
        "is_admin": permissions.access_of(viewer).is_admin,
    }
    # The template tells the parts apart by the binding's key, whatever the model calls it,
    # and names the other bound steps by the numbers this model gives them.
    part_of: dict[int | None, Any] = {}
    for b in steps.SYSTEM_BINDINGS:  # the first binding of a step names its part
        part_of.setdefault(b.number(model), b)
    shared["bound"] = {b.key: n for n, b in part_of.items() if n is not None}
    archive_step = steps.ARCHIVE.number(model)
    shown = {}
    for number in numbers:
        binding = part_of[number]
        key = "archive_approval" if binding == steps.ARCHIVE else binding.key
        data = {**shared, "key": key, "n": number}
        if number == archive_step:
            data["archive"] = _archive(context, shared["p"])
        if binding == steps.NEEDS:
            data.update(_search(context), search_anchor=f"#portefoelje-trin-{number}",
                        search_field_id=f"trin-{number}-systemsoeg")
        shown[number] = data
    return shown


def portfolio_version(context: PanelContext) -> Any:
    """What the panel shows: the case, its systems, their DPAs, contracts and KITOS state
    (every write to them is audited in the municipality's chain, in the same transaction), the
    threshold to check against (installation-wide, so read itself: one row) and the day
    (a threshold expires by date)."""
    today = timezone.localdate()
    threshold = selectors.threshold_for_check(today)
    return (chain_version(context.case.organisation_id), today,
            threshold and (threshold.pk, threshold.amount, threshold.valid_to))


def portfolio_signature(context: PanelContext) -> Any:
    """The viewer's answers the panel shows: may link systems, register DPAs, assess for the
    archive, and the admin's call to update the thresholds."""
    viewer, case = context.viewer, context.case
    return (permissions.edit_refusal(viewer, case) is None,
            services.may(viewer, services.AGREEMENT_WRITERS),
            services.may(viewer, services.ARCHIVE_ASSESSORS),
            permissions.access_of(viewer).is_admin)


def test_outcome_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """On the readiness step: the test step's checklist and remarks (one query)."""
    test = steps.TEST.find(context.model)
    ready = steps.READY.number(context.model)
    if test is None or ready not in numbers:
        return {}
    state = StepState.objects.filter(case=context.case, number=test.number).first()
    if state is None:
        return {}
    items = [(i.label.da, i.id in state.checked) for i in test.checklist]
    items += [(i["label"], i["id"] in state.checked) for i in state.extra_items]
    return {ready: {"test": {"step": test, "state": state, "items": items}}}


def _archive(context: PanelContext, portfolio: Any) -> dict[str, Any]:
    """The case's systems the archive role assesses (personal data or case records), from the
    portfolio the page read already (no further query)."""
    systems = [s for s in (portfolio.acquired, portfolio.replaced)
               if s is not None and s.needs_archive_assessment]
    return {"systems": systems,
            "may_assess": services.may(context.viewer, services.ARCHIVE_ASSESSORS)
            and not context.case.is_closed}


PANELS = [Panel("portfolio", Place.STEP_HEAD, "portfolio/includes/case_step.html",
                portfolio_data, bindings=tuple(steps.SYSTEM_BINDINGS),
                lazy=Lazy("portefoelje", "Vis sagens systemer i porteføljen", portfolio_version,
                          portfolio_signature, params=(SEARCH_PARAM,), title="Porteføljen")),
          Panel("test_outcome", Place.STEP_BODY, "portfolio/includes/test_outcome.html",
                test_outcome_data, bindings=(steps.READY,))]
