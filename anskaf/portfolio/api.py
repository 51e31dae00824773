"""API v1 for the portfolio: systems, their contracts (with computed dates) and DPAs.

Mounted by anskaf/api/urls.py. Reading: everyone in the municipality. Writing: systems by
admin, it and procurement; contracts and DPAs also by legal and security (services decide).
Order of checks as elsewhere: 401, 404 (another municipality's system), 403, 400.
Lists are {"items", "next"}; `limit` 1-200, `offset` from `next`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal, get_args

from django.db.models import Choices
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field
from pydantic.json_schema import JsonDict

from anskaf.cases.errors import NotFound
from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError, invalid
from anskaf.http.schemas import DATE_PATTERN, Amount, Body, ErrorOut
from anskaf.orgs.models import User
from anskaf.orgs.request_types import ApiRequest

from . import selectors, services
from .forms import (
    ContractForm,
    DpaForm,
    SystemForm,
    contract_values,
    dpa_values,
    oversight_values,
    system_values,
)
from .models import (
    ArchiveDecision,
    Contract,
    DataProcessingAgreement,
    Hosting,
    Lifecycle,
    NoticeTo,
    OversightMethod,
    OversightResult,
    System,
)

router = Router(tags=["portfolio"])


class UnitRefOut(Schema):
    id: int
    name: str


# Every closed set of values is an enum in the OpenAPI description (issue 19, item 13); the
# asserts keep each Literal equal to the model's choices.
ArchiveDecisionLiteral = Literal["archive", "no_archive"]
LifecycleLiteral = Literal["Undecided", "PhasingIn", "Operational", "PhasingOut", "NotInUse"]
HostingLiteral = Literal["local", "web"]
NoticeToLiteral = Literal["none", "month", "quarter"]
OversightLiteral = Literal["isae3000", "isae3402_2", "own", "physical", "none"]
for _literal, _choices in ((ArchiveDecisionLiteral, ArchiveDecision), (LifecycleLiteral, Lifecycle),
                           (HostingLiteral, Hosting), (NoticeToLiteral, NoticeTo),
                           (OversightLiteral, OversightMethod)):
    assert list(get_args(_literal)) == list(_choices.values), _choices


class ArchiveAssessmentOut(Schema):
    decision: ArchiveDecisionLiteral | None = Field(
        description="The archive role's assessment: archive = to be archived; null: none yet.")
    plan: str = Field(description="The plan for the archive version, or why not archived.")
    assessed_by: str | None
    assessed_at: datetime | None
    needed: bool = Field(description="The system holds personal data or case records, so "
                                     "the archive role assesses it before a case's archive "
                                     "step completes.")


class SystemOut(Schema):
    id: int
    name: str
    supplier: str
    purpose: str
    notes: str
    owner_unit: UnitRefOut | None
    system_owner_id: int | None
    hosting: HostingLiteral
    personal_data: bool
    case_records: bool
    archive: ArchiveAssessmentOut
    lifecycle: LifecycleLiteral
    lifecycle_label: str
    kitos_uuid: str | None
    kitos_system_uuid: str | None
    predecessor_id: int | None
    version: int


class SystemDetailOut(SystemOut):
    successor_ids: list[int]


class SystemListOut(Schema):
    items: list[SystemOut]
    next: str | None


class ContractOut(Schema):
    id: int
    number: str
    supplier: str
    start_date: str
    duration_months: int
    option_count: int
    option_months: int
    options_used: int
    notice_months: int
    notice_to: NoticeToLiteral
    terminated_on: str | None
    annual_cost: float | None
    binding_end: str
    end_date: str
    notice_by: str | None = Field(description="The last day to give notice for the earliest "
                                              "end still reachable today (the page's date).")
    options_left: int
    version: int


class ContractListOut(Schema):
    items: list[ContractOut]
    next: str | None


class DpaOut(Schema):
    id: int
    supplier: str
    signed_on: str | None
    sub_processors: str
    third_countries: str
    oversight_method: OversightLiteral
    oversight_interval_months: int
    last_oversight_on: str | None
    next_oversight_on: str | None
    case_id: int | None
    version: int


class DpaListOut(Schema):
    items: list[DpaOut]
    next: str | None


DATE: JsonDict = {"format": "date"}
# Dates and UUIDs are strings of a fixed shape: pydantic checks the shape (400), as the
# document says; an empty string is no date (null clears a date that may be cleared).
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _enum(choices: type[Choices], description: str, exclude: tuple[str, ...] = ()) -> Any:
    """A string field whose closed set of values is an enum in the OpenAPI description (the
    service's form checks the value and answers in Danish)."""
    values = [v for v in choices.values if v not in exclude]
    # the pattern lets pydantic refuse another value (400 naming the field) before the form
    return Field(None, description=description, json_schema_extra={"enum": values},
                 pattern=f"^(?:{'|'.join(values)})$")


AMOUNT = Field(None, description="Kroner excluding VAT, a JSON number (the forms take Danish "
                                 "text).")
VERSION = Field(None, description="The version the change is made from (from the GET); a "
                                  "stale version is refused with 409 conflict.")


def _date(description: str) -> Any:
    return Field(None, description=f"{description} (YYYY-MM-DD).", json_schema_extra=DATE,
                 pattern=DATE_PATTERN)


class SystemIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("name",)
    name: str | None = Field(None, description="The system's name.")
    supplier: str | None = None
    purpose: str | None = None
    notes: str | None = None
    owner_unit: int | None = Field(None, description="The owning unit's id.")
    system_owner: int | None = Field(None, description="The system owner's (a person's) id.")
    hosting: str | None = _enum(Hosting, "How it is run (default web).")
    personal_data: bool | None = None
    case_records: bool | None = Field(None, description="Holds case records (sagsakter).")
    lifecycle: str | None = _enum(Lifecycle, "KITOS life cycle (default Undecided); a change "
                                             "is sent to KITOS when the system is registered "
                                             "there.")
    kitos_system_uuid: str | None = Field(None, description="The KITOS catalogue system's UUID.",
                                          json_schema_extra={"format": "uuid"},
                                          pattern=UUID_PATTERN)
    predecessor: int | None = Field(None, description="The id of the system it replaces.")


class ContractIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("number", "start_date", "duration_months")
    number: str | None = None
    supplier: str | None = None
    start_date: str | None = _date("The first day")
    duration_months: int | None = Field(None, ge=1, le=32767)
    option_count: int | None = Field(None, ge=0, le=32767)
    option_months: int | None = Field(None, ge=0, le=32767)
    options_used: int | None = Field(None, ge=0, le=32767)
    notice_months: int | None = Field(None, ge=0, le=32767)
    notice_to: str | None = _enum(NoticeTo, "To which day notice takes effect.")
    terminated_on: str | None = _date("The day it was terminated")
    annual_cost: Amount = AMOUNT


class DpaIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("supplier",)
    supplier: str | None = None
    signed_on: str | None = _date("The day it was signed")
    sub_processors: str | None = None
    third_countries: str | None = None
    oversight_method: str | None = _enum(OversightMethod, "How the processor is overseen.")
    oversight_interval_months: int | None = Field(None, ge=1, le=32767)
    last_oversight_on: str | None = _date("The last oversight")
    case: int | None = Field(None, description="The case whose DPA step it comes from.")


class ContractPatchIn(ContractIn):
    required_fields: ClassVar[tuple[str, ...]] = ("version",)
    # what a contract must keep: left out is unchanged, null is no value (the form's required)
    kept_fields: ClassVar[tuple[str, ...]] = (
        "number", "start_date", "duration_months", "option_count", "option_months",
        "options_used", "notice_months", "notice_to")
    version: int | None = VERSION


class DpaPatchIn(DpaIn):
    required_fields: ClassVar[tuple[str, ...]] = ("version",)
    kept_fields: ClassVar[tuple[str, ...]] = (
        "supplier", "oversight_method", "oversight_interval_months")
    version: int | None = VERSION


class SystemPatchIn(SystemIn):
    required_fields: ClassVar[tuple[str, ...]] = ("version",)
    kept_fields: ClassVar[tuple[str, ...]] = (
        "name", "hosting", "personal_data", "lifecycle")
    version: int | None = VERSION


class OversightIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("done_on", "method", "result")
    done_on: str | None = _date("The day the oversight was completed (not in the future)")
    method: str | None = _enum(OversightMethod, "How it was carried out.", exclude=("none",))
    result: str | None = _enum(OversightResult, "What it found.")
    notes: str | None = None
    document_ref: str | None = Field(None, description="Optional: where the documentation is "
                                                       "(an ESDH number or a link).")
    version: int | None = Field(None, description="Optional: the DPA's version; a stale one "
                                                  "is refused with 409 conflict.")


class OversightOut(Schema):
    id: int
    done_on: str
    method: str
    result: str
    notes: str
    document_ref: str
    recorded_by_id: int


class OversightListOut(Schema):
    items: list[OversightOut]
    next: str | None


def _body(body: type[Body]) -> dict[str, Any]:
    """openapi_extra for a strict JSON body (parsed with params.parse_body)."""
    schema = body.openapi_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema}}}}


