"""A suspended municipality (ADR 0030): no login, open sessions end, API tokens stop, its
reminders and digests wait; another municipality goes on as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.installation import services
from anskaf.notifications import jobs
from anskaf.notifications.models import Notification, OutboxMessage, StepDeadline


def _suspend(org):
    services.org_suspend(actor=None, slug=org.slug, reason="Test", via="cli")


def _log_in(client: Client, user) -> bool:
    response = client.post("/log-ind/", {"username": user.username, "password": "demo"})
    return response.status_code == 302


def _logged_in(client: Client) -> bool:
    response = client.get("/sager/")
    return response.status_code == 200


def test_a_suspended_municipalitys_people_cannot_log_in(coordinator, outsider):
    _suspend(coordinator.organisation)
    client = Client()
    response = client.post("/log-ind/", {"username": coordinator.username, "password": "demo"})
    assert response.status_code == 200 and "forkert" in response.content.decode()
    # Another municipality's people log in as before.
    assert _log_in(Client(), outsider)


def test_suspension_ends_open_sessions_and_resume_does_not_revive_them(coordinator, outsider):
    client, other = Client(), Client()
    client.force_login(coordinator)
    other.force_login(outsider)
    assert _logged_in(client) and _logged_in(other)
    _suspend(coordinator.organisation)
    response = client.get("/sager/")
    assert response.status_code == 302 and response["Location"].startswith("/log-ind/")
    assert _logged_in(other)
    services.org_resume(actor=None, slug=coordinator.organisation.slug, via="cli")
    assert not _logged_in(client)  # the session ended for good
    assert _log_in(client, coordinator)
    assert _logged_in(client)


def test_a_session_kept_unused_through_the_suspension_stays_ended(coordinator):
    client = Client()
    client.force_login(coordinator)
    _suspend(coordinator.organisation)
    services.org_resume(actor=None, slug=coordinator.organisation.slug, via="cli")
    assert not _logged_in(client)


def test_a_suspended_municipalitys_api_tokens_stop_working(coordinator):
    token = token_create(user=coordinator)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/cases", **headers).status_code == 200
    _suspend(coordinator.organisation)
    assert Client().get("/api/v1/cases", **headers).status_code == 401


@pytest.mark.parametrize("suspended, fired", [(False, True), (True, False)])
def test_deadline_reminders_skip_a_suspended_municipality(coordinator, suspended, fired):
    case = testing.new_case(coordinator, title="Påmindelse")
    StepDeadline.objects.create(organisation=case.organisation, case=case, step=1,
                                due_date=dt.date.today() - dt.timedelta(days=3),
                                updated_at=timezone.now())
    if suspended:
        _suspend(coordinator.organisation)
    assert (jobs.deadline_reminders() > 0) is fired


@pytest.mark.parametrize("suspended, made", [(False, 1), (True, 0)])
def test_digests_wait_while_the_municipality_is_suspended(coordinator, suspended, made):
    coordinator.email = "k@haderslev.dk"
    coordinator.save()
    Notification.objects.create(organisation=coordinator.organisation, recipient=coordinator,
                                kind="decision", subject="S", body="B", url="/",
                                created_at=timezone.now(), digest_pending=True)
    if suspended:
        _suspend(coordinator.organisation)
    assert jobs.send_digests() == made
    assert OutboxMessage.objects.filter(to_email="k@haderslev.dk").count() == made
    assert Notification.objects.filter(digest_pending=True).count() == 1 - made
