"""API v1 for the portfolio: systems, their contracts (with computed dates) and DPAs.

Mounted by anskaf/api/urls.py. Reading: everyone in the municipality. Writing: systems by
admin, it and procurement; contracts and DPAs also by legal and security (services decide).
Order of checks as elsewhere: 401, 404 (another municipality's system), 403, 400.
Lists are {"items", "next"}; `limit` 1-200, `offset` from `next`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.cases.errors import NotFound
from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError, invalid
from anskaf.http.schemas import Body, ErrorOut
from anskaf.orgs.models import User

from . import selectors, services
from .models import (
    Contract,
    DataProcessingAgreement,
    Hosting,
    Lifecycle,
    NoticeTo,
    OversightMethod,
    System,
)

router = Router(tags=["portfolio"])


class UnitRefOut(Schema):
    id: int
    name: str


class SystemOut(Schema):
    id: int
    name: str
    supplier: str
    purpose: str
    notes: str
    owner_unit: UnitRefOut | None
    system_owner_id: int | None
    hosting: str
    personal_data: bool
    lifecycle: str
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
    notice_to: str
    terminated_on: str | None
    annual_cost: float | None
    binding_end: str
    end_date: str
    notice_by: str | None
    options_left: int


class ContractListOut(Schema):
    items: list[ContractOut]
    next: str | None


class DpaOut(Schema):
    id: int
    supplier: str
    signed_on: str | None
    sub_processors: str
    third_countries: str
    oversight_method: str
    oversight_interval_months: int
    last_oversight_on: str | None
    next_oversight_on: str | None
    case_id: int | None


class DpaListOut(Schema):
    items: list[DpaOut]
    next: str | None


DATE = {"format": "date"}


def _date(description: str) -> Any:
    return Field(None, description=f"{description} (YYYY-MM-DD).", json_schema_extra=DATE)


class SystemIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("name",)
    name: str | None = Field(None, description="The system's name.")
    supplier: str | None = None
    purpose: str | None = None
    notes: str | None = None
    owner_unit: int | None = Field(None, description="The owning unit's id.")
    system_owner: int | None = Field(None, description="The system owner's (a person's) id.")
    hosting: str | None = Field(None, description="How it is run (default web).",
                                json_schema_extra={"enum": [*Hosting.values, None]})
    personal_data: bool | None = None
    lifecycle: str | None = Field(None, description="KITOS lifecycle (default Undecided).",
                                  json_schema_extra={"enum": [*Lifecycle.values, None]})
    kitos_system_uuid: str | None = Field(None, description="The KITOS catalogue system's UUID.",
                                          json_schema_extra={"format": "uuid"})
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
    notice_to: str | None = Field(None, json_schema_extra={"enum": [*NoticeTo.values, None]})
    terminated_on: str | None = _date("The day it was terminated")
    annual_cost: float | None = Field(None, description="Kroner a year.")


class DpaIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("supplier",)
    supplier: str | None = None
    signed_on: str | None = _date("The day it was signed")
    sub_processors: str | None = None
    third_countries: str | None = None
    oversight_method: str | None = Field(None, json_schema_extra={"enum": [*OversightMethod.values, None]})
    oversight_interval_months: int | None = Field(None, ge=1, le=32767)
    last_oversight_on: str | None = _date("The last oversight")
    case: int | None = Field(None, description="The case whose DPA step it comes from.")


def _body(body: type[Body]) -> dict[str, Any]:
    """openapi_extra for a strict JSON body (parsed with params.parse_body)."""
    schema = body.openapi_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema}}}}


def _r(ok: int, schema: type, *errors: int) -> dict[int, type]:
    return {ok: schema, **{code: ErrorOut for code in (401, 403, 500, *errors)}}

def _member(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", MESSAGES["no_organisation"])
    return user  # type: ignore[no-any-return]


def _system(request: HttpRequest, system_id: int) -> System:
    system = selectors.systems(_member(request)).select_related("owner_unit").filter(
        pk=system_id).first()
    if system is None:
        raise NotFound("Systemet findes ikke.")
    return system


# The model's defaults for fields a client leaves out (the forms require them).
DEFAULTS = {"hosting": "web", "lifecycle": "Undecided", "personal_data": False,
            "option_count": 0, "option_months": 0, "options_used": 0, "notice_months": 0,
            "notice_to": "none", "oversight_method": "isae3000", "oversight_interval_months": 12}


def _form_data(request: HttpRequest, body: type[Body]) -> dict[str, Any]:
    """The JSON body, strictly typed (a wrong type or an unknown field is 400
    validation_error naming it), as form data: booleans become "True"/"False"."""
    _, data = params.parse_body(request, body)
    allowed = tuple(body.model_fields)
    # null is "not given" for a field with a default (the document allows null there)
    data = {**{k: v for k, v in DEFAULTS.items() if k in allowed},
            **{k: v for k, v in data.items() if v is not None or k not in DEFAULTS}}
    return {k: (str(v) if isinstance(v, bool) else "" if v is None else v)
            for k, v in data.items()}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def system_dict(s: System) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "supplier": s.supplier, "purpose": s.purpose,
            "notes": s.notes, "owner_unit": {"id": s.owner_unit.pk, "name": s.owner_unit.name}
            if s.owner_unit else None, "system_owner_id": s.system_owner_id,
            "hosting": s.hosting, "personal_data": s.personal_data, "lifecycle": s.lifecycle,
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
            "notice_by": _iso(d.notice_by), "options_left": d.options_left}


def dpa_dict(view: selectors.DpaView) -> dict[str, Any]:
    a = view.dpa
    return {"id": a.pk, "supplier": a.supplier, "signed_on": _iso(a.signed_on),
            "sub_processors": a.sub_processors, "third_countries": a.third_countries,
            "oversight_method": a.oversight_method,
            "oversight_interval_months": a.oversight_interval_months,
            "last_oversight_on": _iso(a.last_oversight_on),
            "next_oversight_on": _iso(view.next_oversight), "case_id": a.case_id}


def _offset(request: HttpRequest) -> int:
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
def system_list(request: HttpRequest) -> dict[str, Any]:
    user = _member(request)
    params.check_query_text(request)
    limit, offset = params.page_size(request), _offset(request)
    get = request.GET
    if get.get("q"):
        rows = selectors.search(user, get["q"], limit=offset + limit + 1)[offset:]
    else:
        rows = list(selectors.system_list(user, {
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
def system_create(request: HttpRequest) -> Status:
    user = _member(request)
    services.require_role(user, services.SYSTEM_WRITERS, "IT, indkøb og administratorer")
    system = services.system_save(actor=user, data=_form_data(request, SystemIn))
    return Status(201, system_dict(system))


@router.get("/systems/{int:system_id}", response=_r(200, SystemDetailOut, 404),
            operation_id="system_get",
            summary="A system with its predecessor and successors")
def system_get(request: HttpRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    body = system_dict(system)
    body["successor_ids"] = list(System.objects.filter(predecessor=system)
                                 .values_list("pk", flat=True))
    return body


@router.get("/systems/{int:system_id}/contracts", response=_r(200, ContractListOut, 404),
            operation_id="contract_list",
            summary="A system's contracts with end date and the last day to give notice")
def contract_list(request: HttpRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    views = selectors.contract_views(list(Contract.objects.filter(system=system)),
                                     timezone.localdate())
    return {"items": [contract_dict(v) for v in views], "next": None}


@router.post("/systems/{int:system_id}/contracts",
             response=_r(201, ContractOut, 400, 404), operation_id="contract_create",
             summary="Register a contract for the system",
             openapi_extra=_body(ContractIn))
def contract_create(request: HttpRequest, system_id: int) -> Status:
    system = _system(request, system_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    contract = services.contract_save(actor=user, system_id=system.pk,
                                      data=_form_data(request, ContractIn))
    return Status(201, contract_dict(selectors.contract_views([contract],
                                                              timezone.localdate())[0]))


@router.get("/systems/{int:system_id}/dpas", response=_r(200, DpaListOut, 404),
            operation_id="dpa_list",
            summary="A system's data processing agreements with the next oversight date")
def dpa_list(request: HttpRequest, system_id: int) -> dict[str, Any]:
    system = _system(request, system_id)
    return {"items": [dpa_dict(selectors.dpa_view(d))
                      for d in DataProcessingAgreement.objects.filter(system=system)],
            "next": None}


@router.post("/systems/{int:system_id}/dpas", response=_r(201, DpaOut, 400, 404),
             operation_id="dpa_create",
             summary="Register a data processing agreement (optionally from a case's DPA step)",
             openapi_extra=_body(DpaIn))
def dpa_create(request: HttpRequest, system_id: int) -> Status:
    system = _system(request, system_id)
    user = _member(request)
    services.require_role(user, services.AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og "
                                                            "administratorer")
    data = _form_data(request, DpaIn)
    dpa = services.dpa_save(actor=user, system_id=system.pk, data=data,
                            case_id=data.pop("case", None) or None)
    return Status(201, dpa_dict(selectors.dpa_view(dpa)))
