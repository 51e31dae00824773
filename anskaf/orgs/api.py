"""API v1 for deputies (issue 19, item 13): the same services as "Min stedfortræder".

A person names a deputy for a period of absence; during the period (first and last day
included) the deputy sees and acts on the person's own tasks with the person's roles.
Mounted by anskaf/api/urls.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError
from anskaf.http.schemas import Body, ErrorOut

from . import deputies
from .models import Deputy, User
from .request_types import ApiRequest

router = Router(tags=["deputies"])


def _r(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    return {ok: schema, **{code: ErrorOut for code in (401, 403, 500, *errors)}}


def _member(request: ApiRequest) -> User:
    user = request.auth
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", MESSAGES["no_organisation"])
    return user


class DeputyOut(Schema):
    id: int
    person: str = Field(description="Username of the absent person.")
    deputy: str = Field(description="Username of the deputy.")
    starts_on: date
    ends_on: date
    active: bool = Field(description="The period includes today.")


class DeputiesOut(Schema):
    mine: list[DeputyOut] = Field(description="The caller's own deputies.")
    for_others: list[DeputyOut] = Field(description="Whom the caller deputises for.")


class DeputyIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("deputy", "starts_on", "ends_on")
    deputy: str | None = Field(None, description="The deputy's username (same municipality).")
    starts_on: str | None = Field(None, description="First day (YYYY-MM-DD).",
                                  json_schema_extra={"format": "date"})
    ends_on: str | None = Field(None, description="Last day (YYYY-MM-DD).",
                                json_schema_extra={"format": "date"})


def _deputy(d: Deputy, today: date) -> dict[str, Any]:
    return {"id": d.pk, "person": d.person.username, "deputy": d.deputy.username,
            "starts_on": d.starts_on, "ends_on": d.ends_on,
            "active": d.starts_on <= today <= d.ends_on}


@router.get("/deputies", response=_r(200, DeputiesOut), operation_id="deputy_list",
            summary="The caller's deputies and whom the caller deputises for")
def deputy_list(request: ApiRequest) -> dict[str, Any]:
    from django.utils import timezone

    user, today = _member(request), timezone.localdate()
    rows = Deputy.objects.select_related("person", "deputy").order_by("starts_on", "pk")
    return {"mine": [_deputy(d, today) for d in rows.filter(person=user)],
            "for_others": [_deputy(d, today) for d in rows.filter(deputy=user)]}


@router.post("/deputies", response=_r(201, DeputyOut, 400, 409), operation_id="deputy_add",
             summary="Name a deputy for a period of absence (audited; the deputy is notified)",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": DeputyIn.openapi_schema("#/components/schemas/{model}")}}}})
def deputy_add(request: ApiRequest) -> Status:
    from django.utils import timezone

    user = _member(request)
    body, _ = params.parse_body(request, DeputyIn, {
        "deputy": "Vælg en person i din kommune.", "starts_on": "Angiv datoen som ÅÅÅÅ-MM-DD.",
        "ends_on": "Angiv datoen som ÅÅÅÅ-MM-DD."})
    record = deputies.deputy_add(actor=user, deputy_username=body.deputy,
                                 starts_on=body.starts_on, ends_on=body.ends_on)
    return Status(201, _deputy(record, timezone.localdate()))


@router.delete("/deputies/{int:deputy_id}", response={204: None, **_r(204, None, 404)},
               operation_id="deputy_remove", summary="Remove one of the caller's deputies")
def deputy_remove(request: ApiRequest, deputy_id: int) -> Status:
    user = _member(request)
    if not Deputy.objects.filter(pk=deputy_id, person=user).exists():
        raise ApiError(404, "not_found", "Stedfortræderen findes ikke.")
    deputies.deputy_remove(actor=user, deputy_id=deputy_id)
    return Status(204, None)
