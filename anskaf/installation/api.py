"""API v1 for the installation's operator (ADR 0030): the same services as the pages under
/drift/ and `anskaf org ...`. Everyone but an operator gets 404 here; an operator gets 404
everywhere else in the API (anskaf/api/auth.py). Mounted by anskaf/api/urls.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.cases.errors import ValidationFailed as ModelRefused
from anskaf.cases.model_api import model_invalid
from anskaf.cases.process_models import MAX_MODEL_BYTES, model_publish_shared, shared_versions
from anskaf.http import params
from anskaf.http.errors import ApiError
from anskaf.http.schemas import Body, ErrorOut
from anskaf.orgs.api_tenancy import SSO_BODY, SsoOut, sso_get_for, sso_remove_for, sso_save_for
from anskaf.orgs.models import User
from anskaf.orgs.permissions import is_operator
from anskaf.orgs.request_types import ApiRequest
from anskaf.portfolio.api_case import ThresholdIn, ThresholdOut, threshold_out
from anskaf.portfolio.forms import threshold_values
from anskaf.process.loader import ModelInvalid

from . import jobs, selectors, services
from .errors import OperatorRefused, ValidationFailed
from .inputs import OrgData, org_values

router = Router(tags=["installation"])
P = "/installation/organisations"


def _r(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    return {ok: schema, **{code: ErrorOut for code in (401, 404, 500, *errors)}}


def _body(body: type[Body]) -> dict[str, Any]:
    schema = body.openapi_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema}}}}


def _operator(request: ApiRequest) -> User:
    user = request.auth
    if not is_operator(user):
        raise ApiError(404, "not_found", "Adressen findes ikke i API'et.")
    return user


class MunicipalityOut(Schema):
    slug: str
    name: str
    cvr: str
    suspended: bool
    suspended_at: datetime | None
    suspended_reason: str
    users: int = Field(description="People of the municipality (active or not).")
    active_users: int
    units: int
    cases: int
    last_activity: datetime | None = Field(description="The newest event of its audit trail.")
    failed_deliveries: int = Field(description="E-mails of the municipality the outbox gave up "
                                   "on (their content is the municipality's admins').")
    offboarding_requested_at: datetime | None = Field(
        description="Offboarding asked for and not yet done by the worker (null: none).")
    offboarding_error: str = Field(description="Why the last offboarding failed (\"\": none).")


class MunicipalitiesOut(Schema):
    items: list[MunicipalityOut]


def _row(row: selectors.MunicipalityRow) -> dict[str, Any]:
    org = row.organisation
    return {"slug": org.slug, "name": org.name, "cvr": org.cvr, "suspended": row.suspended,
            "suspended_at": org.suspended_at, "suspended_reason": org.suspended_reason,
            "users": row.users, "active_users": row.active_users, "units": row.units,
            "cases": row.cases, "last_activity": row.last_activity,
            "failed_deliveries": row.failed_deliveries,
            "offboarding_requested_at": org.offboarding_requested_at,
            "offboarding_error": org.offboarding_error}


class MunicipalityIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("name", "slug", "cvr", "admin_name",
                                                  "admin_email")
    name: str | None = Field(None, description="The municipality's name.", max_length=200)
    slug: str | None = Field(None, description="Short name for addresses: a-z, 0-9 and -.",
                             max_length=50)
    cvr: str | None = Field(None, description="CVR number: 8 digits, modulus 11.",
                            max_length=20)
    units: list[str] | None = Field(None, description="Its forvaltninger, by name.")
    admin_name: str | None = Field(None, description="The first administrator's full name.",
                                   max_length=300)
    admin_email: str | None = Field(None, description="The first administrator's e-mail (also "
                                    "the username); the invitation is sent there.",
                                    max_length=254)


def _org_data(body: MunicipalityIn) -> OrgData:
    return OrgData(name=body.name, slug=body.slug, cvr=body.cvr, units=body.units,
                   admin_name=body.admin_name, admin_email=body.admin_email)


class SuspendIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("reason",)
    reason: str | None = Field(None, description="Why (kept in the audit trails).",
                               max_length=500)


class OffboardIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("reason", "confirm")
    reason: str | None = Field(None, description="Why (kept in the installation's audit trail).",
                               max_length=500)
    confirm: str | None = Field(None, description="The municipality's short name again, to "
                                "confirm that all its data is exported and then deleted.",
                                max_length=50)


class OffboardingOut(Schema):
    slug: str
    name: str
    requested_at: datetime
    reason: str


class OffboardedOut(Schema):
    slug: str
    name: str
    at: datetime = Field(description="When its data was deleted.")
    actor_name: str = Field(description="The operator (\"\": the command line).")
    reason: str
    export_name: str = Field(description="The export's file in the installation's export "
                             "directory (\"\": written elsewhere by the command line).")
    export_sha256: str
    rows: int
    files: int


class OffboardedListOut(Schema):
    items: list[OffboardedOut]


class OperatorIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("username",)
    username: str | None = Field(None, description="A new username, or an existing account "
                                 "that belongs to no municipality.", max_length=150)
    email: str | None = Field(None, description="Where the invitation is sent.", max_length=254)
    full_name: str | None = Field(None, max_length=300)


class OperatorOut(Schema):
    username: str
    created: bool = Field(description="A new account (false: an existing one was promoted).")


def _refused(exc: OperatorRefused | ValidationFailed) -> ApiError:
    """A well-formed request the service refuses is 409, never 400 (ADR 0022): a move that
    cannot be made now is `conflict`; a value that fits the document but not the rules (a
    CVR number whose check digit is wrong, a slug or e-mail already taken) is
    `invalid_combination`, with the fields."""
    if isinstance(exc, ValidationFailed):
        return ApiError(409, "invalid_combination", exc.message, exc.errors)
    return ApiError(409, "conflict", exc.message)


@router.get(P, response=_r(200, MunicipalitiesOut), operation_id="installation_org_list",
            summary="Every municipality on the installation with its counts (no content)")
def org_list(request: ApiRequest) -> dict[str, Any]:
    user = _operator(request)
    return {"items": [_row(r) for r in selectors.municipality_rows(viewer=user)]}


class InstallationStatusOut(Schema):
    heartbeat_at: datetime | None = Field(description="The worker's last heartbeat.")
    heartbeat_ok: bool
    immediate: bool = Field(description="Tasks run at once (no worker).")
    queue_length: int | None = Field(description="Tasks waiting; null when the queue does not "
                                     "answer (queue_error says why).")
    queue_error: str
    failed_deliveries: int = Field(description="Failed e-mails of the whole installation.")


@router.get("/installation/status", response=_r(200, InstallationStatusOut),
            operation_id="installation_status",
            summary="The whole installation's worker, queue and failed e-mails (counts only)")
def installation_status(request: ApiRequest) -> Any:
    return selectors.installation_status(viewer=_operator(request))


@router.post(P, response=_r(201, MunicipalityOut, 400, 409), operation_id="installation_org_create",
             summary="Create a municipality with its forvaltninger; its first admin is invited "
                     "by e-mail (audited)", openapi_extra=_body(MunicipalityIn))
def org_create(request: ApiRequest) -> Status:
    user = _operator(request)
    body, _ = params.parse_body(request, MunicipalityIn, {
        "name": "Skriv kommunens navn.", "slug": "Skriv kommunens kortnavn.",
        "cvr": "Skriv kommunens CVR-nummer.", "admin_name": "Skriv administratorens navn.",
        "admin_email": "Skriv administratorens e-mail."})
    try:
        org, _admin = services.org_create(actor=user, data=org_values(_org_data(body)),
                                          via="api")
    except ValidationFailed as exc:
        raise _refused(exc) from None
    return Status(201, _row(selectors.municipality_row(viewer=user, slug=org.slug)))


@router.get(P + "/{slug}", response=_r(200, MunicipalityOut),
            operation_id="installation_org_get", summary="One municipality's counts")
def org_get(request: ApiRequest, slug: str) -> dict[str, Any]:
    user = _operator(request)
    return _row(selectors.municipality_row(viewer=user, slug=slug))


@router.post(P + "/{slug}/suspend", response=_r(200, MunicipalityOut, 400, 409),
             operation_id="installation_org_suspend",
             summary="Suspend a municipality: no logins, sessions end, its jobs stop; nothing is "
                     "deleted (audited)", openapi_extra=_body(SuspendIn))
def org_suspend(request: ApiRequest, slug: str) -> dict[str, Any]:
    user = _operator(request)
    selectors.municipality_row(viewer=user, slug=slug)  # 404 before 400
    body, _ = params.parse_body(request, SuspendIn,
                                {"reason": "Skriv hvorfor kommunen suspenderes."})
    try:
        services.org_suspend(actor=user, slug=slug, reason=body.reason, via="api")
    except (OperatorRefused, ValidationFailed) as exc:
        raise _refused(exc) from None
    return _row(selectors.municipality_row(viewer=user, slug=slug))


@router.post(P + "/{slug}/resume", response=_r(200, MunicipalityOut, 409),
             operation_id="installation_org_resume",
             summary="Open a suspended municipality again (audited)")
def org_resume(request: ApiRequest, slug: str) -> dict[str, Any]:
    user = _operator(request)
    selectors.municipality_row(viewer=user, slug=slug)
    try:
        services.org_resume(actor=user, slug=slug, via="api")
    except OperatorRefused as exc:
        raise _refused(exc) from None
    return _row(selectors.municipality_row(viewer=user, slug=slug))


@router.post(P + "/{slug}/offboard", response=_r(202, OffboardingOut, 400, 409),
             operation_id="installation_org_offboard",
             summary="Offboard a suspended municipality: the worker exports all its data, reads "
                     "the export back, then deletes it (audited)", openapi_extra=_body(OffboardIn))
def org_offboard(request: ApiRequest, slug: str) -> Status:
    user = _operator(request)
    selectors.municipality_row(viewer=user, slug=slug)  # 404 before 400
    body, _ = params.parse_body(request, OffboardIn, {
        "reason": "Skriv hvorfor kommunen udfases.",
        "confirm": "Skriv kommunens kortnavn for at bekræfte udfasningen."})
    try:
        org = jobs.request_offboarding(actor=user, slug=slug, reason=body.reason,
                                       confirm=body.confirm, via="api")
    except (OperatorRefused, ValidationFailed) as exc:
        raise _refused(exc) from None
    return Status(202, {"slug": org.slug, "name": org.name,
                        "requested_at": org.offboarding_requested_at,
                        "reason": org.offboarding_reason})


@router.get("/installation/offboarded", response=_r(200, OffboardedListOut),
            operation_id="installation_offboarded_list",
            summary="The municipalities that left the installation, newest first (from the "
                    "installation's audit trail)")
def offboarded_list(request: ApiRequest) -> dict[str, Any]:
    user = _operator(request)
    return {"items": [vars(row) for row in selectors.offboarded(viewer=user)]}


def _org_id(user: User, slug: str) -> int:
    return selectors.municipality_row(viewer=user, slug=slug).organisation.pk


@router.get(P + "/{slug}/sso", response=_r(200, SsoOut), operation_id="installation_org_sso_get",
            summary="A municipality's single sign-on provider (no secret)")
def org_sso_get(request: ApiRequest, slug: str) -> dict[str, Any]:
    user = _operator(request)
    return sso_get_for(user, _org_id(user, slug))


@router.put(P + "/{slug}/sso", response=_r(200, SsoOut, 400, 409),
            operation_id="installation_org_sso_save",
            summary="Register or change a municipality's OpenID Connect provider (audited in "
                    "its and the installation's chain)", openapi_extra=SSO_BODY)
def org_sso_save(request: ApiRequest, slug: str) -> dict[str, Any]:
    user = _operator(request)
    return sso_save_for(request, user, _org_id(user, slug))


@router.delete(P + "/{slug}/sso", response={204: None, **_r(204, None)},
               operation_id="installation_org_sso_remove",
               summary="Remove a municipality's provider (audited)")
def org_sso_remove(request: ApiRequest, slug: str) -> Status:
    user = _operator(request)
    return sso_remove_for(user, _org_id(user, slug))


@router.post("/installation/operators", response=_r(201, OperatorOut, 400, 409),
             operation_id="installation_operator_add",
             summary="Make another operator (a new account is invited by e-mail; audited)",
             openapi_extra=_body(OperatorIn))
def operator_add(request: ApiRequest) -> Status:
    user = _operator(request)
    body, _ = params.parse_body(request, OperatorIn, {"username": "Skriv et brugernavn."})
    try:
        person, created = services.operator_add(actor=user, username=body.username,
                                                email=body.email or "",
                                                full_name=body.full_name or "", via="api")
    except (OperatorRefused, ValidationFailed) as exc:
        raise _refused(exc) from None
    return Status(201, {"username": person.username, "created": created})


# --- the installation's shared process model (ADR 0032) ---------------------------------------


class SharedModelIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("content", "reason")
    content: str | None = Field(None, description="The model's YAML (at most 1 MB).")
    reason: str | None = Field(None, description="Why (kept in the version history and in every "
                               "municipality's audit trail).")


class SharedVersionOut(Schema):
    id: int
    version: int
    key: str
    sha256: str
    published_at: datetime | None
    published_by: str | None
    published_via: str | None
    reason: str | None


class SharedVersionsOut(Schema):
    items: list[SharedVersionOut]


def _shared(version: Any) -> dict[str, Any]:
    by = version.published_by
    return {"id": version.pk, "version": version.version, "key": version.key,
            "sha256": version.sha256, "published_at": version.published_at,
            "published_by": by.display_name() if by is not None else None,
            "published_via": version.published_via, "reason": version.reason}


SHARED = "/installation/process-model/shared"


@router.get(SHARED, response=_r(200, SharedVersionsOut),
            operation_id="installation_shared_model_list",
            summary="The installation's shared process model versions, newest first")
def shared_model_list(request: ApiRequest) -> dict[str, Any]:
    _operator(request)
    return {"items": [_shared(v) for v in shared_versions()]}


@router.post(SHARED, response={200: SharedVersionOut, **_r(201, SharedVersionOut, 400, 409)},
             operation_id="installation_shared_model_publish",
             summary="Publish a shared model version: 201 with it, or 200 with the newest one "
                     "when the content is the same. Municipalities running the shared default "
                     "are pinned first; audited in every municipality's chain. An invalid "
                     "model is 409 invalid_model with the problems' lines.",
             openapi_extra=_body(SharedModelIn))
def shared_model_publish(request: ApiRequest) -> Status:
    user = _operator(request)
    body, _ = params.parse_body(request, SharedModelIn, {
        "content": "Send modellens YAML i »content«.", "reason": "Skriv en begrundelse."})
    content = body.content or ""
    if len(content.encode("utf-8", "surrogatepass")) > MAX_MODEL_BYTES:
        raise params.invalid({"content": "Modellen er for stor (højst 1 MB)."})
    try:
        result = model_publish_shared(actor=user, content=content, reason=body.reason or "",
                                      via="api")
    except ModelRefused as exc:
        raise params.invalid(exc.errors) from None
    except ModelInvalid as exc:
        raise model_invalid(exc) from None
    return Status(201 if result.created else 200, _shared(result.version))


# --- the installation-wide EU tender thresholds (ADR 0030) -----------------------------------


@router.get("/installation/thresholds", response=_r(200, list[ThresholdOut]),
            operation_id="installation_threshold_list",
            summary="The EU tender thresholds of the whole installation, newest first")
def threshold_list(request: ApiRequest) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [threshold_out(t, today) for t in selectors.thresholds(viewer=_operator(request))]


@router.post("/installation/thresholds", response=_r(201, ThresholdOut, 400, 409),
             operation_id="installation_threshold_create",
             summary="Enter a new period's EU tender threshold for every municipality (audited "
                     "in the installation's chain)",
             description="The same rules as the administrators' POST /thresholds: periods may "
                         "not overlap.", openapi_extra=_body(ThresholdIn))
def threshold_create(request: ApiRequest) -> Status:
    user = _operator(request)
    _, data = params.parse_body(request, ThresholdIn)
    data = {"kind": "goods_services", **{k: v for k, v in data.items() if v is not None}}
    threshold = services.threshold_save(actor=user, values=threshold_values(data), via="api")
    return Status(201, threshold_out(threshold, timezone.localdate()))
