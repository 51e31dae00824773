"""The outbox against a real SMTP server (aiosmtpd): never lost, never doubled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from anskaf import testing
from anskaf.notifications import delivery, services
from anskaf.notifications.models import OutboxMessage

from .smtp import Collector, free_port, smtp_settings, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def port(settings):
    port = free_port()
    smtp_settings(settings, port)
    settings.ANSKAF_MAIL_RETRY_SECONDS = 60
    return port


def write_messages(org, count: int, capture) -> list[OutboxMessage]:
    with capture(execute=True), transaction.atomic():
        made = [services.outbox_add(organisation_id=org.pk, to_email=f"p{i}@haderslev.dk",
                                    subject=f"Besked {i}", body="Hej") for i in range(count)]
    return [OutboxMessage.objects.get(pk=m.pk) for m in made]


def test_a_message_is_sent_on_commit_with_its_stable_message_id(
        org, port, django_capture_on_commit_callbacks):
    collector = Collector()
    controller = start(port, collector)
    try:
        [message] = write_messages(org, 1, django_capture_on_commit_callbacks)
    finally:
        controller.stop()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at
    [received] = collector.messages
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == "Besked 0"
    assert received["To"] == "p0@haderslev.dk"


def test_smtp_down_then_up_delivers_each_message_exactly_once(
        org, port, django_capture_on_commit_callbacks):
    written = write_messages(org, 3, django_capture_on_commit_callbacks)
    # The enqueued delivery met a refused connection: still pending, retried after back-off.
    for message in written:
        assert message.status == "pending" and message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error
    now = timezone.now()
    assert delivery.sweep_outbox(now=now) == 0  # not due yet: back-off

    collector = Collector()
    controller = start(port, collector)  # a new Controller on the same port
    try:
        assert delivery.sweep_outbox(now=now + dt.timedelta(minutes=2)) == 3
        assert delivery.sweep_outbox(now=now + dt.timedelta(hours=1)) == 0
        for message in written:  # an old enqueued task arriving late sends nothing more
            assert delivery.deliver(message.pk, now=now + dt.timedelta(hours=2)) == ""
    finally:
        controller.stop()
    ids = sorted(m["Message-ID"] for m in collector.messages)
    assert ids == sorted(m.message_id for m in written)  # each once, with its own stable id
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_back_off_doubles_and_gives_up_after_the_limit_then_an_admin_retries(
        org, port, settings, django_capture_on_commit_callbacks):
    settings.ANSKAF_MAIL_MAX_ATTEMPTS = 3
    [message] = write_messages(org, 1, django_capture_on_commit_callbacks)
    first_try = message.next_attempt_at
    now = timezone.now()
    delivery.sweep_outbox(now=now + dt.timedelta(minutes=1, seconds=5))
    message.refresh_from_db()
    assert message.attempts == 2 and message.status == "pending"
    assert message.next_attempt_at - (now + dt.timedelta(minutes=1, seconds=5)) == \
        dt.timedelta(minutes=2)
    assert message.next_attempt_at > first_try
    delivery.sweep_outbox(now=now + dt.timedelta(minutes=10))
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 3
    assert delivery.sweep_outbox(now=now + dt.timedelta(days=1)) == 0  # failed is not swept

    admin = testing.make_user(org, "admin", "admin")
    collector = Collector()
    controller = start(port, collector)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.outbox_retry(actor=admin, message_id=message.pk)
    finally:
        controller.stop()
    message.refresh_from_db()
    assert message.status == "sent"
    assert [m["Message-ID"] for m in collector.messages] == [message.message_id]


def test_a_rolled_back_transaction_never_sends(org, port, django_capture_on_commit_callbacks):
    collector = Collector()
    controller = start(port, collector)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    services.outbox_add(organisation_id=org.pk, to_email="p@haderslev.dk",
                                        subject="Aldrig", body="Hej")
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        assert delivery.sweep_outbox(now=timezone.now() + dt.timedelta(days=1)) == 0
    finally:
        controller.stop()
    assert collector.messages == []
    assert not OutboxMessage.objects.exists()