def _r(ok: int, schema: type, *errors: int) -> dict[int, type]:
    """The responses; an operation that reads input (400) may also refuse it as a business
    refusal (409 invalid_reference / invalid_combination, ADR 0022)."""
    business = (409,) if 400 in errors else ()
    return {ok: schema, **{code: ErrorOut for code in (401, 403, 500, *errors, *business)}}

def _member(request: ApiRequest) -> User:
    user = request.auth
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", MESSAGES["no_organisation"])
    return user


def _system(request: ApiRequest, system_id: int) -> System:
    system = selectors.systems(_member(request)).select_related("owner_unit", "archive_assessed_by").filter(
        pk=system_id).first()
    if system is None:
        raise NotFound("Systemet findes ikke.")
    return system


# The model's defaults for fields a client leaves out (the forms require them).
DEFAULTS = {"hosting": "web", "lifecycle": "Undecided", "personal_data": False,
            "case_records": False,
            "option_count": 0, "option_months": 0, "options_used": 0, "notice_months": 0,
            "notice_to": "none", "oversight_method": "isae3000", "oversight_interval_months": 12}


def _patch_data(request: ApiRequest, body: type[Body], form: Any) -> tuple[dict[str, Any], int]:
    """PATCH: the saved values (as the form shows them) with the sent fields on top, typed as
    parsed (the form's fields read a bool, a number, a date's text or None as they are), and
    the `version` sent (required)."""
    _, sent = params.parse_body(request, body, required={
        "version": "Send den version, ændringen bygger på (fra GET)."})
    version = sent.pop("version")
    return {**{f.name: f.value() for f in form}, **sent}, version


