"""Case events produce notices in the same transaction as the move."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.extensions import CaseEvent, emit
from anskaf.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def recipients_of(case, step=None, kind=None):
    items = Notification.objects.filter(case=case)
    if step is not None:
        items = items.filter(step=step)
    if kind is not None:
        items = items.filter(kind=kind)
    return sorted(items.values_list("recipient__username", flat=True))


def test_a_new_case_tells_the_other_performers_of_its_first_steps(requester, case):
    assert "medarbejder" in recipients_of(case, 1, "step_opened")
    assert "koordinator" not in recipients_of(case)  # the actor knows already


def through_review(case, coordinator):
    """Steps 1-5 done; the board's review completed by another board member (only the board
    completes it), so the board member under test is told."""
    testing.advance(coordinator, case, 4)
    other = testing.make_user(case.organisation, "visitation-2", "it_board")
    services.step_complete(actor=other, case_id=case.pk, number=5, remarks="Behandlet")


def test_completing_the_last_step_before_a_gate_tells_the_board(case, coordinator, board_member):
    through_review(case, coordinator)
    assert recipients_of(case, 6, "step_opened") == ["visitation"]
    notice = Notification.objects.get(case=case, step=6, recipient=board_member)
    assert case.number in notice.subject and "trin 6" in notice.subject
    assert notice.url == f"/sager/{case.pk}/#trin-6"


def test_a_step_is_announced_once_while_it_keeps_waiting(case, coordinator, board_member):
    through_review(case, coordinator)
    services.step_update(actor=board_member, case_id=case.pk, number=6, remarks="Ser på det")
    assert recipients_of(case, 6, "step_opened") == ["visitation"]


def test_an_e_mail_goes_only_to_people_with_an_address(case, coordinator, board_member):
    board_member.email = "visitation@haderslev.dk"
    board_member.save()
    through_review(case, coordinator)
    message = OutboxMessage.objects.get(to_email="visitation@haderslev.dk")
    assert "trin 6" in message.subject
    assert f"http://127.0.0.1:8000/sager/{case.pk}/#trin-6" in message.body


def test_a_maybe_tells_the_coordinator_and_the_unit_what_is_missing(requester, case, coordinator,
                                                                    board_member):
    testing.advance(coordinator, case, 5)
    services.decision_record(actor=board_member, case_id=case.pk, step=6, outcome="maybe",
                             rationale="Mangler dokumentation",
                             missing_documentation=["Databehandleraftale", "Risikovurdering"])
    assert recipients_of(case, 6, "decision") == ["koordinator", "medarbejder"]
    notice = Notification.objects.get(case=case, kind="decision", recipient=requester)
    assert "Måske" in notice.subject
    assert "Databehandleraftale" in notice.body and "Risikovurdering" in notice.body


def test_an_assignment_tells_the_assignee(case, coordinator, requester):
    services.step_assign(actor=coordinator, case_id=case.pk, number=2, assignee="medarbejder")
    assert recipients_of(case, 2, "step_assigned") == ["medarbejder"]


def test_an_agenda_tells_participants_and_the_coordinator(case, coordinator, board_member,
                                                          outsider):
    it = testing.make_user(case.organisation, "it", "it")
    with transaction.atomic():
        emit(CaseEvent("meeting.agenda_published", case, board_member, 6, {
            "meeting_id": 1, "participant_ids": [it.pk, board_member.pk, outsider.pk],
            "title": "IT-visitationens møde", "starts_at": "2026-12-01T09:00:00+01:00"}))
    # The outsider belongs to another municipality; the actor knows already.
    assert recipients_of(case, kind="agenda") == ["it", "koordinator"]
    notice = Notification.objects.get(kind="agenda", recipient=it)
    assert "01.12.2026 kl. 09.00" in notice.body


def test_a_rolled_back_move_leaves_no_notice_and_sends_nothing(
        case, coordinator, board_member, django_capture_on_commit_callbacks):
    board_member.email = "visitation@haderslev.dk"
    board_member.save()
    testing.advance(coordinator, case, 4)
    other = testing.make_user(case.organisation, "visitation-2", "it_board")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.step_complete(actor=other, case_id=case.pk, number=5, remarks="x")
                assert OutboxMessage.objects.count() == 1
                raise RuntimeError("something later in the request fails")
        except RuntimeError:
            pass
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert not Notification.objects.filter(step=6).exists()
    assert mail.outbox == []
