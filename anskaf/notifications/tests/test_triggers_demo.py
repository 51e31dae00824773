"""Every trigger produces the right recipients: a table over the demo municipality.

One case walks the hand-overs of the model; after each move the table says who is told what.
The actor is never told about their own move; a deputy hears what the absent person hears."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from anskaf import demo, testing
from anskaf.cases import services
from anskaf.cases.extensions import CaseEvent, emit
from anskaf.notifications import jobs
from anskaf.notifications import services as notification_services
from anskaf.notifications.models import Notification
from anskaf.orgs import deputies
from anskaf.orgs.models import Deputy, User

pytestmark = pytest.mark.django_db


def who(case, kind: str, step: int | None, since: int) -> set[str]:
    items = Notification.objects.filter(case=case, kind=kind, pk__gt=since)
    if step is not None:
        items = items.filter(step=step)
    return set(items.values_list("recipient__username", flat=True))


def test_each_trigger_tells_the_right_people_in_the_demo_municipality():
    demo.load()
    people = {u.username: u for u in User.objects.filter(organisation__slug=demo.ORG_SLUG)}
    koordinator, visitation = people["koordinator"], people["visitation"]
    today = timezone.localdate()
    # Leder is away today; Jura stands in.
    Deputy.objects.create(organisation_id=koordinator.organisation_id, person=people["leder"],
                          deputy=people["jura"], starts_on=today, ends_on=today)
    case = testing.new_case(koordinator, title="Tabeltest")

    def agenda() -> None:
        with transaction.atomic():
            emit(CaseEvent("meeting.agenda_published", case, visitation, 6, {
                "meeting_id": 7, "participant_ids": [visitation.pk, people["it"].pk],
                "title": "IT-visitationens møde", "starts_at": "2026-12-01T09:00:00+01:00"}))

    def overdue() -> None:
        notification_services.deadline_set(actor=koordinator, case_id=case.pk, number=7,
                                           due_date=today - dt.timedelta(days=30))
        jobs.deadline_reminders(now=timezone.now())

    table: list[tuple[str, Callable[[], object], list[tuple[str, int | None, set[str]]]]] = [
        ("case created", lambda: None, [
            ("step_opened", 1, {"medarbejder"}),
            ("step_opened", 3, {"medarbejder", "it", "isk"}),
            ("step_opened", 5, {"visitation", "it", "medarbejder"}),
        ]),
        ("steps 1-5 done: the board's gate opens", lambda: testing.advance(koordinator, case, 5), [
            ("step_opened", 6, {"visitation"}),
        ]),
        ("the board says Måske", lambda: services.decision_record(
            actor=visitation, case_id=case.pk, step=6, outcome="maybe", rationale="Mangler",
            missing_documentation=["Risikovurdering"]), [
            ("decision", 6, {"koordinator", "medarbejder"}),
            # A Måske sends steps 4 and 5 back: their performers are told again (the
            # coordinator too, who did not make this move; the board did).
            ("step_opened", 4, {"koordinator", "medarbejder"}),
            ("step_opened", 5, {"it", "medarbejder"}),
        ]),
        ("steps 4-5 done again", lambda: testing.advance(koordinator, case, 5), [
            ("step_opened", 6, {"visitation"}),
        ]),
        ("the board says Ja: management's gate opens (deputy included)", lambda:
            services.decision_record(actor=visitation, case_id=case.pk, step=6, outcome="yes",
                                     rationale="Godkendt"), [
            ("decision", 6, {"koordinator", "medarbejder"}),
            ("step_opened", 7, {"leder", "jura"}),
        ]),
        ("an assignment", lambda: services.step_assign(
            actor=koordinator, case_id=case.pk, number=8, assignee="indkob"), [
            ("step_assigned", 8, {"indkob"}),
        ]),
        ("an agenda is published", agenda, [
            ("agenda", 6, {"it", "koordinator"}),
        ]),
        ("a deadline 30 days overdue: reminder and both escalations", overdue, [
            ("deadline", 7, {"leder", "jura", "koordinator"}),
        ]),
    ]
    failures = []
    for label, action, expectations in table:
        since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if label != "case created":
            action()
        else:
            since = 0
        for kind, step, expected in expectations:
            # The board member the builders make to complete the review by hand is no demo person.
            got = {u for u in who(case, kind, step, since) if not u.startswith("auto-")}
            if got != expected:
                failures.append(f"{label}: {kind} step {step}: expected {sorted(expected)}, "
                                f"got {sorted(got)}")
    # A deputy change goes to the person concerned (not tied to a case).
    since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    record = deputies.deputy_add(actor=people["it"], deputy_username="isk", starts_on=today,
                                 ends_on=today + dt.timedelta(days=7))
    deputies.deputy_remove(actor=people["it"], deputy_id=record.pk)
    got = list(Notification.objects.filter(kind="deputy", pk__gt=since).order_by("pk")
               .values_list("recipient__username", "subject"))
    if [u for u, _ in got] != ["isk", "isk"] or "ikke længere" not in got[1][1]:
        failures.append(f"deputy change: expected isk told twice (added, removed), got {got}")
    assert not failures, "\n".join(failures)
    # The Måske names what is missing.
    maybe = Notification.objects.filter(case=case, kind="decision").order_by("pk").first()
    assert "Risikovurdering" in maybe.body and "Måske" in maybe.subject