def _form_data(request: ApiRequest, body: type[Body]) -> dict[str, Any]:
    """The JSON body, strictly typed (a wrong type or an unknown field is 400
    validation_error naming it), with the model's defaults for the fields left out: the form
    takes the typed values as they are (a bool, a number, None for "no value")."""
    _, data = params.parse_body(request, body)
    allowed = tuple(body.model_fields)
    # null is "not given" for a field with a default (the document allows null there)
    return {**{k: v for k, v in DEFAULTS.items() if k in allowed},
            **{k: v for k, v in data.items() if v is not None or k not in DEFAULTS}}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _archive_dict(s: System) -> dict[str, Any]:
    by = s.archive_assessed_by
    return {"decision": s.archive_decision or None, "plan": s.archive_plan,
            "assessed_by": by.username if by else None, "assessed_at": s.archive_assessed_at,
            "needed": s.needs_archive_assessment}


def system_dict(s: System) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "supplier": s.supplier, "purpose": s.purpose,
            "notes": s.notes, "owner_unit": {"id": s.owner_unit.pk, "name": s.owner_unit.name}
            if s.owner_unit else None, "system_owner_id": s.system_owner_id,
            "hosting": s.hosting, "personal_data": s.personal_data,
            "case_records": s.case_records, "archive": _archive_dict(s), "lifecycle": s.lifecycle,
            "lifecycle_label": s.get_lifecycle_display(),
            "kitos_uuid": str(s.kitos_uuid) if s.kitos_uuid else None,
            "kitos_system_uuid": str(s.kitos_system_uuid) if s.kitos_system_uuid else None,
            "predecessor_id": s.predecessor_id, "version": s.version}


