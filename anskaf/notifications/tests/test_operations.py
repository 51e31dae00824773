"""The operations page and its API: the worker's heartbeat, the queue length and the failed
e-mails with a retry; an administrator sees only their own municipality's failures."""

from __future__ import annotations

import pytest
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.notifications import services
from anskaf.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def failed(org, subject: str) -> OutboxMessage:
    message = services.outbox_add(organisation_id=org.pk, to_email="x@kommune.dk",
                                  subject=subject, body="Hej")
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", attempts=8,
                                                       last_error="ConnectionRefusedError: nej")
    return message


@pytest.fixture
def admin(org):
    return testing.make_user(org, "admin", "admin", full_name="Sofie Admin")


@pytest.fixture
def other_admin(other_org):
    return testing.make_user(other_org, "admin2", "admin")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}


def test_the_page_shows_heartbeat_queue_and_only_our_failures(admin, org, other_org):
    failed(org, "Vores fejl")
    failed(other_org, "Andres fejl")
    services.heartbeat_record()
    page = logged_in(admin).get("/administration/drift/").content.decode()
    assert "<h1>Drift</h1>" in page
    assert "Vores fejl" in page and "ConnectionRefusedError" in page
    assert "Andres fejl" not in page
    assert "opgave" in page and "venter på baggrundsprocessen" in page
    assert "e-mail fra kommunen kunne ikke sendes" in page  # 1 of ours, not 2


def test_the_retry_button_sends_again_and_comes_back_to_the_page(admin, org):
    message = failed(org, "Vores fejl")
    response = logged_in(admin).post(f"/administration/udbakke/{message.pk}/send-igen/",
                                     {"fra": "drift"})
    assert response.status_code == 302 and response["Location"] == "/administration/drift/"
    message.refresh_from_db()
    assert message.status in {"pending", "sent"} and message.attempts <= 1


def test_only_administrators_see_the_page(coordinator):
    assert logged_in(coordinator).get("/administration/drift/").status_code == 403


def test_the_api_lists_our_failures_and_the_worker(admin, org, other_org):
    mine = failed(org, "Vores fejl")
    failed(other_org, "Andres fejl")
    services.heartbeat_record()
    response = Client().get("/api/v1/operations", **bearer(admin))
    assert response.status_code == 200
    body = response.json()
    assert [m["id"] for m in body["failed"]] == [mine.pk] and body["failed_total"] == 1
    assert body["failed"][0]["last_error"] == "ConnectionRefusedError: nej"
    assert body["worker"]["last_heartbeat"] is not None and body["worker"]["ok"] is True
    assert isinstance(body["queue_length"], int)


def test_the_api_retries_ours_and_refuses_others(admin, other_admin, org, coordinator):
    mine = failed(org, "Vores fejl")
    assert Client().post(f"/api/v1/outbox/{mine.pk}/retry", **bearer(other_admin)).status_code == 404
    assert Client().post(f"/api/v1/outbox/{mine.pk}/retry", **bearer(coordinator)).json()[
        "error"] == "forbidden"
    assert Client().get("/api/v1/operations", **bearer(coordinator)).status_code == 403
    response = Client().post(f"/api/v1/outbox/{mine.pk}/retry", **bearer(admin))
    assert response.status_code == 200
    assert response.json()["id"] == mine.pk and response.json()["attempts"] <= 1
    OutboxMessage.objects.filter(pk=mine.pk).update(status="sent")
    again = Client().post(f"/api/v1/outbox/{mine.pk}/retry", **bearer(admin))
    assert again.status_code == 400 and again.json()["error"] == "validation_error"
    assert Client().get("/api/v1/operations").status_code == 401
