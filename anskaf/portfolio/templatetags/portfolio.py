"""`{% portfolio_step step %}` on the case page: the portfolio's part of the steps it binds to
(`steps.py`: search, tender threshold, the case's systems, DPA, KITOS). The case's portfolio is
read once per request, however many steps show it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from anskaf.cases import permissions

from .. import selectors, services, steps
from ..models import System

register = template.Library()

NEEDS = steps.NEEDS.key
SHOWN = {b.key for b in steps.BINDINGS}


def _portfolio(request: Any, case: Any) -> dict[str, Any]:
    cache = getattr(request, "_anskaf_portfolio", None)
    if cache is None:
        cache = request._anskaf_portfolio = {}
    if case.pk not in cache:
        user = request.user
        data = selectors.case_portfolio(case, timezone.localdate())
        may_edit = permissions.edit_refusal(user, case) is None and not case.is_closed
        cache[case.pk] = {
            "p": data,
            "may_edit": may_edit,
            "choices": list(System.objects.filter(organisation_id=case.organisation_id)
                            .only("pk", "name")) if may_edit else [],
            "may_agree": services.may(user, services.AGREEMENT_WRITERS),
        }
    return cache[case.pk]


@register.inclusion_tag("portfolio/includes/case_step.html", takes_context=True)
def portfolio_step(context: template.Context, step: Any) -> dict[str, Any]:
    key = step.definition.key
    if key not in SHOWN:
        return {"show": False}
    request = context["request"]
    case = context["case"]
    out = {"show": True, "key": key, "n": step.number, "case": case, "request": request,
           "csrf_token": context.get("csrf_token"), **_portfolio(request, case)}
    if key == NEEDS:
        q = request.GET.get("systemsoeg", "")[:200].replace("\x00", "")
        out.update(q=q, searched=bool(q.strip()),
                   results=selectors.search(request.user, q) if q.strip() else [])
    return out