def contract_dict(view: selectors.ContractView) -> dict[str, Any]:
    c, d = view.contract, view.dates
    return {"id": c.pk, "number": c.number, "supplier": c.supplier,
            "start_date": _iso(c.start_date), "duration_months": c.duration_months,
            "option_count": c.option_count, "option_months": c.option_months,
            "options_used": c.options_used, "notice_months": c.notice_months,
            "notice_to": c.notice_to, "terminated_on": _iso(c.terminated_on),
            "annual_cost": float(c.annual_cost) if c.annual_cost is not None else None,
            "binding_end": _iso(d.binding_end), "end_date": _iso(d.end),
            "notice_by": _iso(d.notice_by), "options_left": d.options_left,
            "version": c.version}


def dpa_dict(view: selectors.DpaView) -> dict[str, Any]:
    a = view.dpa
    return {"id": a.pk, "supplier": a.supplier, "signed_on": _iso(a.signed_on),
            "sub_processors": a.sub_processors, "third_countries": a.third_countries,
            "oversight_method": a.oversight_method,
            "oversight_interval_months": a.oversight_interval_months,
            "last_oversight_on": _iso(a.last_oversight_on),
            "next_oversight_on": _iso(view.next_oversight), "case_id": a.case_id,
            "version": a.version}


def _offset(request: ApiRequest) -> int:
    try:
        value = int(request.GET.get("offset", "0"))
    except ValueError:
        raise invalid({"offset": "»offset« skal være et helt tal."}) from None
    if value < 0:
        raise invalid({"offset": "»offset« må ikke være negativ."})
    return value


@router.get("/systems", response=_r(200, SystemListOut, 400), operation_id="system_list",
            summary="The municipality's systems (filters: lifecycle, unit, supplier, "
                    "personal_data=ja|nej, q)")
def system_list(request: ApiRequest) -> dict[str, Any]:
    user = _member(request)
    params.check_query_text(request)
    limit, offset = params.page_size(request), _offset(request)
    get = request.GET
    if get.get("q"):
        rows = selectors.search(user, get["q"], limit=offset + limit + 1)[offset:]
    else:
        rows = list(selectors.system_records(user, {
            "lifecycle": get.get("lifecycle"), "unit": get.get("unit"),
            "supplier": get.get("supplier"), "personal_data": get.get("personal_data")})
            [offset:offset + limit + 1])
    more = len(rows) > limit
    query = get.copy()
    query["offset"], query["limit"] = str(offset + limit), str(limit)
    return {"items": [system_dict(s) for s in rows[:limit]],
            "next": f"{request.path}?{query.urlencode()}" if more else None}


@router.post("/systems", response=_r(201, SystemOut, 400), operation_id="system_create",
             summary="Add a system", openapi_extra=_body(SystemIn))
def system_create(request: ApiRequest) -> Status:
    user = _member(request)
    services.require_role(user, services.SYSTEM_WRITERS, "IT, indkøb og administratorer")
    system = services.system_save(actor=user, values=system_values(
        _form_data(request, SystemIn), organisation_id=user.organisation_id))
    return Status(201, system_dict(system))


@router.get("/systems/{int:system_id}", response=_r(200, SystemDetailOut, 404),
            operation_id="system_get",
            summary="A system with its predecessor and successors")
