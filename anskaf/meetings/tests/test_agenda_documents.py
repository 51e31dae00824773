"""An agenda item shows the documentation collected in step 4: the uploaded documents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anskaf import testing
from anskaf.documents.testing import upload
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db


def test_the_agenda_lists_step_4s_documents_and_keeps_confidential_ones_closed(
        client, org, coordinator, board_member):
    case = ready_case(coordinator, title="Bookingsystem")
    upload(coordinator, case, 4, "product_description", "Produktbeskrivelse æøå.pdf")
    upload(coordinator, case, 4, "security_description", "Sikkerhed.pdf")
    meeting = schedule(board_member)
    put_on_agenda(board_member, coordinator, case, meeting)

    client.force_login(board_member)
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Produktbeskrivelse æøå.pdf</a> (version 1)" in html
    assert "Sikkerhed.pdf (fortroligt)" in html  # the board may not open the security description

    client.force_login(testing.make_user(org, "admin", "admin"))
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Sikkerhed.pdf</a> (version 1)" in html  # an admin may


def test_an_item_without_documents_says_so(client, coordinator, board_member):
    meeting = schedule(board_member)
    put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    client.force_login(board_member)
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Der er ikke uploadet dokumenter i trin 4." in html
