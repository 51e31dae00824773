"""Reads for the notification centre, the preferences page, the outbox and step deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from anskaf.cases.models import Case
from anskaf.orgs.models import User

from .choices import Kind, MailMode, OutboxStatus
from .models import Notification, NotificationPreference, OutboxMessage, StepDeadline


def unread_count(user: User) -> int:
    sql, params = unread_count_sql(user)  # the one definition of "unread"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def unread_count_sql(user: User) -> tuple[str, list[int]]:
    """unread_count as one SQL statement and its parameters, for the navigation, which reads
    it with the work version on every page in one round trip (see audit.selectors.
    work_version_sql for why not the ORM)."""
    meta = Notification._meta
    recipient = meta.get_field("recipient").column
    read_at = meta.get_field("read_at").column
    return (f"SELECT COUNT(*) FROM {meta.db_table} WHERE {recipient} = %s AND {read_at} IS NULL",
            [user.pk])


def my_notifications(*, viewer: User, unread_only: bool = False) -> QuerySet[Notification]:
    items = Notification.objects.filter(recipient=viewer).select_related("case")
    return items.filter(read_at__isnull=True) if unread_only else items


def my_preferences(*, viewer: User) -> dict[str, str]:
    saved = dict(NotificationPreference.objects.filter(user=viewer).values_list("kind", "mode"))
    return {kind: saved.get(kind, MailMode.IMMEDIATE) for kind in Kind.values}


def outbox(*, viewer: User, status: str | None) -> QuerySet[OutboxMessage]:
    """The viewer's organisation's messages (admins only: the view checks that first)."""
    items = OutboxMessage.objects.filter(organisation_id=viewer.municipality_id)
    if status in OutboxStatus.values:
        items = items.filter(status=status)
    return items


def outbox_counts(*, viewer: User) -> dict[str, int]:
    counts = {s: 0 for s in OutboxStatus.values}
    for status in OutboxMessage.objects.filter(organisation_id=viewer.municipality_id).values_list(
            "status", flat=True):
        counts[status] += 1
    return counts


def case_deadlines(case: Case | Any) -> dict[int, StepDeadline]:
    """The case's deadlines by step, read once per case object (the case page's step lines
    and its status panel share them)."""
    cached = getattr(case, "_anskaf_deadlines", None)
    if cached is None:
        cached = {d.step: d for d in StepDeadline.objects.filter(case_id=case.pk)}
        case._anskaf_deadlines = cached  # type: ignore[union-attr]  # a per-object cache
    return cached


def last_heartbeat(name: str = "worker") -> Any:
    """The worker's last heartbeat (a WorkerHeartbeat) or None when no worker ever ran."""
    from .models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(name=name).first()


# --- operations (the operations page, its API and /metrics) ---------------------------------


def queue_length() -> int:
    """Tasks waiting in the worker's queue (huey: SQLite or Redis)."""
    from huey.contrib.djhuey import HUEY

    return int(HUEY.pending_count())


def outbox_totals() -> dict[str, dict[str, Any]]:
    """Across every organisation (for the operator's metrics): per status, how many messages
    and the creation time of the oldest (pending and failed only; sent ones are history)."""
    from django.db.models import Count, Min

    rows = (OutboxMessage.objects.exclude(status=OutboxStatus.SENT).values("status")
            .annotate(count=Count("id"), oldest=Min("created_at")).order_by())
    totals: dict[str, dict[str, Any]] = {
        s: {"count": 0, "oldest": None} for s in (OutboxStatus.PENDING, OutboxStatus.FAILED)}
    for row in rows:
        totals[row["status"]] = {"count": row["count"], "oldest": row["oldest"]}
    return totals


def failed_deliveries(*, viewer: User) -> QuerySet[OutboxMessage]:
    """The viewer's organisation's failed e-mails, newest first (admins only: the view and the
    API check that first). A municipality sees only its own."""
    return OutboxMessage.objects.filter(organisation_id=viewer.municipality_id,
                                        status=OutboxStatus.FAILED)


@dataclass(frozen=True)
class OperationsStatus:
    """What the operations page and its API show: the worker's last heartbeat (None: never),
    whether it is recent, the queue length (None: the queue could not be read) and the
    viewer's organisation's failed e-mails."""

    heartbeat_at: dt.datetime | None
    heartbeat_host: str
    heartbeat_ok: bool
    heartbeat_max_age: int
    immediate: bool
    queue_length: int | None
    queue_error: str
    failed_total: int
    failed: list[OutboxMessage]


def operations_status(*, viewer: User, failed_limit: int) -> OperationsStatus:
    from django.conf import settings
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    beat = last_heartbeat()
    max_age = settings.ANSKAF_HEARTBEAT_MAX_AGE
    recent = beat is not None and (timezone.now() - beat.beat_at).total_seconds() <= max_age
    try:
        length, queue_error = queue_length(), ""
    except Exception as exc:  # the queue's own errors (Redis down): shown, not a broken page
        length, queue_error = None, f"{type(exc).__name__}: {exc}"[:200]
    failed = failed_deliveries(viewer=viewer)
    return OperationsStatus(
        heartbeat_at=beat.beat_at if beat else None, heartbeat_host=beat.host if beat else "",
        heartbeat_ok=bool(HUEY.immediate or recent), heartbeat_max_age=max_age,
        immediate=bool(HUEY.immediate), queue_length=length, queue_error=queue_error,
        failed_total=failed.count(), failed=list(failed[:failed_limit]))


def deadlines_of(cases: list[Any], pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The cases' deadline finder (cases.extensions): due dates of these (case, step) pairs, in
    one query (none for one case whose deadlines were read already)."""
    wanted = set(pairs)
    if len(cases) == 1:
        own = case_deadlines(cases[0])
        return {(c, n): own[n].due_date for c, n in wanted if n in own}
    rows = StepDeadline.objects.filter(case_id__in={c for c, _ in wanted},
                                       step__in={n for _, n in wanted}).values_list(
        "case_id", "step", "due_date")
    return {(c, n): due for c, n, due in rows if (c, n) in wanted}
