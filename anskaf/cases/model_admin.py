"""Administration -> Procesmodel (issue 17, ADR 0019): the model new cases start on, its
versions, and checking, comparing, publishing and rolling back a model. Organisation admins
only (403 for everybody else, as the other administration pages); a version of another
municipality answers 404. Works without JavaScript: plain forms, the YAML in a textarea.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from anskaf.orgs.views import admin_required
from anskaf.process.bpmn import to_bpmn
from anskaf.process.loader import ModelInvalid
from anskaf.process.model import ProcessModel

from .errors import MoveRefused, NotFound, ValidationFailed
from .models import ModelVersion
from .process_models import (
    MAX_MODEL_BYTES,
    ModelCheck,
    current_version,
    model_check,
    model_of,
    model_publish,
    model_rollback,
    organisation_versions,
)

NAV = "admin"


def _org(request: HttpRequest) -> int:
    return request.user.organisation_id  # type: ignore[union-attr,return-value]


def model_rows(model: ProcessModel) -> list[dict[str, Any]]:
    """The model as a readable table: per phase, its steps with performers, checklist,
    documents and gate (Danish texts)."""
    phases = []
    for phase in model.phases:
        steps = []
        for number in phase.steps:
            step = model.step(number)
            gate = step.gate
            steps.append({
                "step": step,
                "roles": [model.role_label(r.role) + (" (valgfri)" if r.optional else "")
                          for r in step.roles],
                "gate": None if gate is None else {
                    "question": gate.question.da,
                    "deciders": [model.role_label(r) for r in gate.deciding_roles],
                    "outcomes": [o.label.da for o in gate.outcomes.values()],
                },
                "rules": _rules(model, step),
            })
        phases.append({"phase": phase, "steps": steps})
    return phases


def _rules(model: ProcessModel, step: Any) -> list[str]:
    rules = []
    if step.requires:
        rules.append("Kræver trin " + ", ".join(str(n) for n in step.requires))
    if step.only_when_replacing:
        rules.append("Kun når et system erstattes")
    if step.complete_roles:
        rules.append("Afsluttes af " + ", ".join(model.role_label(r) for r in step.complete_roles))
    return rules


def _admin_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    org_id = _org(request)
    current = current_version(org_id)
    model = model_of(current)
    return {
        "nav": NAV, "current": current, "model": model, "phases": model_rows(model),
        "versions": organisation_versions(org_id),
        "shared": (ModelVersion.objects.filter(organisation__isnull=True)
                   .defer("content").order_by("-version")[:1]),
        **extra,
    }


@admin_required
@require_GET
def model_admin(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/model_admin.html", _admin_context(request))


def _download(version: ModelVersion, name: str) -> HttpResponse:
    response = HttpResponse(version.content, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin_required
@require_GET
def model_download(request: HttpRequest) -> HttpResponse:
    version = current_version(_org(request))
    return _download(version, f"{version.key}-v{version.version}.yaml")


def bpmn_response(version: ModelVersion) -> HttpResponse:
    """The version as BPMN 2.0 XML (ADR 0033), as an attachment."""
    response = HttpResponse(to_bpmn(model_of(version)),
                            content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{version.key}-v{version.version}.bpmn"')
    return response


@admin_required
@require_GET
def model_bpmn_download(request: HttpRequest) -> HttpResponse:
    return bpmn_response(current_version(_org(request)))


def _version(request: HttpRequest, version_id: int) -> ModelVersion:
    """One of the organisation's own versions or a shared one; another's answers 404."""
    version = ModelVersion.objects.filter(pk=version_id).first()
    if version is None or version.organisation_id not in (None, _org(request)):
        raise Http404("Versionen findes ikke.")
    return version


@admin_required
@require_GET
def model_version_download(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(request, version_id)
    return _download(version, f"{version.key}-v{version.version}.yaml")


@admin_required
@require_GET
def model_version_bpmn(request: HttpRequest, version_id: int) -> HttpResponse:
    return bpmn_response(_version(request, version_id))


def _posted_content(request: HttpRequest) -> tuple[str | None, str | None]:
    """The model from the uploaded file, else from the textarea: (content, error)."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_MODEL_BYTES:
            return None, "Filen er for stor (højst 1 MB)."
        try:
            return upload.read().decode("utf-8"), None
        except UnicodeDecodeError:
            return None, "Filen er ikke UTF-8-tekst. Gem den som UTF-8 og prøv igen."
    content = request.POST.get("content", "")
    if not content.strip():
        return None, "Indsæt modellens YAML i feltet, eller vælg en fil."
    if len(content.encode("utf-8")) > MAX_MODEL_BYTES:
        return None, "Modellen er for stor (højst 1 MB)."
    return content, None


