"""{% step_documents step %}: the documents block of one step on the case page."""

from __future__ import annotations

from typing import Any

from django import template

from anskaf.documents.selectors import case_documents

register = template.Library()


def _all_steps(context: template.Context) -> dict[int, Any]:
    """Computed once per rendering of the case page (cached on the request)."""
    request = context["request"]
    case = context["case"]
    cache = getattr(request, "_anskaf_step_documents", None)
    if cache is None or cache[0] != case.pk:
        steps = context.get("steps", [])
        assignees = {s.number: s.state.assignee_id for s in steps}
        rendered = {s.number for s in steps if getattr(s, "open", True)}
        cache = (case.pk, case_documents(viewer=request.user, case=case, model=context["model"],
                                         assignees=assignees, only=rendered))
        request._anskaf_step_documents = cache
    return cache[1]


@register.inclusion_tag("documents/includes/step_documents.html", takes_context=True)
def step_documents(context: template.Context, step: Any) -> dict[str, Any]:
    docs = _all_steps(context).get(step.number)
    return {"case": context["case"], "step": step, "docs": docs, "n": step.number,
            "csrf_token": context.get("csrf_token"), "request": context["request"],
            "upload_error": context.get("upload_error") if context.get("acted") == step.number
            else None}


@register.filter
def short_sha(value: str) -> str:
    return (value or "")[:12]


@register.filter
def filesize_da(value: int) -> str:
    if value is None:
        return ""
    if value < 1024:
        return f"{value} bytes"
    if value < 1024 * 1024:
        return f"{value / 1024:.0f} kB".replace(".", ",")
    return f"{value / (1024 * 1024):.1f} MB".replace(".", ",")
