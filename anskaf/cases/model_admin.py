"""Administration -> Procesmodel (issue 17, ADRs 0019 and 0032): the model new cases start on,
its versions, and checking, comparing, publishing and rolling back a model, for the
municipality or one of its forvaltninger (`?enhed=`, carried by every form); a newer shared
version with its diff and adopting it; moving open cases to the current version (dry run, then
for real). Organisation admins only (403 for everybody else, as the other administration
pages); a version or unit of another municipality answers 404. Works without JavaScript:
plain forms, the YAML in a textarea.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from anskaf.http import params
from anskaf.orgs.request_types import AuthenticatedRequest
from anskaf.orgs.views import admin_required
from anskaf.process.bpmn import to_bpmn
from anskaf.process.loader import ModelInvalid
from anskaf.process.model import ProcessModel

from .errors import MoveRefused, NotFound, ValidationFailed
from .model_migration import MAX_CASES, cases_migrate, migration_plan
from .models import ModelVersion
from .process_models import (
    MAX_MODEL_BYTES,
    ModelCheck,
    current_version,
    model_adopt_shared,
    model_check,
    model_of,
    model_publish,
    model_rollback,
    newer_shared,
    organisation_versions,
    publishing_unit,
    publishing_units,
)

NAV = "admin"


def _org(request: AuthenticatedRequest) -> int:
    return request.user.municipality_id


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


def _document_label(doc: Any) -> str:
    return doc.title.da + (" (påkrævet)" if doc.required else "") + (
        " (fortroligt)" if doc.confidential else "")


def preview(model: ProcessModel, sha256: str) -> dict[str, Any]:
    """How a new case's steps would look on the model (the preview, page and API): per phase
    its steps in order with performers, checklist, documents, gate and rules. Stores nothing."""
    phases = []
    for p in model_rows(model):
        steps = []
        for row in p["steps"]:
            step = row["step"]
            steps.append({
                "key": step.key, "number": step.number, "title": step.title.da,
                "performers": row["roles"],
                "checklist": [i.label.da + (" (påkrævet)" if i.required else "")
                              for i in step.checklist],
                "documents": [_document_label(d) for d in step.documents],
                "gate": None if row["gate"] is None else {
                    "question": row["gate"]["question"],
                    "deciding_roles": row["gate"]["deciders"],
                    "outcomes": row["gate"]["outcomes"]},
                "only_when_replacing": step.only_when_replacing, "rules": row["rules"],
            })
        phase = p["phase"]
        phases.append({"key": phase.key, "number": phase.number, "name": phase.name.da,
                       "steps": steps})
    return {"sha256": sha256, "key": model.key, "name": model.name.da,
            "step_count": len(model.steps),
            "replace_only_count": sum(1 for s in model.steps if s.only_when_replacing),
            "phases": phases}


def _base(request: AuthenticatedRequest) -> int | None:
    """The version the admin looked at (the forms' `base`), for the conflict check."""
    base = request.POST.get("base")
    return int(base) if base and base.isdigit() else None


def _refusal(exc: ValidationFailed | MoveRefused) -> str:
    if isinstance(exc, ValidationFailed):
        return exc.errors.get("reason", exc.message)
    return exc.message


def _unit(request: AuthenticatedRequest) -> Any:
    """The forvaltning the page works on (`enhed`, in the query or the form), None for the
    municipality; 404 for a unit that is not one of its forvaltninger."""
    raw = request.POST.get("enhed") if request.method == "POST" else request.GET.get("enhed")
    try:
        return publishing_unit(_org(request),
                               params.posted_ref(raw, missing="Forvaltningen findes ikke."))
    except NotFound:
        raise Http404("Forvaltningen findes ikke.") from None


def _unit_id(unit: Any) -> int | None:
    return unit.pk if unit is not None else None


def _admin_url(unit: Any) -> str:
    url = reverse("cases:model_admin")
    return f"{url}?enhed={unit.pk}" if unit is not None else url


def _admin_context(request: AuthenticatedRequest, unit: Any = None, **extra: Any) -> dict[str, Any]:
    org_id = _org(request)
    current = current_version(org_id, _unit_id(unit))
    model = model_of(current)
    return {
        "nav": NAV, "current": current, "model": model, "phases": model_rows(model),
        "unit": unit, "units": publishing_units(org_id),
        "versions": organisation_versions(org_id, _unit_id(unit)),
        "shared": (ModelVersion.objects.filter(organisation__isnull=True)
                   .defer("content").order_by("-version")[:1]),
        "newer_shared": newer_shared(current),
        "inherited": unit is not None and current.unit_id != unit.pk,
        **extra,
    }


@admin_required
@require_GET
def model_admin(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "cases/model_admin.html", _admin_context(request, _unit(request)))


def _download(version: ModelVersion, name: str) -> HttpResponse:
    response = HttpResponse(version.content, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin_required
@require_GET
def model_download(request: AuthenticatedRequest) -> HttpResponse:
    version = current_version(_org(request), _unit_id(_unit(request)))
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
def model_bpmn_download(request: AuthenticatedRequest) -> HttpResponse:
    return bpmn_response(current_version(_org(request), _unit_id(_unit(request))))


def _version(request: AuthenticatedRequest, version_id: int) -> ModelVersion:
    """One of the organisation's own versions or a shared one; another's answers 404."""
    version = ModelVersion.objects.filter(pk=version_id).first()
    if version is None or version.organisation_id not in (None, _org(request)):
        raise Http404("Versionen findes ikke.")
    return version


@admin_required
@require_GET
def model_version_download(request: AuthenticatedRequest, version_id: int) -> HttpResponse:
    version = _version(request, version_id)
    return _download(version, f"{version.key}-v{version.version}.yaml")


@admin_required
@require_GET
def model_version_bpmn(request: AuthenticatedRequest, version_id: int) -> HttpResponse:
    return bpmn_response(_version(request, version_id))


def posted_content(request: AuthenticatedRequest) -> tuple[str | None, str | None]:
    """The model from the uploaded file, else from the textarea: (content, error)."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is not None and upload.size > MAX_MODEL_BYTES:
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


def _check_page(request: AuthenticatedRequest, check: ModelCheck, status: int = 200,
                **extra: Any) -> HttpResponse:
    return render(request, "cases/model_check.html", {
        "nav": NAV, "check": check, "unit": _unit(request),
        "lines": check.lines() if check.problems else (),
        **extra,
    }, status=status)


@admin_required
@require_POST
def model_check_view(request: AuthenticatedRequest) -> HttpResponse:
    unit = _unit(request)
    content, error = posted_content(request)
    if content is None:
        return render(request, "cases/model_admin.html",
                      _admin_context(request, unit, edit_error=error,
                                     posted=request.POST.get("content", "")), status=400)
    check = model_check(organisation_id=_org(request), content=content, unit_id=_unit_id(unit))
    return _check_page(request, check, status=200 if check.ok else 400)


@admin_required
@require_POST
def model_preview_view(request: AuthenticatedRequest) -> HttpResponse:
    """Preview a case on a checked model: the YAML comes with the POST, nothing is stored; an
    invalid model gets the check page with its line-numbered problems."""
    unit = _unit(request)
    content, error = posted_content(request)
    if content is None:
        return render(request, "cases/model_admin.html",
                      _admin_context(request, unit, edit_error=error,
                                     posted=request.POST.get("content", "")), status=400)
    check = model_check(organisation_id=_org(request), content=content, unit_id=_unit_id(unit))
    if not check.ok or check.model is None:
        return _check_page(request, check, 400)
    return render(request, "cases/model_preview.html", {
        "nav": NAV, "check": check, "unit": unit, "phases": model_rows(check.model),
        "preview": preview(check.model, check.sha256),
    })


@admin_required
@require_POST
def model_publish_view(request: AuthenticatedRequest) -> HttpResponse:
    unit = _unit(request)
    content = request.POST.get("content", "")
    if not content.strip():
        return render(request, "cases/model_admin.html", _admin_context(
            request, unit, edit_error="Der er ingen model at udgive. Kontrollér en model først."),
            status=400)
    try:
        result = model_publish(
            actor=request.user, organisation_id=_org(request), content=content,
            reason=request.POST.get("reason", ""), base_version_id=_base(request),
            unit_id=_unit_id(unit))
    except (ModelInvalid, ValidationFailed, MoveRefused) as exc:
        check = model_check(organisation_id=_org(request), content=content,
                            unit_id=_unit_id(unit))
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
                                  "deres version, indtil du flytter dem.")
    return redirect(_admin_url(unit))


@admin_required
@require_POST
def model_rollback_view(request: AuthenticatedRequest, version_id: int) -> HttpResponse:
    version = _version(request, version_id)
    unit = _unit(request)
    try:
        result = model_rollback(
            actor=request.user, organisation_id=_org(request), version_id=version.pk,
            reason=request.POST.get("reason", ""), base_version_id=_base(request),
            unit_id=_unit_id(unit))
    except NotFound:
        raise Http404("Versionen findes ikke.") from None
    except (ValidationFailed, MoveRefused) as exc:
        return render(request, "cases/model_admin.html",
                      _admin_context(request, unit, rollback_error=(version.pk, _refusal(exc)),
                                     rollback_reason=request.POST.get("reason", "")),
                      status=getattr(exc, "status", 400))
    if not result.created:
        messages.info(request, "Den version er allerede den gældende. Der er ikke udgivet noget.")
    else:
        messages.success(request, f"Indholdet fra version {version.version} er udgivet igen som "
                                  f"version {result.version.version}.")
    return redirect(_admin_url(unit))


@admin_required
@require_POST
def model_adopt_view(request: AuthenticatedRequest, version_id: int) -> HttpResponse:
    """Take a newer shared version into use (its content, published with a reason)."""
    version = _version(request, version_id)
    if version.organisation_id is not None:
        raise Http404("Den fælles version findes ikke.")
    unit = _unit(request)
    try:
        result = model_adopt_shared(
            actor=request.user, organisation_id=_org(request), version_id=version.pk,
            reason=request.POST.get("reason", ""), base_version_id=_base(request),
            unit_id=_unit_id(unit))
    except (ValidationFailed, MoveRefused) as exc:
        return render(request, "cases/model_admin.html",
                      _admin_context(request, unit, adopt_error=_refusal(exc),
                                     adopt_reason=request.POST.get("reason", "")),
                      status=getattr(exc, "status", 400))
    if result.created:
        messages.success(request, f"Den fælles version {version.version} er taget i brug som "
                                  f"version {result.version.version}. Nye sager starter på den.")
    else:
        messages.info(request, "Den fælles version er allerede i brug. Der er ikke udgivet noget.")
    return redirect(_admin_url(unit))


# --- moving open cases to the current version (ADR 0032) -------------------------------------


def _migrations_page(request: AuthenticatedRequest, status: int = 200, **extra: Any) -> HttpResponse:
    """The dry run: per open case not on the version new cases of its unit start on."""
    plans = migration_plan(actor=request.user, organisation_id=_org(request))
    return render(request, "cases/model_migrate.html", {
        "nav": NAV, "plans": plans, "max_cases": MAX_CASES,
        "movable": [p for p in plans if p.ok], "refused": [p for p in plans if not p.ok],
        **extra,
    }, status=status)


@admin_required
@require_GET
def model_migrations(request: AuthenticatedRequest) -> HttpResponse:
    return _migrations_page(request)


@admin_required
@require_POST
def model_migrate_view(request: AuthenticatedRequest) -> HttpResponse:
    chosen = [int(v) for v in request.POST.getlist("case") if v.isdigit()]
    if not chosen:
        return _migrations_page(request, 400, choose_error="Vælg de sager, der skal flyttes.")
    try:
        result = cases_migrate(actor=request.user, organisation_id=_org(request),
                               case_ids=chosen)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    if result.migrated:
        messages.success(request, f"{len(result.migrated)} sag(er) er flyttet til den "
                                  "gældende version. Koordinatorerne har fået besked.")
    for plan in result.refused:
        messages.error(request, f"{plan.case_number} er ikke flyttet: "
                                + " ".join(plan.refusals))
    return redirect("cases:model_migrations")
