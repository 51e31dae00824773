"""The only place that writes notifications: notices and outbox rows (in the caller's
transaction), read marks, preferences, admin retries and step deadlines, each audited."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import Payload, audit_append
from anskaf.cases import permissions
from anskaf.cases.errors import NotFound, ValidationFailed
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_for
from anskaf.cases.services import lock_visible_case
from anskaf.http.dates import parse_date
from anskaf.orgs.models import User

from .choices import Kind, MailMode, OutboxStatus
from .models import Notification, NotificationPreference, OutboxMessage, StepDeadline
from .permissions import deadline_refusal
from .queue import enqueue_delivery


@dataclass(frozen=True)
class Notice:
    """What to tell: a short Danish subject and body and the page it is about."""

    kind: str
    organisation_id: int
    subject: str
    body: str
    path: str
    case: Case | None = None
    step: int | None = None


def absolute(path: str) -> str:
    return f"{settings.ANSKAF_BASE_URL}{path}"


def case_path(case: Case, step: int | None = None) -> str:
    path = reverse("cases:case_detail", kwargs={"pk": case.pk})
    return f"{path}#trin-{step}" if step else path


def new_message_id(kind: str = "n") -> str:
    """A Message-ID fixed at writing time, so a redelivered copy is recognisably the same."""
    return f"<anskaf.{kind}.{uuid.uuid4().hex}@{settings.ANSKAF_MAIL_DOMAIN}>"


def mail_mode(user: User, kind: str) -> str:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list(
        "mode", flat=True).first()
    return pref or MailMode.IMMEDIATE


def _greeting_and_footer(user: User, notice: Notice) -> str:
    return (
        f"Hej {user.display_name()}\n\n{notice.body}\n\n"
        f"Gå direkte til sagen: {absolute(notice.path)}\n\n"
        "-- \nSendt af anskaf. Vælg hvilke e-mails du får: "
        f"{absolute(reverse('notifications:preferences'))}\n"
    )


def outbox_add(*, organisation_id: int, to_email: str, subject: str, body: str,
               recipient: User | None = None, message_id: str | None = None,
               now: dt.datetime | None = None) -> OutboxMessage:
    """Write an e-mail to the outbox; the worker is handed it only if the transaction commits."""
    now = now or timezone.now()
    message = OutboxMessage.objects.create(
        organisation_id=organisation_id, recipient=recipient, to_email=to_email,
        subject=subject[:250], body=body, message_id=message_id or new_message_id(),
        next_attempt_at=now, created_at=now,
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def notify(people: list[User], notice: Notice, *, now: dt.datetime | None = None
           ) -> list[Notification]:
    """Tell each person in the app, and by e-mail as they prefer. Runs in the caller's
    transaction: a rolled-back move leaves no notice and no e-mail."""
    now = now or timezone.now()
    made: list[Notification] = []
    for person in people:
        mode = mail_mode(person, notice.kind) if person.email else MailMode.NONE
        made.append(Notification.objects.create(
            organisation_id=notice.organisation_id, recipient=person, kind=notice.kind,
            case=notice.case, step=notice.step, subject=notice.subject[:250], body=notice.body,
            url=notice.path, created_at=now, digest_pending=mode == MailMode.DIGEST,
        ))
        if mode == MailMode.IMMEDIATE:
            outbox_add(organisation_id=notice.organisation_id, to_email=person.email,
                       subject=f"[anskaf] {notice.subject}",
                       body=_greeting_and_footer(person, notice), recipient=person, now=now)
    return made


# --- the notification centre ------------------------------------------------------------------


def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notices read (404 for anyone else's), with the older notices
    it stands for in the grouped list (same case, kind, step and subject: `grouping.grouped`
    folds them into it), so "Markér som læst" on a folded notice reads the whole fold."""
    with transaction.atomic():
        item = (Notification.objects.select_for_update()
                .filter(pk=notification_id, recipient=actor).first())
        if item is None:
            raise NotFound("Notifikationen findes ikke.")
        now = timezone.now()
        Notification.objects.filter(
            recipient=actor, read_at__isnull=True, case=item.case_id, kind=item.kind,
            step=item.step, subject=item.subject, created_at__lte=item.created_at,
        ).update(read_at=now)
        if item.read_at is None:
            item.read_at = now
    return item


