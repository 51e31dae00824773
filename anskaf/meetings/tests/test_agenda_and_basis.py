"""Issue 20: the agenda (new items before Eventuelt, reorder until the minutes are approved,
publish asks and names who is told, the coordinator's view), the meeting's notes and outcome as
one submit, the documentation step's "Kontakt IT-visitationen" behind a readiness check, and
the decision pages' basis."""

from __future__ import annotations

import pytest
from django.test import Client

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases import services as case_services
from anskaf.cases.errors import InvalidTransition, ValidationFailed
from anskaf.cases.models import StepState
from anskaf.meetings import services
from anskaf.meetings.models import AgendaItem, Referral
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _titles(meeting) -> list[str]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("order")
                .values_list("title", flat=True))


def test_a_new_item_goes_before_eventuelt(coordinator, board_member):
    meeting = schedule(board_member, days=3)
    services.agenda_add_other(actor=board_member, meeting_id=meeting.pk, title="Orientering")
    services.agenda_add_other(actor=board_member, meeting_id=meeting.pk, title="Eventuelt")
    case = ready_case(coordinator, title="Nyt system")
    put_on_agenda(board_member, coordinator, case, meeting)
    services.agenda_add_other(actor=board_member, meeting_id=meeting.pk, title="Status")
    assert _titles(meeting) == ["Orientering", f"{case.number} Nyt system", "Status", "Eventuelt"]
    assert list(AgendaItem.objects.filter(meeting=meeting).order_by("order")
                .values_list("order", flat=True)) == [1, 2, 3, 4]


def test_the_order_changes_until_the_minutes_are_approved(coordinator, board_member):
    meeting = schedule(board_member)
    put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    other = services.agenda_add_other(actor=board_member, meeting_id=meeting.pk, title="Status")
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.agenda_move(actor=board_member, item_id=other.pk, direction="up")
    assert _titles(meeting)[0] == "Status"
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    services.agenda_move(actor=board_member, item_id=other.pk, direction="down")
    services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    services.minutes_approve(actor=board_member, meeting_id=meeting.pk)
    with pytest.raises(InvalidTransition, match="låst"):
        services.agenda_move(actor=board_member, item_id=other.pk, direction="up")


def test_the_agenda_page_asks_before_publishing_and_names_who_is_told(coordinator, board_member):
    meeting = schedule(board_member, days=3)
    put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    html = _client(board_member).get(f"/it-visitationen/moeder/{meeting.pk}/").content.decode()
    assert "<summary>Udsend dagsorden</summary>" in html
    assert "får 2 personer besked" in html and coordinator.display_name() in html
    assert "Ja, udsend dagsordenen nu" in html
    assert "Flyt" not in html.split("Tilføj til dagsordenen")[1]  # the queue after the items
    assert html.index("<h2>Dagsorden</h2>") < html.index('id="tilfoej"')


def test_no_waiting_cases_is_not_said_under_the_agenda_heading(board_member):
    meeting = schedule(board_member, days=3)
    html = _client(board_member).get(f"/it-visitationen/moeder/{meeting.pk}/").content.decode()
    agenda = html[html.index("<h2>Dagsorden</h2>"):html.index('id="tilfoej"')]
    assert "Ingen sager venter" not in agenda
    assert "Ingen sager venter" in html[html.index('id="tilfoej"'):]