def _check_page(request: HttpRequest, check: ModelCheck, status: int = 200,
                **extra: Any) -> HttpResponse:
    return render(request, "cases/model_check.html", {
        "nav": NAV, "check": check,
        "lines": check.lines() if check.problems else (),
        **extra,
    }, status=status)


@admin_required
@require_POST
def model_check_view(request: HttpRequest) -> HttpResponse:
    content, error = _posted_content(request)
    if content is None:
        return render(request, "cases/model_admin.html",
                      _admin_context(request, edit_error=error,
                                     posted=request.POST.get("content", "")), status=400)
    check = model_check(organisation_id=_org(request), content=content)
    return _check_page(request, check, status=200 if check.ok else 400)


@admin_required
@require_POST
def model_publish_view(request: HttpRequest) -> HttpResponse:
    content = request.POST.get("content", "")
    if not content.strip():
        return render(request, "cases/model_admin.html", _admin_context(
            request, edit_error="Der er ingen model at udgive. Kontrollér en model først."),
            status=400)
    base = request.POST.get("base")
    try:
        result = model_publish(
            actor=request.user, organisation_id=_org(request), content=content,
            reason=request.POST.get("reason", ""),
            base_version_id=int(base) if base and base.isdigit() else None)
    except (ModelInvalid, ValidationFailed, MoveRefused) as exc:
        check = model_check(organisation_id=_org(request), content=content)
        if isinstance(exc, ValidationFailed):
            return _check_page(request, check, 400, reason_error=exc.errors.get("reason"),
                               reason=request.POST.get("reason", ""))
        if isinstance(exc, ModelInvalid):
            return _check_page(request, check, 400)
        return _check_page(request, check, exc.status, publish_error=exc.message,
                           reason=request.POST.get("reason", ""))
    if not result.created:
        messages.info(request, f"Modellen er den samme som den gældende version "
                               f"{result.version.version}. Der er ikke udgivet noget.")
    else:
        messages.success(request, f"Version {result.version.version} er udgivet. "
                                  "Nye sager starter på den; igangværende sager beholder "
                                  "deres version.")
    return redirect("cases:model_admin")


@admin_required
@require_POST
def model_rollback_view(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version(request, version_id)
    base = request.POST.get("base")
    try:
        result = model_rollback(
            actor=request.user, organisation_id=_org(request), version_id=version.pk,
            reason=request.POST.get("reason", ""),
            base_version_id=int(base) if base and base.isdigit() else None)
    except NotFound:
        raise Http404("Versionen findes ikke.") from None
    except (ValidationFailed, MoveRefused) as exc:
        message = exc.errors.get("reason", exc.message) if isinstance(
            exc, ValidationFailed) else exc.message
        return render(request, "cases/model_admin.html",
                      _admin_context(request, rollback_error=(version.pk, message)),
                      status=getattr(exc, "status", 400))
    if not result.created:
        messages.info(request, "Den version er allerede den gældende. Der er ikke udgivet noget.")
    else:
        messages.success(request, f"Indholdet fra version {version.version} er udgivet igen som "
                                  f"version {result.version.version}.")
    return redirect("cases:model_admin")