def notification_mark_all_read(*, actor: User) -> int:
    with transaction.atomic():
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now())


@transaction.atomic
def preferences_set(*, actor: User, modes: dict[str, str]) -> None:
    """Save how the actor wants each kind of notice by e-mail (audited)."""
    errors = {k: "Vælg en af mulighederne." for k, v in modes.items()
              if k not in Kind.values or v not in MailMode.values}
    if errors:
        raise ValidationFailed(errors)
    before = {k: mail_mode(actor, k) for k in modes}
    for kind, mode in modes.items():
        NotificationPreference.objects.update_or_create(user=actor, kind=kind,
                                                        defaults={"mode": mode})
    if before != modes and actor.organisation_id is not None:
        audit_append(organisation_id=actor.organisation_id, actor=actor, actor_role=events.PERSONAL,
                     event_type="notification_preferences.updated", object_id=actor.pk,
                     before=before, after=dict(modes))


# --- the outbox (administrators) ---------------------------------------------------------------


@transaction.atomic
def outbox_retry(*, actor: User, message_id: int) -> OutboxMessage:
    """Send a pending or failed message again now, with a fresh count of attempts."""
    message = (OutboxMessage.objects.select_for_update()
               .filter(pk=message_id, organisation_id=actor.municipality_id).first())
    if message is None:
        raise NotFound("Beskeden findes ikke.")
    if message.status == OutboxStatus.SENT:
        raise ValidationFailed({"message": "Beskeden er allerede sendt."})
    before = {"status": message.status, "attempts": message.attempts}
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_append(organisation_id=message.organisation_id, actor=actor, actor_role="admin",
                 event_type="outbox.retried", object_id=message.pk,
                 before=before, after={"status": message.status, "attempts": 0})
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


# --- deadlines --------------------------------------------------------------------------------


@transaction.atomic
def deadline_set(*, actor: User, case_id: int, number: int, due_date: dt.date | str | None
                 ) -> StepDeadline | None:
    """Set (or with an empty date, remove) the target date of one step of a case."""
    case = lock_visible_case(actor, case_id)
    step = number
    if not model_for(case).has_step(step):
        raise NotFound(f"Trin {number} findes ikke i sagens model.")
    permissions.require(deadline_refusal(actor, case))
    due = _clean_date(due_date)
    existing = StepDeadline.objects.select_for_update().filter(case=case, step=step).first()
    before = {"due_date": existing.due_date.isoformat()} if existing else None
    if due is None:
        if existing is not None:
            existing.delete()
            _audit_deadline(actor, case, step, before, None)
        return None
    if existing is not None and existing.due_date == due:
        return existing
    deadline, _ = StepDeadline.objects.update_or_create(
        case=case, step=step,
        defaults={"organisation_id": case.organisation_id, "due_date": due, "set_by": actor,
                  "updated_at": timezone.now()})
    _audit_deadline(actor, case, step, before, {"due_date": due.isoformat()})
    return deadline


def _clean_date(value: dt.date | str | None) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)  # "31.12.2026" as typed, or the ISO form (the API, DKFDS)
    except ValueError:
        raise ValidationFailed({"due_date": "Angiv fristen som en dato, fx 31.12.2026."}) from None


def _audit_deadline(actor: User, case: Case, step: int, before: Payload, after: Payload
                    ) -> None:
    from anskaf.cases.services import EDIT_ROLES, acting_role

    audit_append(organisation_id=case.organisation_id, actor=actor,
                 actor_role=acting_role(actor, EDIT_ROLES),
                 event_type="step.deadline_set", object_id=f"{case.pk}:{step}", case_id=case.pk,
                 before=before, after=after)


def heartbeat_record(name: str = "worker") -> None:
    """The worker's heartbeat: operational, not audited (it is no action on anyone's data)."""
    import os
    import socket

    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "host": socket.gethostname()[:255],
                             "pid": os.getpid()})
