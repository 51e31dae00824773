"""Per person and kind: e-mail immediately, as a daily digest, or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.cases.errors import ValidationFailed
from anskaf.notifications import jobs, services
from anskaf.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(board_member):
    board_member.email = "visitation@haderslev.dk"
    board_member.save()
    return board_member


def test_not_by_mail_still_shows_in_the_app(board, coordinator):
    services.preferences_set(actor=board, modes={"step_opened": "none"})
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, 5)
    assert Notification.objects.filter(recipient=board, step=6).exists()
    assert not OutboxMessage.objects.filter(to_email=board.email).exists()


def test_a_daily_digest_collects_notices_into_one_mail_once_a_day(board, coordinator):
    services.preferences_set(actor=board, modes={"step_opened": "digest", "decision": "digest"})
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, 5)
    assert not OutboxMessage.objects.filter(to_email=board.email).exists()
    now = timezone.make_aware(dt.datetime(2026, 3, 2, 7, 0))  # a fixed clock: 07:00 local
    assert jobs.send_digests(now=now) == 1
    assert jobs.send_digests(now=now + dt.timedelta(hours=1)) == 0
    digest = OutboxMessage.objects.get(to_email=board.email)
    assert "trin 5" in digest.body and "trin 6" in digest.body
    assert digest.subject == "[anskaf] 2 nye notifikationer"
    # A notice after today's digest waits for tomorrow's.
    services.notify([board], services.Notice(kind="decision", organisation_id=case.organisation_id,
                                             subject="Senere", body="x", path="/", case=case))
    assert jobs.send_digests(now=now + dt.timedelta(hours=2)) == 0
    assert jobs.send_digests(now=now + dt.timedelta(days=1)) == 1


def test_unknown_choices_are_refused(board):
    with pytest.raises(ValidationFailed):
        services.preferences_set(actor=board, modes={"step_opened": "weekly"})
    with pytest.raises(ValidationFailed):
        services.preferences_set(actor=board, modes={"gossip": "none"})
