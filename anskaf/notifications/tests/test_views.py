"""The notification centre, preferences, deadline form and admin outbox as pages."""

from __future__ import annotations

import pytest
from django.test import Client

from anskaf import testing
from anskaf.notifications import services
from anskaf.notifications.models import Notification, NotificationPreference, OutboxMessage

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_centre_lists_notices_and_the_menu_counts_unread(board_member, case, coordinator):
    testing.advance(coordinator, case, 5)
    client = client_for(board_member)
    page = client.get("/notifikationer/").content.decode()
    assert "Notifikationer (2<span class=\"sr-only\"> ulæste</span>)" in page
    assert "trin 6. Beslutning i IT-visitationen venter på dig" in page or "trin 6" in page
    notice = Notification.objects.filter(recipient=board_member, step=6).get()
    response = client.post(f"/notifikationer/{notice.pk}/laest/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == f"/sager/{case.pk}/#trin-6"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "Du har 1 ulæst notifikation." in client.get("/notifikationer/").content.decode()
    client.post("/notifikationer/alle-laest/")
    assert not Notification.objects.filter(recipient=board_member, read_at__isnull=True).exists()
    assert "Du har ingen ulæste notifikationer." in client.get(
        "/notifikationer/?vis=ulaeste").content.decode()


def test_nobody_marks_another_persons_notice(requester, board_member, case):
    notice = Notification.objects.filter(recipient=requester).first()
    assert client_for(board_member).post(f"/notifikationer/{notice.pk}/laest/").status_code == 404


def test_preferences_are_saved_and_bad_input_is_explained(requester):
    client = client_for(requester)
    assert "Der er ikke registreret en e-mailadresse" in client.get(
        "/notifikationer/indstillinger/").content.decode()
    data = {"step_opened": "digest", "step_assigned": "none", "decision": "immediate",
            "agenda": "immediate", "deadline": "immediate", "deputy": "none",
            "handover": "immediate", "mention": "digest", "model": "immediate"}
    assert client.post("/notifikationer/indstillinger/", data).status_code == 302
    assert NotificationPreference.objects.get(user=requester, kind="step_opened").mode == "digest"
    response = client.post("/notifikationer/indstillinger/", {**data, "decision": "ugentlig"})
    assert response.status_code == 400
    assert "Vælg en af mulighederne." in response.content.decode()


def test_the_coordinator_sets_a_deadline_from_the_case_page(case, coordinator, requester):
    client = client_for(coordinator)
    page = client.get(f"/sager/{case.pk}/").content.decode()
    assert f'href="/sager/{case.pk}/trin/3/frist/"' in page
    response = client.post(f"/sager/{case.pk}/trin/3/frist/", {"due_date": "31.13.2026"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Angiv fristen som en dato, fx 31.12.2026." in html
    assert 'value="31.13.2026"' in html  # what was typed stays
    # Typed the Danish way (DKFDS' date picker: "dd.mm.åååå"); the ISO form is read too.
    response = client.post(f"/sager/{case.pk}/trin/3/frist/", {"due_date": "31.12.2026"})
    assert response.status_code == 302
    page = client.get(f"/sager/{case.pk}/trin/3/frist/").content.decode()
    assert ('<div class="date-picker" data-dateformat="DD.MM.YYYY" '
            'data-default-value="2026-12-31">') in page
    assert 'value="31.12.2026"' in page and "dd.mm.åååå" in page
    assert "Frist: 31.12.2026" in client.get(f"/sager/{case.pk}/").content.decode()
    # The requester sees the deadline but cannot set one.
    page = client_for(requester).get(f"/sager/{case.pk}/").content.decode()
    assert "Frist: 31.12.2026" in page and "Sæt frist" not in page


def test_the_admin_sees_the_outbox_and_retries_a_failed_message(org, case):
    admin = testing.make_user(org, "admin", "admin")
    message = services.outbox_add(organisation_id=org.pk, to_email="x@haderslev.dk",
                                  subject="Fejlet besked", body="Hej")
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", attempts=8,
                                                       last_error="ConnectionRefusedError")
    client = client_for(admin)
    page = client.get("/administration/udbakke/?status=failed").content.decode()
    assert "Fejlet besked" in page and "ConnectionRefusedError" in page
    assert client.post(f"/administration/udbakke/{message.pk}/send-igen/").status_code == 302
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 0
