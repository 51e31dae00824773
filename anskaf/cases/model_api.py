"""The process model's API (issue 17): read the versions and their YAML, check a model, publish
one (the municipality's or a forvaltning's), republish an earlier one, adopt a newer shared
version, and move open cases to the current version (dry run and for real). Organisation
admins only, as the Procesmodel page; the same services. Order: 401, 404 (the version), 403
(not an admin), 400 (the body), 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Router, Status

from anskaf.http import params
from anskaf.http.errors import ApiError
from anskaf.http.schemas import ErrorOut
from anskaf.orgs.permissions import is_admin
from anskaf.orgs.request_types import ApiRequest
from anskaf.process.loader import ModelInvalid

from .errors import NotFound, ReferenceRefused
from .model_admin import bpmn_response, preview
from .model_migration import CasePlan, cases_migrate, migration_plan
from .models import ModelVersion
from .process_models import (
    MAX_MODEL_BYTES,
    current_version,
    model_adopt_shared,
    model_check,
    model_publish,
    model_rollback,
    newer_shared,
    publishing_unit,
    publishing_units,
)
from .schemas import (
    MigrationDryRunOut,
    MigrationResultOut,
    ModelCheckIn,
    ModelCheckOut,
    ModelMigrateIn,
    ModelPreviewOut,
    ModelPublishIn,
    ModelRepublishIn,
    ModelVersionDetailOut,
    ModelVersionListOut,
    ModelVersionOut,
)

router = Router(tags=["process model"])
SCHEMA_REF = "#/components/schemas/{model}"

E401 = "`unauthenticated`: no session and no valid `Authorization: Bearer` token."
E403 = ("`forbidden`: only the municipality's administrators (role admin for the whole "
        "municipality) work with its process model.")
E404 = "`not_found`: no such version for your municipality."
E400 = ("`validation_error`: malformed JSON, an unknown field or a wrong type; a missing "
        "reason.")
E409 = ("`conflict`: another version was published after `base_version_id`; check the "
        "model again. `invalid_model`: the model does not load (`fields.content` names each "
        "problem's line). `invalid_reference`: `unit_id` names no forvaltning of the "
        "municipality. (Identical content is no error: 200 with the current version.)")
E500 = "`server_error`: an unexpected error; quote the X-Request-ID header when reporting it."


def _errors(*codes: int) -> dict[int, str]:
    texts = {400: E400, 401: E401, 403: E403, 404: E404, 409: E409, 500: E500}
    return {code: texts[code] for code in sorted({401, 403, 500, *codes})}


def _extra(errors: dict[int, str], body: type | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "responses": {code: {"description": text} for code, text in errors.items()}}
    if body is not None:
        extra["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": SCHEMA_REF.format(model=body.__name__)}}}}
    return extra


def _responses(ok: dict[int, Any], errors: dict[int, str]) -> dict[int, Any]:
    return {**ok, **{code: ErrorOut for code in errors}}


def _admin(request: ApiRequest) -> Any:
    user = request.auth
    if not is_admin(user):
        raise ApiError(403, "forbidden", "Kun kommunens administratorer har adgang til "
                                         "procesmodellen.")
    return user


def _version(request: ApiRequest, version_id: int) -> ModelVersion:
    """The municipality's own version or a shared one (404 otherwise), then 403 unless admin."""
    user = request.auth
    version = ModelVersion.objects.select_related("published_by").filter(pk=version_id).first()
    if version is None or version.organisation_id not in (None, user.organisation_id):
        raise ApiError(404, "not_found", "Versionen findes ikke.")
    _admin(request)
    return version


def _version_dict(version: ModelVersion, current_id: int | set[int]) -> dict[str, Any]:
    by = version.published_by
    current = current_id if isinstance(current_id, set) else {current_id}
    return {
        "id": version.pk, "key": version.key, "version": version.version,
        "sha256": version.sha256, "shared": version.organisation_id is None,
        "current": version.pk in current, "published_at": version.published_at,
        "published_by": by.display_name() if by is not None else None,
        "published_via": version.published_via, "reason": version.reason,
        "unit_id": version.unit_id, "adopted_from_id": version.adopted_from_id,
    }


