"""API v1 for the portfolio's part of a case (issue 19, item 13): the case's systems, its KITOS
registration, the tender thresholds (read; admins enter new ones) and procurement's
confirmation (a contract's notice decision is in portfolio/api.py). The same services as the
case page's portfolio panel.

Mounted by anskaf/api/urls.py next to portfolio/api.py; order of checks: 401, 404, 403, 400.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, get_args

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.cases.errors import NotFound
from anskaf.cases.selectors import visible_cases
from anskaf.http import params
from anskaf.http.schemas import DATE_PATTERN, Body
from anskaf.orgs.request_types import ApiRequest

from . import services
from .api import (
    LifecycleLiteral,
    SystemOut,
    json_body,
    member,
    responses,
    system_dict,
)
from .forms import threshold_values
from .models import CaseSystem, KitosSync, LinkKind, SyncStatus, TenderThreshold

router = Router(tags=["portfolio"])

LinkKindLiteral = Literal["acquired", "replaced"]  # models.LinkKind
assert set(get_args(LinkKindLiteral)) == set(LinkKind.values)


def _case(request: ApiRequest, case_id: int) -> Any:
    case = visible_cases(member(request)).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


# --- the case's systems ----------------------------------------------------------------------


class CaseSystemOut(Schema):
    kind: LinkKindLiteral
    system: SystemOut


class CaseSystemIn(Body):
    system: int | None = Field(None, description="The system's id; null unlinks.")


def _links(case: Any) -> list[dict[str, Any]]:
    links = (CaseSystem.objects.filter(case=case)
             .select_related("system__owner_unit", "system__archive_assessed_by").order_by("kind"))
    return [{"kind": link.kind, "system": system_dict(link.system)} for link in links]


@router.get("/cases/{int:case_id}/systems", response=responses(200, list[CaseSystemOut], 404),
            operation_id="case_system_list",
            summary="The systems the case acquires and replaces")
def case_system_list(request: ApiRequest, case_id: int) -> list[dict[str, Any]]:
    return _links(_case(request, case_id))


@router.put("/cases/{int:case_id}/systems/{kind}",
            response=responses(200, list[CaseSystemOut], 400, 404), operation_id="case_system_link",
            summary="Link the case to the system it acquires or replaces (null unlinks)",
            openapi_extra=json_body(CaseSystemIn))
def case_system_link(request: ApiRequest, case_id: int, kind: LinkKindLiteral
                     ) -> list[dict[str, Any]]:
    case = _case(request, case_id)
    body, _ = params.parse_body(request, CaseSystemIn)
    services.case_link(actor=request.auth, case_id=case.pk, kind=kind,
                       system_id=body.system)
    return _links(case)


# --- KITOS ------------------------------------------------------------------------------------


class KitosSyncOut(Schema):
    system_id: int
    lifecycle: LifecycleLiteral
    status: Literal["pending", "done"]  # models.SyncStatus
    attempts: int
    last_error: str
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = Field(
        description="When the worker tries again by itself; null once its attempts are used up "
                    "(KITOS_RETRY_ATTEMPTS failures in a row): then a new change, this "
                    "operation again, or the operator resumes it.")


class KitosStatusOut(Schema):
    registered: bool = Field(description="The acquired system has a usage UUID in KITOS.")
    kitos_uuid: str | None
    pending: list[KitosSyncOut] = Field(description="Registrations still waiting for KITOS.")


def _kitos(case: Any) -> dict[str, Any]:
    link = services.link_of(case.pk, LinkKind.ACQUIRED)
    system = link.system if link else None
    syncs = KitosSync.objects.filter(case=case, status=SyncStatus.PENDING).order_by("pk")
    return {"registered": bool(system and system.kitos_uuid),
            "kitos_uuid": str(system.kitos_uuid) if system and system.kitos_uuid else None,
            "pending": [{"system_id": s.system_id, "lifecycle": s.lifecycle, "status": s.status,
                         "attempts": s.attempts, "last_error": s.last_error,
                         "last_attempt_at": s.last_attempt_at,
                         "next_attempt_at": s.next_attempt_at} for s in syncs]}


@router.get("/cases/{int:case_id}/kitos", response=responses(200, KitosStatusOut, 404),
            operation_id="kitos_status", summary="The case's KITOS registration status")
def kitos_status(request: ApiRequest, case_id: int) -> dict[str, Any]:
    return _kitos(_case(request, case_id))


@router.post("/cases/{int:case_id}/kitos", response=responses(200, KitosStatusOut, 404),
             operation_id="kitos_register",
             summary="Register the case's acquired system in KITOS (queued; retried)")
def kitos_register(request: ApiRequest, case_id: int) -> dict[str, Any]:
    case = _case(request, case_id)
    services.kitos_register(actor=request.auth, case_id=case.pk)
    return _kitos(case)


# --- tender thresholds and procurement's confirmation ------------------------------------------


class ThresholdOut(Schema):
    id: int
    valid_from: date
    valid_to: date
    amount: Decimal = Field(description="DKK excluding VAT.")
    kind: Literal["goods_services"]
    source: str = Field(description="Where the figure is published.")
    in_force: bool


@router.get("/thresholds", response=responses(200, list[ThresholdOut]), operation_id="threshold_list",
            summary="The EU tender thresholds, newest first (read-only)")
def threshold_list(request: ApiRequest) -> list[dict[str, Any]]:
    member(request)
    today = timezone.localdate()
    return [threshold_out(t, today) for t in TenderThreshold.objects.order_by("-valid_from")]


def threshold_out(t: TenderThreshold, today: date) -> dict[str, Any]:
    return {"id": t.pk, "valid_from": t.valid_from, "valid_to": t.valid_to, "amount": t.amount,
            "kind": t.kind, "source": t.source, "in_force": t.valid_from <= today <= t.valid_to}


class ThresholdIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("valid_from", "valid_to", "amount", "source")
    valid_from: str | None = Field(None, description="First day of the period (YYYY-MM-DD).",
                                   json_schema_extra={"format": "date"}, pattern=DATE_PATTERN)
    valid_to: str | None = Field(None, description="Last day of the period (YYYY-MM-DD).",
                                 json_schema_extra={"format": "date"}, pattern=DATE_PATTERN)
    amount: Annotated[float, Field(ge=0.01, le=999_999_999_999.99)] | None = Field(
        None, description="DKK excluding VAT, a JSON number (the form takes Danish text, "
                          "\"1.893.000\").")
    kind: Literal["goods_services"] | None = Field(None, description="Default goods_services.")
    source: str | None = Field(None, description="Where the figure is published, e.g. the "
                                                 "Commission's regulation and communication.")


@router.post("/thresholds", response=responses(201, ThresholdOut, 400),
             operation_id="threshold_create",
             summary="Enter a new period's EU tender threshold with its source (administrators)",
             description="The same service as Administration › Udbudsgrænser: periods may not "
                         "overlap; the amount may be typed the Danish way.",
             openapi_extra=json_body(ThresholdIn))
def threshold_create(request: ApiRequest) -> Status:
    user = member(request)
    services.require_role(user, ("admin",), "administratorer")
    _, data = params.parse_body(request, ThresholdIn)
    data = {"kind": "goods_services", **{k: v for k, v in data.items() if v is not None}}
    threshold = services.threshold_save(actor=user, values=threshold_values(data))
    return Status(201, threshold_out(threshold, timezone.localdate()))


class ConfirmationIn(Body):
    note: str | None = Field(None, description="An optional note.")


class ConfirmationOut(Schema):
    case_id: int
    value: Decimal
    threshold: Decimal
    confirmed_by: str
    confirmed_at: datetime


@router.post("/cases/{int:case_id}/threshold-confirmation",
             response=responses(200, ConfirmationOut, 400, 404), operation_id="threshold_confirm",
             summary="Procurement confirms it has seen that the case is at or above the "
                     "threshold", openapi_extra=json_body(ConfirmationIn))
def threshold_confirm(request: ApiRequest, case_id: int) -> dict[str, Any]:
    case = _case(request, case_id)
    services.require_role(request.auth, services.THRESHOLD_CONFIRMERS,
                          "Udbud/Indkøb")
    body, _ = params.parse_body(request, ConfirmationIn)
    c = services.threshold_confirm(actor=request.auth, case_id=case.pk,
                                   note=body.note or "")
    return {"case_id": case.pk, "value": c.value, "threshold": c.threshold.amount,
            "confirmed_by": c.confirmed_by.username, "confirmed_at": c.confirmed_at}


# --- Administration -> Indstillinger -> "Test forbindelsen" (issue 18) ---------------------------


class KitosCheckOut(Schema):
    ok: bool
    step: Literal["configuration", "connection", "login", "organisation", "done"] = Field(
        description="The step that failed (or `done`): the municipality's KITOS configuration, "
                    "reaching its address, logging in, finding its organisation UUID.")
    message: str = Field(description="What failed, exactly, in Danish (or that it works).")


@router.post("/organisation/kitos-test", response=responses(200, KitosCheckOut),
             operation_id="kitos_connection_test",
             summary="Try the municipality's saved KITOS configuration step by step "
                     "(administrators; writes nothing)")
def kitos_connection_test(request: ApiRequest) -> dict[str, Any]:
    from anskaf.orgs.api_tenancy import admin_of_own

    user = admin_of_own(request)
    check = services.kitos_connection_test(actor=user, organisation_id=user.municipality_id)
    return {"ok": check.ok, "step": check.step, "message": check.message}
