"""Ny sag -> Importér fra Word (issue 17 item 5, ADR 0033): upload the filled-in guide, see the
preview, name the gates' outcomes, confirm. Stateless: nothing is stored until the case is
created, so the confirming form sends the file again (its sha256 must be the previewed one's).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from anskaf.cases.errors import MoveRefused, PermissionDenied, ValidationFailed

from .guide_import import DEFAULT_TEXT, guide_import, guide_import_preview
from .permissions import import_refusal
from .validation import BadFile, human_size, max_size

CASE_FIELDS = ("title", "need", "strategic_fit", "user_impact")


def outcomes_of(post: Any) -> dict[str, str]:
    """The gates' outcomes a form named: fields `outcome_<step key>`."""
    return {key.removeprefix("outcome_"): value for key, value in post.items()
            if key.startswith("outcome_") and value}


def replaces_of(value: Any) -> bool | None:
    return {"true": True, "false": False}.get(str(value)) if value not in (None, "") else None


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    errors = context.get("errors") or {}
    context["file_error"] = context.get("file_error") or errors.get("file", "")
    context["title_error"] = errors.get("title", "")
    return render(request, "documents/guide_import.html", {
        "nav": "new", "max_size": human_size(max_size()), "errors": {}, "error": "",
        "plan": None, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def guide_import_view(request: HttpRequest) -> HttpResponse:
    if (refusal := import_refusal(request.user)) is not None:  # type: ignore[arg-type]
        return render(request, "403.html", {"reason": refusal}, status=403)
    if request.method == "GET":
        return _page(request)
    upload = request.FILES.get("file")
    posted = {k: request.POST.get(k, "") for k in CASE_FIELDS}
    outcomes = outcomes_of(request.POST)
    replaces = replaces_of(request.POST.get("replaces_system"))
    if upload is None:
        return _page(request, 400, file_error="Vælg den udfyldte vejledning (.docx).",
                     posted=posted)
    confirming = request.POST.get("action") == "importer"
    try:
        preview = guide_import_preview(actor=request.user, fileobj=upload,  # type: ignore[arg-type]
                                       name=upload.name, size=upload.size,
                                       replaces_system=replaces, outcomes=outcomes)
    except BadFile as exc:
        return _page(request, 400, file_error=exc.message, posted=posted)
    except PermissionDenied as exc:
        return render(request, "403.html", {"reason": exc.message}, status=403)
    context: dict[str, Any] = {
        "preview": preview, "plan": preview.plan, "posted": posted,
        "default_text": DEFAULT_TEXT.format(name=preview.name),
        "title": (posted["title"] or preview.plan.read.title
                  or preview.name.rsplit(".", 1)[0].strip()[:200])}
    if not confirming:
        return _page(request, **context)
    try:
        case = guide_import(
            actor=request.user, fileobj=upload, name=upload.name, size=upload.size,  # type: ignore[arg-type]
            data={k: v for k, v in posted.items() if v.strip()}, replaces_system=replaces,
            outcomes=outcomes, expected_sha256=request.POST.get("sha256") or None)
    except ValidationFailed as exc:
        return _page(request, 400, errors=exc.errors, **context)
    except BadFile as exc:
        return _page(request, 400, file_error=exc.message, posted=posted)
    except MoveRefused as exc:
        return _page(request, exc.status, error=exc.message, **context)
    messages.success(request, f"Sagen {case.number} er importeret fra Word. Den udfyldte "
                              "vejledning ligger som dokument på sagens første trin.")
    return redirect("cases:case_detail", pk=case.pk)