def _unit(organisation_id: int, unit_id: int | None) -> int | None:
    """The forvaltning a body names (409 invalid_reference for anything else)."""
    try:
        unit = publishing_unit(organisation_id, unit_id)
    except NotFound:
        raise ReferenceRefused({"unit_id": "Forvaltningen findes ikke i kommunen."}) from None
    return unit.pk if unit is not None else None


def _diff_dict(diff: Any) -> dict[str, Any]:
    return {"model": list(diff.model),
            "steps": [{"key": s.key, "title": s.title, "old_number": s.old_number,
                       "new_number": s.new_number, "status": s.status,
                       "changes": list(s.changes)} for s in diff.steps]}


def _content(value: str | None) -> str:
    if value is None or not value.strip():
        raise params.invalid({"content": "Send modellens YAML i »content«."})
    if len(value.encode("utf-8", "surrogatepass")) > MAX_MODEL_BYTES:
        raise params.invalid({"content": "Modellen er for stor (højst 1 MB)."})
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise params.invalid({"content": "Modellen indeholder tegn, der ikke kan bruges."})
    return value


def model_invalid(exc: ModelInvalid) -> ApiError:
    """A model that does not load is well-formed input the municipality's rules refuse (the
    document says only "a string"): 409 `invalid_model` with the lines (ADR 0022)."""
    problems = "; ".join(f"linje {p.line}: {p.message}" if p.line else p.message
                         for p in exc.problems)
    return ApiError(409, "invalid_model", "Modellen er ikke gyldig.", {"content": problems})


LIST_ERRORS = _errors()


@router.get("/process-model/versions",
            response=_responses({200: ModelVersionListOut}, LIST_ERRORS),
            operation_id="model_version_list",
            summary="The municipality's model versions (newest first) and the shared default",
            openapi_extra=_extra(LIST_ERRORS))
def version_list(request: ApiRequest) -> dict[str, Any]:
    user = _admin(request)
    org_id = user.organisation_id
    current = current_version(org_id)
    currents = {current.pk} | {current_version(org_id, u.pk).pk
                               for u in publishing_units(org_id)}
    own = list(ModelVersion.objects.filter(organisation_id=org_id)
               .select_related("published_by").defer("content").order_by("-version"))
    shared = (ModelVersion.objects.filter(organisation__isnull=True).defer("content")
              .order_by("-version"))
    newer = newer_shared(current)
    return {"items": [_version_dict(v, currents) for v in [*own, *shared]],
            "newer_shared": None if newer is None else {
                "adopted_version_id": newer.adopted.pk, "newest_version_id": newer.newest.pk,
                "newest_version": newer.newest.version, "diff": _diff_dict(newer.diff)}}


GET_ERRORS = _errors(404)


@router.get("/process-model/versions/{int:version_id}",
            response=_responses({200: ModelVersionDetailOut}, GET_ERRORS),
            operation_id="model_version_get", summary="One version with its YAML",
            openapi_extra=_extra(GET_ERRORS))
def version_get(request: ApiRequest, version_id: int) -> dict[str, Any]:
    version = _version(request, version_id)
    current = current_version(request.auth.municipality_id)
    return {**_version_dict(version, current.pk), "content": version.content}


