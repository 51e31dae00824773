"""API v1 for notifications and step deadlines (issue 19, item 13): the same services as the
notification centre, the e-mail preferences, a step's deadline form, the outbox page and the
operations page (the worker's heartbeat, the queue, failed e-mails; issue 22).

Mounted by anskaf/api/urls.py. Order of checks as elsewhere: 401, 404, 403, 400.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal, get_args

from ninja import Router, Schema
from pydantic import Field

from anskaf.cases.errors import NotFound, PermissionDenied
from anskaf.cases.process_models import model_for
from anskaf.cases.selectors import visible_cases
from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError
from anskaf.http.schemas import DATE_PATTERN, Body, ErrorOut
from anskaf.orgs.models import User
from anskaf.orgs.permissions import is_admin
from anskaf.orgs.request_types import ApiRequest

from . import selectors, services
from .choices import Kind, MailMode
from .permissions import deadline_refusal

router = Router(tags=["notifications"])
FAILED_LIMIT = 200  # the operations page shows the newest failed e-mails

KindLiteral = Literal["step_opened", "step_assigned", "decision", "agenda", "deadline", "deputy",
                      "handover", "mention", "model"]  # choices.Kind
ModeLiteral = Literal["immediate", "digest", "none"]  # choices.MailMode
assert set(get_args(KindLiteral)) == set(Kind.values)
assert set(get_args(ModeLiteral)) == set(MailMode.values)


def _r(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    return {ok: schema, **{code: ErrorOut for code in (401, 403, 500, *errors)}}


def _body(body: type[Body]) -> dict[str, Any]:
    schema = body.openapi_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema}}}}


def _member(request: ApiRequest) -> User:
    user = request.auth
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", MESSAGES["no_organisation"])
    return user


# --- notifications -------------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: KindLiteral
    subject: str
    body: str
    case_id: int | None
    step: int | None
    url: str = Field(description="The page it is about (a path in the web UI).")
    created_at: datetime
    read_at: datetime | None


class NotificationListOut(Schema):
    items: list[NotificationOut]
    next: str | None
    unread: int = Field(description="How many of the caller's notifications are unread.")


def _notification(n: Any) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "subject": n.subject, "body": n.body,
            "case_id": n.case_id, "step": n.step, "url": n.url, "created_at": n.created_at,
            "read_at": n.read_at}


@router.get("/notifications", response=_r(200, NotificationListOut, 400),
            operation_id="notification_list",
            summary="The caller's notifications, newest first (`unread=1`: only unread)")
def notification_list(request: ApiRequest) -> dict[str, Any]:
    user = _member(request)
    params.check_query_text(request)
    limit = params.page_size(request)
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        raise ApiError(400, "validation_error", "»offset« skal være et helt tal.") from None
    unread_only = request.GET.get("unread") in ("1", "true")
    rows = list(selectors.my_notifications(viewer=user, unread_only=unread_only)
                [offset:offset + limit + 1])
    more = len(rows) > limit
    nxt = (f"/api/v1/notifications?limit={limit}&offset={offset + limit}"
           + ("&unread=1" if unread_only else "")) if more else None
    return {"items": [_notification(n) for n in rows[:limit]], "next": nxt,
            "unread": selectors.unread_count(user)}


@router.post("/notifications/{int:notification_id}/read", response=_r(200, NotificationOut, 404),
             operation_id="notification_mark_read",
             summary="Mark one notification read, with the older notices it folds (same case, "
                     "kind, step and subject)")
def notification_mark_read(request: ApiRequest, notification_id: int) -> dict[str, Any]:
    item = services.notification_mark_read(actor=_member(request),
                                           notification_id=notification_id)
    return _notification(item)


class CountOut(Schema):
    marked: int


@router.post("/notifications/read-all", response=_r(200, CountOut),
             operation_id="notification_mark_all_read", summary="Mark all notifications read")
def notification_mark_all_read(request: ApiRequest) -> dict[str, Any]:
    return {"marked": services.notification_mark_all_read(actor=_member(request))}


class PreferenceOut(Schema):
    kind: KindLiteral
    label: str
    mode: ModeLiteral


class PreferencesIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("modes",)
    modes: dict[KindLiteral, ModeLiteral] | None = Field(
        None, description="Per kind of notice: immediate (an e-mail at once), digest (a daily "
                          "e-mail) or none (only in anskaf).")


@router.get("/notifications/preferences", response=_r(200, list[PreferenceOut]),
            operation_id="notification_preferences_get",
            summary="How the caller wants each kind of notice by e-mail")
def preferences_get(request: ApiRequest) -> list[dict[str, Any]]:
    modes = selectors.my_preferences(viewer=_member(request))
    return [{"kind": k, "label": str(label), "mode": modes.get(k, MailMode.IMMEDIATE)}
            for k, label in Kind.choices]


@router.put("/notifications/preferences", response=_r(200, list[PreferenceOut], 400),
            operation_id="notification_preferences_set",
            summary="Set how the caller wants kinds of notice by e-mail (audited)",
            openapi_extra=_body(PreferencesIn))
def preferences_set(request: ApiRequest) -> list[dict[str, Any]]:
    user = _member(request)
    body, _ = params.parse_body(request, PreferencesIn,
                                {"modes": "Angiv en e-mail-indstilling pr. slags notifikation."})
    services.preferences_set(actor=user, modes={str(kind): mode for kind, mode in (body.modes or {}).items()})
    return preferences_get(request)


# --- step deadlines ------------------------------------------------------------------------------


class DeadlineOut(Schema):
    step: int
    due_date: date
    set_by: str | None
    overdue: bool


class DeadlineIn(Body):
    due_date: str | None = Field(None, description="YYYY-MM-DD; null or absent removes it.",
                                 json_schema_extra={"format": "date"}, pattern=DATE_PATTERN)


def _case(request: ApiRequest, case_id: int) -> Any:
    case = visible_cases(_member(request)).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def _deadline(d: Any, today: date) -> dict[str, Any]:
    return {"step": d.step, "due_date": d.due_date,
            "set_by": d.set_by.username if d.set_by_id else None, "overdue": d.due_date < today}


@router.get("/cases/{int:case_id}/deadlines", response=_r(200, list[DeadlineOut], 404),
            operation_id="deadline_list", summary="The case's step deadlines")
def deadline_list(request: ApiRequest, case_id: int) -> list[dict[str, Any]]:
    from django.utils import timezone

    case = _case(request, case_id)
    today = timezone.localdate()
    return [_deadline(d, today) for _, d in sorted(selectors.case_deadlines(case).items())]


@router.put("/cases/{int:case_id}/steps/{int:number}/deadline",
            response=_r(200, list[DeadlineOut], 400, 404), operation_id="deadline_set",
            summary="Set or remove a step's deadline (the case's managers; audited)",
            openapi_extra=_body(DeadlineIn))
def deadline_set(request: ApiRequest, case_id: int, number: int) -> list[dict[str, Any]]:
    case = _case(request, case_id)
    if not model_for(case).has_step(number):
        raise NotFound(f"Trin {number} findes ikke i sagens model.")
    if refusal := deadline_refusal(request.auth, case):
        raise PermissionDenied(refusal)
    body, _ = params.parse_body(request, DeadlineIn)
    services.deadline_set(actor=request.auth, case_id=case.pk, number=number,
                          due_date=body.due_date)
    return deadline_list(request, case_id)


# --- the outbox and the operations page (administrators, issue 22) ------------------------------


class WorkerOut(Schema):
    last_heartbeat: datetime | None
    host: str
    ok: bool
    max_age_seconds: int
    immediate: bool


class FailedMessageOut(Schema):
    id: int
    subject: str
    to_email: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime


class OperationsOut(Schema):
    worker: WorkerOut
    queue_length: int | None
    queue_error: str
    failed_total: int
    failed: list[FailedMessageOut]


def _failed(m: Any) -> dict[str, Any]:
    return {"id": m.pk, "subject": m.subject, "to_email": m.to_email, "status": m.status,
            "attempts": m.attempts, "last_error": m.last_error, "created_at": m.created_at}


@router.get("/operations", response=_r(200, OperationsOut),
            operation_id="operations_status",
            summary="The worker's heartbeat, the queue length and the failed e-mails")
def operations_status(request: ApiRequest) -> dict[str, Any]:
    """Failed e-mails are the caller's organisation's only (the newest 200; `failed_total`
    counts them all)."""
    user = _member(request)
    if not is_admin(user):
        raise ApiError(403, "forbidden", "Kun kommunens administratorer har adgang.")
    status = selectors.operations_status(viewer=user, failed_limit=FAILED_LIMIT)
    return {
        "worker": {"last_heartbeat": status.heartbeat_at, "host": status.heartbeat_host,
                   "ok": status.heartbeat_ok, "max_age_seconds": status.heartbeat_max_age,
                   "immediate": status.immediate},
        "queue_length": status.queue_length, "queue_error": status.queue_error,
        "failed_total": status.failed_total, "failed": [_failed(m) for m in status.failed],
    }


class OutboxOut(Schema):
    id: int
    status: Literal["pending", "sent", "failed"]  # choices.OutboxStatus
    attempts: int


@router.post("/outbox/{int:message_id}/retry", response=_r(200, OutboxOut, 400, 404),
             operation_id="outbox_retry", summary="Send a pending or failed e-mail again now "
                                                  "(administrators)")
def outbox_retry(request: ApiRequest, message_id: int) -> dict[str, Any]:
    user = _member(request)
    if not is_admin(user):
        raise PermissionDenied("Kun administratorer kan sende e-mails igen.")
    message = services.outbox_retry(actor=user, message_id=message_id)
    return {"id": message.pk, "status": message.status, "attempts": message.attempts}
