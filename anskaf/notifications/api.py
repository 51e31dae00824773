"""API v1 for the operations page (administrators): the worker's heartbeat, the queue length
and the organisation's failed e-mails; sending one again. Same selectors and service as the
page (anskaf/notifications/views.py `operations`, `outbox_retry`), same refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from anskaf.http.errors import ApiError
from anskaf.http.schemas import ErrorOut
from anskaf.orgs.selectors import is_org_admin

from . import selectors, services
from .models import OutboxMessage

router = Router(tags=["operations"])
FAILED_LIMIT = 200


class WorkerOut(Schema):
    last_heartbeat: datetime | None
    host: str
    ok: bool
    max_age_seconds: int
    immediate: bool


class OutboxMessageOut(Schema):
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
    failed: list[OutboxMessageOut]


def _responses(ok: tuple[int, Any], *codes: int) -> dict[int, Any]:
    return {ok[0]: ok[1], **{code: ErrorOut for code in codes}}


def _require_admin(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not is_org_admin(user):
        raise ApiError(403, "forbidden", "Kun kommunens administratorer har adgang.")
    return user


def _message(m: OutboxMessage) -> dict[str, Any]:
    return {"id": m.pk, "subject": m.subject, "to_email": m.to_email, "status": m.status,
            "attempts": m.attempts, "last_error": m.last_error, "created_at": m.created_at}


@router.get("/operations", response=_responses((200, OperationsOut), 401, 403, 500),
            operation_id="operations_status",
            summary="The worker's heartbeat, the queue length and the failed e-mails")
def operations_status(request: HttpRequest) -> dict[str, Any]:
    """Failed e-mails are the caller's organisation's only (the newest 200; `failed_total`
    counts them all)."""
    user = _require_admin(request)
    status = selectors.operations_status(viewer=user, failed_limit=FAILED_LIMIT)
    return {
        "worker": {"last_heartbeat": status.heartbeat_at, "host": status.heartbeat_host,
                   "ok": status.heartbeat_ok, "max_age_seconds": status.heartbeat_max_age,
                   "immediate": status.immediate},
        "queue_length": status.queue_length, "queue_error": status.queue_error,
        "failed_total": status.failed_total, "failed": [_message(m) for m in status.failed],
    }


@router.post("/outbox/{message_id}/retry",
             response=_responses((200, OutboxMessageOut), 400, 401, 403, 404, 500),
             operation_id="outbox_retry", summary="Send a pending or failed e-mail again now")
def outbox_retry(request: HttpRequest, message_id: int) -> dict[str, Any]:
    """400 `validation_error` when the e-mail is already sent; 404 for another
    organisation's."""
    user = _require_admin(request)
    return _message(services.outbox_retry(actor=user, message_id=message_id))