BPMN_RESPONSE = {200: {
    "description": "The version as BPMN 2.0 XML (a lane per role, a user task per step, an "
                   "exclusive gateway per gate, diagram coordinates), as an attachment.",
    "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/process-model/versions/{int:version_id}/bpmn",
            response=_responses({200: None}, GET_ERRORS),
            operation_id="model_version_bpmn", summary="One version as BPMN 2.0 XML",
            openapi_extra={"responses": {**_extra(GET_ERRORS)["responses"], **BPMN_RESPONSE}})
def version_bpmn(request: ApiRequest, version_id: int) -> HttpResponse:
    return bpmn_response(_version(request, version_id))


CHECK_ERRORS = _errors(400)
CHECK_ERRORS = _errors(400, 409)


@router.post("/process-model/check", response=_responses({200: ModelCheckOut}, CHECK_ERRORS),
             operation_id="model_check",
             summary="Check a model: problems with their lines, the apps' warnings, the diff "
                     "against the current version in words. Stores nothing.",
             openapi_extra=_extra(CHECK_ERRORS, ModelCheckIn))
def check(request: ApiRequest) -> dict[str, Any]:
    user = _admin(request)
    body, _ = params.parse_body(request, ModelCheckIn)
    content = _content(body.content)
    result = model_check(organisation_id=user.municipality_id, content=content,
                         unit_id=_unit(user.municipality_id, body.unit_id))
    diff = result.diff
    return {
        "valid": result.ok, "sha256": result.sha256, "unchanged": result.unchanged,
        "current_version_id": result.current.pk,
        "problems": [{"line": p.line, "message": p.message} for p in result.problems],
        "warnings": list(result.warnings),
        "diff": None if diff is None else _diff_dict(diff),
    }


PREVIEW_ERRORS = _errors(400, 409)


@router.post("/process-model/preview",
             response=_responses({200: ModelPreviewOut}, PREVIEW_ERRORS),
             operation_id="model_preview",
             summary="Preview a case on a model: per phase its steps in order (performers, "
                     "checklist, documents, gate outcomes, replace-only). Stores nothing; an "
                     "invalid model is 409 invalid_model with the problems' lines.",
             openapi_extra=_extra(PREVIEW_ERRORS, ModelCheckIn))
def preview_model(request: ApiRequest) -> dict[str, Any]:
    user = _admin(request)
    body, _ = params.parse_body(request, ModelCheckIn)
    content = _content(body.content)
    result = model_check(organisation_id=user.municipality_id, content=content,
                         unit_id=_unit(user.municipality_id, body.unit_id))
    if result.model is None:
        raise model_invalid(ModelInvalid(list(result.problems)))
    return preview(result.model, result.sha256)


PUBLISH_ERRORS = _errors(400, 409)


@router.post("/process-model/versions",
             response=_responses({200: ModelVersionOut, 201: ModelVersionOut}, PUBLISH_ERRORS),
             operation_id="model_publish",
             summary="Publish a model: 201 with the new version, or 200 with the current one "
                     "when the content is the same (nothing stored)",
             openapi_extra=_extra(PUBLISH_ERRORS, ModelPublishIn))
def publish(request: ApiRequest) -> Status:
    user = _admin(request)
    body, _ = params.parse_body(request, ModelPublishIn)
    try:
        content = _content(body.content)
        result = model_publish(actor=user, organisation_id=user.municipality_id,
                               content=content, reason=body.reason or "",
                               base_version_id=body.base_version_id,
                               unit_id=_unit(user.municipality_id, body.unit_id))
    except ModelInvalid as exc:
        raise model_invalid(exc) from None
    return Status(201 if result.created else 200,
                  _version_dict(result.version, result.version.pk))


REPUBLISH_ERRORS = _errors(400, 404, 409)


@router.post("/process-model/versions/{int:version_id}/republish",
             response=_responses({200: ModelVersionOut, 201: ModelVersionOut},
                                 REPUBLISH_ERRORS),
             operation_id="model_republish",
             summary="Roll back: publish an earlier version's content again, as a new version",
             openapi_extra=_extra(REPUBLISH_ERRORS, ModelRepublishIn))
def republish(request: ApiRequest, version_id: int) -> Status:
    version = _version(request, version_id)
    user = request.auth
    body, _ = params.parse_body(request, ModelRepublishIn)
    result = model_rollback(actor=user, organisation_id=user.municipality_id,
                            version_id=version.pk, reason=body.reason or "",
                            base_version_id=body.base_version_id,
                            unit_id=_unit(user.municipality_id, body.unit_id))
    return Status(201 if result.created else 200,
                  _version_dict(result.version, result.version.pk))


ADOPT_ERRORS = _errors(400, 404, 409)


@router.post("/process-model/versions/{int:version_id}/adopt",
             response=_responses({200: ModelVersionOut, 201: ModelVersionOut}, ADOPT_ERRORS),
             operation_id="model_adopt_shared",
             summary="Take a shared version into use: its content becomes the municipality's "
                     "(or the forvaltning's) newest version, descending from it",
             openapi_extra=_extra(ADOPT_ERRORS, ModelRepublishIn))
def adopt(request: ApiRequest, version_id: int) -> Status:
    version = _version(request, version_id)
    if version.organisation_id is not None:
        raise ApiError(404, "not_found", "Den fælles version findes ikke.")
    user = request.auth
    body, _ = params.parse_body(request, ModelRepublishIn)
    result = model_adopt_shared(actor=user, organisation_id=user.municipality_id,
                                version_id=version.pk, reason=body.reason or "",
                                base_version_id=body.base_version_id,
                                unit_id=_unit(user.municipality_id, body.unit_id))
    return Status(201 if result.created else 200,
                  _version_dict(result.version, result.version.pk))


# --- moving open cases to the current version (ADR 0032) -------------------------------------


def _plan_dict(plan: CasePlan) -> dict[str, Any]:
    return {
        "case_id": plan.case_id, "case_number": plan.case_number,
        "case_title": plan.case_title,
        "from_version_id": plan.from_version.pk, "from_sha256": plan.from_version.sha256,
        "to_version_id": plan.to_version.pk, "to_sha256": plan.to_version.sha256,
        "mapped": [{"key": m.key, "title": m.title, "old_number": m.old_number,
                    "new_number": m.new_number, "status": m.status,
                    "title_before": m.title_before} for m in plan.mapped],
        "new": [{"key": n.key, "title": n.title, "old_number": None,
                 "new_number": n.number, "status": n.status} for n in plan.new],
        "removed": [{"key": r.key, "title": r.title, "old_number": r.number,
                     "new_number": None, "status": r.status} for r in plan.removed],
        "refusals": list(plan.refusals), "changes": plan.summary() if plan.ok else [],
    }


def _case_ids(body: ModelMigrateIn) -> list[int] | None:
    if body.case_ids is None:
        return None
    if len(body.case_ids) > 500:
        raise params.invalid({"case_ids": "Højst 500 sager ad gangen."})
    return list(dict.fromkeys(body.case_ids))


MIGRATE_ERRORS = _errors(400, 404)


@router.post("/process-model/migrations/dry-run",
             response=_responses({200: MigrationDryRunOut}, MIGRATE_ERRORS),
             operation_id="model_migration_dry_run",
             summary="Per open case not on the version new cases of its unit start on: what "
                     "maps by step key, what is new, what would be refused. Changes nothing.",
             openapi_extra=_extra(MIGRATE_ERRORS, ModelMigrateIn))
def migration_dry_run(request: ApiRequest) -> dict[str, Any]:
    user = _admin(request)
    body, _ = params.parse_body(request, ModelMigrateIn)
    plans = migration_plan(actor=user, organisation_id=user.municipality_id,
                           case_ids=_case_ids(body))
    return {"items": [_plan_dict(p) for p in plans]}


@router.post("/process-model/migrations",
             response=_responses({200: MigrationResultOut}, MIGRATE_ERRORS),
             operation_id="model_migrate",
             summary="Move the open cases (or those named) to the current version: one "
                     "transaction per case, audited (case.model_migrated); refused cases are "
                     "listed with their reasons and left as they were",
             openapi_extra=_extra(MIGRATE_ERRORS, ModelMigrateIn))
def migrate(request: ApiRequest) -> dict[str, Any]:
    user = _admin(request)
    body, _ = params.parse_body(request, ModelMigrateIn)
    result = cases_migrate(actor=user, organisation_id=user.municipality_id,
                           case_ids=_case_ids(body))
    return {"migrated": [_plan_dict(p) for p in result.migrated],
            "refused": [_plan_dict(p) for p in result.refused]}
