"""The agenda and minutes PDFs and the .ics invitation are valid and carry the decisions."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from icalendar import Calendar
from pypdf import PdfReader

from anskaf.meetings import services
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(coordinator, board_member):
    board_member.email = "visitation@haderslev.dk"
    board_member.save()
    case = ready_case(coordinator, title="Nyt omsorgssystem")
    meeting = schedule(board_member, participants=[board_member.username])
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="maybe",
                            rationale="Sikkerheden er ikke beskrevet.",
                            missing_documentation="Beskrivelse af sikkerheden")
    return meeting


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_agenda_pdf_is_valid_and_shows_the_items_and_outcome(decided, board_member):
    response = _client(board_member).get(f"/it-visitationen/moeder/{decided.pk}/dagsorden.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Dagsorden: Møde i IT-visitationen" in text
    assert "Nyt omsorgssystem" in text and "Måske" in text


def test_the_minutes_pdf_contains_the_decisions_for_every_revision(decided, board_member):
    services.meeting_hold(actor=board_member, meeting_id=decided.pk)
    services.minutes_generate(actor=board_member, meeting_id=decided.pk)
    services.minutes_approve(actor=board_member, meeting_id=decided.pk)
    services.minutes_correct(actor=board_member, meeting_id=decided.pk,
                             text="Rettet referat: udfald Måske.", reason="Forkortet")
    client = _client(board_member)
    first = _pdf_text(client.get(f"/it-visitationen/moeder/{decided.pk}/referat.pdf?version=1")
                      .content)
    assert "Udfald: Måske (runde 1)" in first and "Beskrivelse af sikkerheden" in first
    assert "Sikkerheden er ikke beskrevet." in first and "godkendt" in first
    latest = _pdf_text(client.get(f"/it-visitationen/moeder/{decided.pk}/referat.pdf").content)
    assert "Rettet referat" in latest and "Rettelse: Forkortet" in latest
    assert client.get(f"/it-visitationen/moeder/{decided.pk}/referat.pdf?version=9"
                      ).status_code == 404


def test_the_ics_parses_back_with_time_place_attendees_and_decisions(decided, board_member):
    response = _client(board_member).get(f"/it-visitationen/moeder/{decided.pk}/moede.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == decided.starts_at
    assert str(event["location"]) == "Rådhuset, mødelokale 2"
    assert str(event["summary"]) == "Møde i IT-visitationen"
    assert "Udfald: Måske - Sikkerheden er ikke beskrevet." in str(event["description"])
    assert "mailto:visitation@haderslev.dk" in str(event["attendee"])
