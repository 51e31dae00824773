"""Deadlines: the step's people are reminded, then the coordinator, then management; reminders
repeat as configured and never fire twice for the same moment (a controlled clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases import services as case_services
from anskaf.cases.errors import NotFound, PermissionDenied, ValidationFailed
from anskaf.notifications import jobs, services
from anskaf.notifications.models import Notification, ReminderSent

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def reminded(kind="deadline") -> list[tuple[str, str]]:
    return [(n.recipient.username, n.subject) for n in
            Notification.objects.filter(kind=kind).order_by("id").select_related("recipient")]


@pytest.fixture
def planned(settings, requester, manager, case, coordinator):
    settings.ANSKAF_DEADLINE_ESCALATE_COORDINATOR_DAYS = 3
    settings.ANSKAF_DEADLINE_ESCALATE_MANAGEMENT_DAYS = 6
    settings.ANSKAF_REMINDER_REPEAT_DAYS = 4
    case_services.step_assign(actor=coordinator, case_id=case.pk, number=2, assignee="medarbejder")
    services.deadline_set(actor=coordinator, case_id=case.pk, number=2, due_date="2026-03-02")
    return case


def test_the_escalation_chain_and_repeat_schedule_follow_the_clock(planned):
    def run(day: dt.date, hour: int = 9) -> int:
        return jobs.deadline_reminders(now=at(day, hour))

    assert run(DUE) == 0  # due today: not overdue yet
    assert run(DUE + dt.timedelta(days=1)) == 1  # day 1: the assignee
    assert run(DUE + dt.timedelta(days=1), 15) == 0  # same day again: nothing twice
    assert [u for u, _ in reminded()] == ["medarbejder"]
    assert run(DUE + dt.timedelta(days=2)) == 0
    assert run(DUE + dt.timedelta(days=3)) == 1  # day 3: escalated to the coordinator
    assert [u for u, _ in reminded()][-1] == "koordinator"
    assert run(DUE + dt.timedelta(days=5)) == 1  # day 5 = 1 + 4: the assignee again
    assert run(DUE + dt.timedelta(days=6)) == 1  # day 6: management
    assert run(DUE + dt.timedelta(days=6), 18) == 0
    assert [u for u, _ in reminded()] == ["medarbejder", "koordinator", "medarbejder", "leder"]
    subject = reminded()[0][1]
    assert f"{planned.number}: trin 2 er 1 dag over fristen" == subject
    assert ReminderSent.objects.count() == 4


def test_a_finished_step_is_not_reminded(planned, coordinator, requester):
    testing.advance(coordinator, planned, 2)
    assert jobs.deadline_reminders(now=at(DUE + dt.timedelta(days=10))) == 0


def test_moving_the_due_date_starts_a_new_schedule(planned, coordinator):
    jobs.deadline_reminders(now=at(DUE + dt.timedelta(days=1)))
    services.deadline_set(actor=coordinator, case_id=planned.pk, number=2, due_date="2026-03-10")
    assert jobs.deadline_reminders(now=at(DUE + dt.timedelta(days=5))) == 0
    assert jobs.deadline_reminders(now=at(dt.date(2026, 3, 11))) == 1


def test_a_deadline_is_set_by_the_coordinator_and_audited(case, coordinator, requester):
    services.deadline_set(actor=coordinator, case_id=case.pk, number=7, due_date="2026-05-01")
    event = AuditEvent.objects.filter(event_type="step.deadline_set").get()
    assert event.after == {"due_date": "2026-05-01"}
    services.deadline_set(actor=coordinator, case_id=case.pk, number=7, due_date="")
    assert AuditEvent.objects.filter(event_type="step.deadline_set").count() == 2
    with pytest.raises(PermissionDenied):
        services.deadline_set(actor=requester, case_id=case.pk, number=7, due_date="2026-05-01")
    with pytest.raises(ValidationFailed):
        services.deadline_set(actor=coordinator, case_id=case.pk, number=7, due_date="1. maj")
    with pytest.raises(NotFound):
        services.deadline_set(actor=coordinator, case_id=case.pk, number=99, due_date="2026-05-01")


def test_another_municipality_cannot_set_a_deadline(case, outsider):
    with pytest.raises(NotFound):
        services.deadline_set(actor=outsider, case_id=case.pk, number=2, due_date="2026-05-01")
