"""Delivering the outbox over SMTP: at least once, marked sent in the step that hands it over,
retried with exponential back-off, failed after ANSKAF_MAIL_MAX_ATTEMPTS (an admin may retry)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from anskaf.observability.metrics import MAIL_FAILURES

from .choices import OutboxStatus
from .models import OutboxMessage

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=6)
SWEEP_BATCH = 200


def backoff(attempts: int) -> dt.timedelta:
    """Wait base, 2*base, 4*base, ... after the 1st, 2nd, 3rd failed attempt (at most 6 hours)."""
    delay = dt.timedelta(seconds=settings.ANSKAF_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def sender_of(organisation_id: int | None) -> str:
    """The municipality's own sender address (Administration -> Indstillinger), else the
    installation's DEFAULT_FROM_EMAIL."""
    from anskaf.orgs.tenancy import effective_settings

    return effective_settings(organisation_id).sender_email


def _send(message: OutboxMessage) -> None:
    email = EmailMessage(
        subject=message.subject, body=message.body,
        from_email=sender_of(message.organisation_id),
        to=[message.to_email], headers={"Message-ID": message.message_id},
        connection=get_connection(fail_silently=False),
    )
    email.send()


def deliver(message_pk: int, *, now: dt.datetime | None = None) -> str:
    """Try to send one message that is due. Returns its status afterwards ("" if not due).

    The row stays locked while the server is handed the message and is marked sent in the
    same transaction, so another worker cannot send it as well; only a crash between the
    server's acceptance and the commit can cause a (recognisable: same Message-ID) duplicate."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_pk, status=OutboxStatus.PENDING,
                           next_attempt_at__lte=now).first())
        if message is None:
            return ""
        message.attempts += 1
        try:
            _send(message)
        except (OSError, smtplib.SMTPException) as exc:
            # OSError covers a refused or timed-out connection (the server is down).
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= settings.ANSKAF_MAIL_MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                MAIL_FAILURES.labels(outcome="failed").inc()
                log.error("outbox message %s failed after %s attempts: %s", message.pk,
                          message.attempts, message.last_error)
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                MAIL_FAILURES.labels(outcome="retry").inc()
                log.warning("outbox message %s not sent (attempt %s), next try %s: %s",
                            message.pk, message.attempts, message.next_attempt_at,
                            message.last_error)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.last_error = ""
            log.info("outbox message %s sent to the mail server (attempt %s)", message.pk,
                     message.attempts)
        message.save(update_fields=["attempts", "status", "sent_at", "last_error",
                                    "next_attempt_at"])
        return message.status


def sweep_outbox(*, now: dt.datetime | None = None) -> int:
    """Send every pending message that is due (the safety net behind the on-commit enqueue)."""
    now = now or timezone.now()
    due = list(OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    sent = 0
    for pk in due:
        status = deliver(pk, now=now)
        if status == OutboxStatus.SENT:
            sent += 1
    return sent