def system_get(request: ApiRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    body = system_dict(system)
    body["successor_ids"] = list(System.objects.filter(predecessor=system)
                                 .values_list("pk", flat=True))
    return body


@router.get("/systems/{int:system_id}/contracts", response=_r(200, ContractListOut, 404),
            operation_id="contract_list",
            summary="A system's contracts with end date and the last day to give notice")
def contract_list(request: ApiRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    views = selectors.contract_views(list(Contract.objects.filter(system=system)),
                                     timezone.localdate())
    return {"items": [contract_dict(v) for v in views], "next": None}


@router.post("/systems/{int:system_id}/contracts",
             response=_r(201, ContractOut, 400, 404), operation_id="contract_create",
             summary="Register a contract for the system",
             openapi_extra=_body(ContractIn))
def contract_create(request: ApiRequest, system_id: int) -> Status:
    system = _system(request, system_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    contract = services.contract_save(actor=user, system_id=system.pk,
                                      values=contract_values(
                                          _form_data(request, ContractIn)))
    return Status(201, contract_dict(selectors.contract_views([contract],
                                                              timezone.localdate())[0]))


@router.get("/systems/{int:system_id}/dpas", response=_r(200, DpaListOut, 404),
            operation_id="dpa_list",
            summary="A system's data processing agreements with the next oversight date")
def dpa_list(request: ApiRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    return {"items": [dpa_dict(selectors.dpa_view(d))
                      for d in DataProcessingAgreement.objects.filter(system=system)],
            "next": None}


@router.post("/systems/{int:system_id}/dpas", response=_r(201, DpaOut, 400, 404),
             operation_id="dpa_create",
             summary="Register a data processing agreement (optionally from a case's DPA step)",
             openapi_extra=_body(DpaIn))
def dpa_create(request: ApiRequest, system_id: int) -> Status:
    system = _system(request, system_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    data = _form_data(request, DpaIn)
    case_id = data.pop("case", None) or None
    dpa = services.dpa_save(actor=user, system_id=system.pk, values=dpa_values(data),
                            case_id=case_id)
    return Status(201, dpa_dict(selectors.dpa_view(dpa)))


class ArchiveAssessmentIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("decision", "plan")
    decision: ArchiveDecisionLiteral | None = Field(
        None, description="archive = to be archived; no_archive = not to be archived.")
    plan: str | None = Field(None, description="The plan for the archive version, or why the "
                                               "system is not archived.")
    case: int | None = Field(None, description="The case whose archive step asked for it.")
    version: int | None = Field(None, description="The system's version as last read (409 "
                                                  "when it changed since).")


@router.post("/systems/{int:system_id}/archive-assessment",
             response=_r(200, SystemOut, 400, 404, 409), operation_id="archive_assessment_record",
             summary="Record the archive role's assessment of a system",
             description="Only the archive role. Required before a case's archive step "
                         "completes when one of its systems holds personal data or case records.",
             openapi_extra=_body(ArchiveAssessmentIn))
def archive_assessment_record(request: ApiRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    user = _member(request)
    services.require_role(user, services.ARCHIVE_ASSESSORS, "Den arkivansvarlige")
    body, _ = params.parse_body(request, ArchiveAssessmentIn)
    system = services.archive_assessment_record(
        actor=user, system_id=system.pk, decision=body.decision, plan=body.plan,
        case_id=body.case, version=body.version)
    return system_dict(system)


@router.patch("/systems/{int:system_id}", response=_r(200, SystemOut, 400, 404, 409),
              operation_id="system_update",
              summary="Change a system's fields (with `version`); a changed life cycle is sent "
                      "to KITOS", openapi_extra=_body(SystemPatchIn))
def system_update(request: ApiRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    user = _member(request)
    services.require_role(user, services.SYSTEM_WRITERS, "IT, indkøb og administratorer")
    data, version = _patch_data(request, SystemPatchIn,
                                SystemForm(instance=system, organisation_id=user.organisation_id))
    saved = services.system_save(actor=user, values=system_values(
        data, organisation_id=user.organisation_id, instance=system), system_id=system.pk,
        version=version)
    return system_dict(System.objects.select_related("owner_unit").get(pk=saved.pk))


def _contract(request: ApiRequest, system: System, contract_id: int) -> Contract:
    return services.contract_of(_member(request), contract_id, system_id=system.pk)


def _dpa(request: ApiRequest, system: System, dpa_id: int) -> DataProcessingAgreement:
    return services.dpa_of(_member(request), dpa_id, system_id=system.pk)


@router.get("/systems/{int:system_id}/contracts/{int:contract_id}",
            response=_r(200, ContractOut, 404), operation_id="contract_get",
            summary="One contract with its dates and version")
def contract_get(request: ApiRequest, system_id: int, contract_id: int) -> dict[str, Any]:
    contract = _contract(request, _system(request, system_id), contract_id)
    return contract_dict(selectors.contract_views([contract], timezone.localdate())[0])


@router.patch("/systems/{int:system_id}/contracts/{int:contract_id}",
              response=_r(200, ContractOut, 400, 404, 409), operation_id="contract_update",
              summary="Change any field of a contract (an option used, a prolongation, a "
                      "termination, a new notice period) from `version`",
              openapi_extra=_body(ContractPatchIn))
def contract_update(request: ApiRequest, system_id: int, contract_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    contract = _contract(request, system, contract_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    data, version = _patch_data(request, ContractPatchIn, ContractForm(instance=contract))
    saved = services.contract_save(actor=user, system_id=system.pk,
                                   values=contract_values(data, instance=contract),
                                   contract_id=contract.pk, version=version)
    return contract_dict(selectors.contract_views([saved], timezone.localdate())[0])


@router.get("/systems/{int:system_id}/dpas/{int:dpa_id}", response=_r(200, DpaOut, 404),
            operation_id="dpa_get", summary="One data processing agreement with its version")
def dpa_get(request: ApiRequest, system_id: int, dpa_id: int) -> dict[str, Any]:
    return dpa_dict(selectors.dpa_view(_dpa(request, _system(request, system_id), dpa_id)))


@router.patch("/systems/{int:system_id}/dpas/{int:dpa_id}",
              response=_r(200, DpaOut, 400, 404, 409), operation_id="dpa_update",
              summary="Change any field of a data processing agreement from `version`",
              openapi_extra=_body(DpaPatchIn))
def dpa_update(request: ApiRequest, system_id: int, dpa_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    dpa = _dpa(request, system, dpa_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    data, version = _patch_data(request, DpaPatchIn, DpaForm(instance=dpa))
    case_id = data.pop("case", None) or None
    saved = services.dpa_save(actor=user, system_id=system.pk,
                              values=dpa_values(data, instance=dpa), dpa_id=dpa.pk,
                              version=version, case_id=case_id)
    return dpa_dict(selectors.dpa_view(saved))


def oversight_dict(o: Any) -> dict[str, Any]:
    return {"id": o.pk, "done_on": o.done_on.isoformat(), "method": o.method,
            "result": o.result, "notes": o.notes, "document_ref": o.document_ref,
            "recorded_by_id": o.recorded_by_id}


@router.get("/systems/{int:system_id}/dpas/{int:dpa_id}/oversights",
            response=_r(200, OversightListOut, 404), operation_id="dpa_oversight_list",
            summary="The completed oversights recorded for a DPA, newest first")
def dpa_oversight_list(request: ApiRequest, system_id: int, dpa_id: int) -> dict[str, Any]:
    dpa = _dpa(request, _system(request, system_id), dpa_id)
    return {"items": [oversight_dict(o) for o in dpa.oversights.all()[:200]], "next": None}


@router.post("/systems/{int:system_id}/dpas/{int:dpa_id}/oversights",
             response=_r(201, DpaOut, 400, 404, 409), operation_id="dpa_oversight_record",
             summary="Record a completed oversight: the DPA's next oversight moves by its "
                     "interval and the reminder stops; answers the DPA",
             openapi_extra=_body(OversightIn))
def dpa_oversight_record(request: ApiRequest, system_id: int, dpa_id: int) -> Status:
    system = _system(request, system_id)
    dpa = _dpa(request, system, dpa_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    _, data = params.parse_body(request, OversightIn)
    version = data.pop("version", None)
    services.dpa_oversight_record(actor=user, dpa_id=dpa.pk, system_id=system.pk,
                                  values=oversight_values(data), version=version)
    return Status(201, dpa_dict(selectors.dpa_view(services.dpa_of(user, dpa.pk))))


@router.post("/systems/{int:system_id}/contracts/{int:contract_id}/notice-decided",
             response=_r(200, ContractOut, 400, 404), operation_id="contract_notice_decided",
             summary="Record that the decision on giving notice is taken: the reminders for "
                     "the current binding period stop (400 once terminated)")
def contract_notice_decided(request: ApiRequest, system_id: int,
                            contract_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    contract = _contract(request, system, contract_id)
    user = _member(request)
    saved = services.contract_mark_notice_decided(actor=user, contract_id=contract.pk)
    return contract_dict(selectors.contract_views([saved], timezone.localdate())[0])


# The helpers the case's portfolio operations (api_case.py) share.
responses, json_body, member = _r, _body, _member
