"""Publishing an agenda reaches the notifications app through the cases event (no import)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.meetings import services
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule
from anskaf.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_publishing_tells_the_participants_and_the_coordinator(org, coordinator, board_member):
    it = testing.make_user(org, "it", "it")
    case = ready_case(coordinator)
    meeting = schedule(board_member, participants=[board_member.username, it.username])
    put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    told = sorted(Notification.objects.filter(kind="agenda", case=case)
                  .values_list("recipient__username", flat=True))
    assert told == ["it", "koordinator"]  # the board member published it and knows