def test_notes_survive_the_outcome(coordinator, board_member):
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    response = _client(board_member).post(
        f"/it-visitationen/moeder/{meeting.pk}/udfald/",
        {"item": item.pk, "notes": "Drøftet grundigt", "supplier_meeting_needed": "ja",
         "outcome": "yes", "rationale": "Godt begrundet"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.notes == "Drøftet grundigt" and item.supplier_meeting_needed
    assert item.decision.outcome == "yes"


def test_a_refused_outcome_keeps_the_notes_typed(coordinator, board_member):
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    response = _client(board_member).post(
        f"/it-visitationen/moeder/{meeting.pk}/udfald/",
        {"item": item.pk, "notes": "Mine noter", "rationale": "Uden udfald"})
    assert response.status_code == 400
    assert "Mine noter" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == ""  # one transaction: nothing saved on a refusal


def test_the_coordinator_sees_her_case_on_the_meeting(coordinator, board_member, org, unit):
    meeting = schedule(board_member)
    mine = ready_case(coordinator, title="Mit system")
    item = put_on_agenda(board_member, coordinator, mine, meeting)
    other_coordinator = testing.make_user(org, "anden", "coordinator", unit=testing.make_unit(
        org, "Teknik og Miljø"))
    theirs = ready_case(other_coordinator, title="Andet system")
    put_on_agenda(board_member, other_coordinator, theirs, meeting)
    services.question_ask(actor=board_member, item_id=item.pk, addressed_to="coordinator",
                          text="Hvor ligger data?")
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.item_update(actor=board_member, item_id=item.pk, notes="Noter om mit system")
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                            rationale="Rationalet for mit system")
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    services.minutes_approve(actor=board_member, meeting_id=meeting.pk)

    response = _client(coordinator).get(f"/it-visitationen/moeder/{meeting.pk}/")
    assert response.status_code == 200  # was 403
    html = response.content.decode()
    assert "Mit system" in html and "Andet system" in html  # the agenda's titles
    assert "Hvor ligger data?" in html and "Rationalet for mit system" in html
    assert "Uddrag af referatet" in html and "Noter om mit system" in html
    assert "dagsorden.pdf" not in html  # no exports: the full agenda is not hers
    # The exports stay the board's and the participants'.
    assert _client(coordinator).get(
        f"/it-visitationen/moeder/{meeting.pk}/referat.pdf").status_code == 403
    stranger = testing.make_user(org, "fremmed", "requester", unit=unit)  # sees, not hers
    assert _client(stranger).get(f"/it-visitationen/moeder/{meeting.pk}/").status_code == 403


def test_kontakt_it_visitationen_on_the_documentation_step_checks_readiness(coordinator):
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, through=3)
    html = _client(coordinator).get(f"/sager/{case.pk}/").content.decode()
    section = html[html.index('id="trin-4-it-visitation"'):]
    assert "IT-visitationen vil mangle" in section and "ingen bemærkninger" in section.lower()
    with pytest.raises(ValidationFailed, match="IT-visitationen vil mangle"):
        services.documentation_put_forward(actor=coordinator, case_id=case.pk, remarks="",
                                           ticked=[])
    assert not Referral.objects.exists()
    assert StepState.objects.get(case=case, number=4).status != "done"
    response = _client(coordinator).post(
        f"/sager/{case.pk}/it-visitationen/fra-dokumentation/",
        {"step": "4", "remarks": "", "checked": [], "reason": "Leverandøren leverer på mødet",
         "version": str(StepState.objects.get(case=case, number=4).version)})
    assert response.status_code == 302
    referral = Referral.objects.get(case=case)
    assert "Leverandøren leverer på mødet" in referral.note and "Sendt videre trods" in referral.note
    assert StepState.objects.get(case=case, number=4).status == "done"
    event = AuditEvent.objects.get(event_type="meeting.case_put_forward")
    assert event.after["reason"] == "Leverandøren leverer på mødet" and event.after["gaps"]


def test_a_refused_hand_over_keeps_what_was_typed(coordinator):
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, through=3)
    response = _client(coordinator).post(
        f"/sager/{case.pk}/it-visitationen/fra-dokumentation/",
        {"step": "4", "remarks": "Mine bemærkninger", "version": "1", "reason": ""})
    assert response.status_code == 409  # not ready: a business refusal
    html = response.content.decode()
    assert "Mine bemærkninger" in html and "IT-visitationen vil mangle" in html


def test_step_7_shows_the_boards_rationale(coordinator, board_member):
    case = ready_case(coordinator, estimated_contract_value="250000")
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                            rationale="Løsningen passer til vores arkitektur",
                            recommendations="Brug fælles login", it_contacts="Ib IT")
    html = _client(coordinator).get(f"/sager/{case.pk}/trin/7/").content.decode()
    basis = html[html.index('id="trin-7-grundlag"'):]
    assert "Løsningen passer til vores arkitektur" in basis
    assert "Brug fælles login" in basis and "Ib IT" in basis
    assert case.need in basis and "250.000 kr." in basis and "Udbudsgrænse" in basis


def test_the_boards_gate_shows_the_documentation_and_the_need(coordinator, board_member):
    case = ready_case(coordinator)
    html = _client(board_member).get(f"/sager/{case.pk}/trin/6/").content.decode()
    basis = html[html.index('id="trin-6-grundlag"'):]
    assert case.need in basis and "Dokumentation (trin 4)" in basis
    assert "Produktbeskrivelse" in basis or "Der er ikke uploadet dokumenter" in basis


def test_readiness_shows_the_tests_checklist_and_remarks(coordinator):
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, through=16)
    case_services.step_update(actor=coordinator, case_id=case.pk, number=17,
                              remarks="Testen gik godt, to fejl rettet")
    html = _client(coordinator).get(f"/sager/{case.pk}/trin/18/").content.decode()
    test = html[html.index('id="trin-18-test"'):]
    assert "Testen gik godt, to fejl rettet" in test and "Ikke afkrydset" in test


@pytest.mark.parametrize("item", ["", "1x", "99999999", "-1", "9" * 30])
def test_an_item_the_page_cannot_read_names_no_item(coordinator, board_member, item):
    """The page parses the posted `item` (ADR 0040); the service takes a number or None, and
    text, a number of no item and nothing at all are the same 404, nothing saved."""
    meeting = schedule(board_member)
    put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    response = _client(board_member).post(
        f"/it-visitationen/moeder/{meeting.pk}/udfald/",
        {"item": item, "notes": "Noter", "outcome": "yes", "rationale": "Begrundet"})
    assert response.status_code == 404
    assert not AgendaItem.objects.filter(notes="Noter").exists()
