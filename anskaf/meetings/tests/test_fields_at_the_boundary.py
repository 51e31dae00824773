"""The meetings' field rules where they enter (ADR 0040): the meeting's page and the API run
`meetings.inputs`, the services take checked values. A bad value is a 400 naming the field
(`validation_error` in the API), nothing is written, and the page keeps what was typed; the
page checks the board's role first (403 before 400, as the API)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.cases.errors import ValidationFailed
from anskaf.meetings import inputs, services
from anskaf.meetings.models import AgendaItem, Question, Referral
from anskaf.meetings.testing import ready_case, schedule

pytestmark = pytest.mark.django_db

TOO_LONG_NOTES = "n" * 10001


@pytest.fixture
def meeting(board_member):
    meeting = schedule(board_member)
    item = services.agenda_add_other(actor=board_member, meeting_id=meeting.pk,
                                     title="Orientering")
    services.question_ask(actor=board_member, item_id=item.pk, addressed_to="coordinator",
                          text="Hvad koster det?")
    return meeting


def _api(person, method, url, body):
    return getattr(Client(), method)(
        f"/api/v1{url}", data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=person)}")


@pytest.mark.parametrize("method, url, body, field", [
    ("post", "/items", {"title": "  "}, "title"),
    ("post", "/items", {"title": "Punkt\x07"}, "title"),
    ("post", "/items", {"title": "Punkt", "notes": TOO_LONG_NOTES}, "notes"),
    ("patch", "/items/{item}", {"notes": TOO_LONG_NOTES}, "notes"),
    ("post", "/items/{item}/questions", {"addressed_to": "supplier", "text": " "}, "text"),
    ("post", "/items/{item}/questions", {"addressed_to": "supplier", "text": "q" * 4001},
     "text"),
    ("post", "/questions/{question}/answer", {"answer": "  "}, "answer"),
    ("post", "/items/{item}/outcome", {"outcome": "maybe", "rationale": "Mangler"},
     "missing_documentation"),
    ("post", "/items/{item}/outcome", {"outcome": "yes", "rationale": "Fint",
                                       "notes": TOO_LONG_NOTES}, "notes"),
    ("put", "/minutes-draft", {"text": " "}, "text"),
    ("post", "/minutes-correct", {"text": "Ny tekst", "reason": " "}, "reason"),
    ("post", "/minutes-correct", {"text": "\x00", "reason": "Stavefejl"}, "text"),
])
def test_a_bad_field_is_400_validation_error_naming_it(board_member, meeting, method, url,
                                                       body, field):
    item = meeting.items.get()
    question = Question.objects.get(item=item)
    path = f"/meetings/{meeting.pk}" + url.format(item=item.pk, question=question.pk)
    response = _api(board_member, method, path, body)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "validation_error"
    assert field in response.json()["fields"]
    item.refresh_from_db()
    assert (meeting.items.count(), item.notes, Question.objects.count()) == (1, "", 1)


def test_a_note_to_the_board_is_held_to_its_length_where_it_enters(coordinator):
    case = ready_case(coordinator)
    long = _api(coordinator, "post", f"/cases/{case.pk}/put-forward", {"note": "x" * 4001})
    assert long.status_code == 400 and set(long.json()["fields"]) == {"note"}
    from_step = _api(coordinator, "post", f"/cases/{case.pk}/documentation/put-forward",
                     {"note": "x" * 1501, "reason": "Haster"})
    assert from_step.status_code == 400 and set(from_step.json()["fields"]) == {"note"}
    assert not Referral.objects.exists()


def _page(person, meeting, op, data):
    client = Client()
    client.force_login(person)
    return client.post(reverse("meetings:meeting_action", args=[meeting.pk, op]), data)


def test_the_page_keeps_what_was_typed_when_a_field_is_refused(board_member, meeting):
    item = meeting.items.get()
    response = _page(board_member, meeting, "punkt",
                     {"item": item.pk, "notes": "Mine noter\x07 fra mødet"})
    assert response.status_code == 400
    assert "kontroltegn" in response.content.decode()
    response = _page(board_member, meeting, "flyt", {"item": item.pk, "direction": "sidelæns"})
    assert response.status_code == 400 and "»up« eller »down«" in response.content.decode()
    response = _page(board_member, meeting, "spoerg",
                     {"item": item.pk, "addressed_to": "naboen", "text": "Hvornår?"})
    assert response.status_code == 400
    assert "koordinatoren eller leverandøren" in response.content.decode()
    assert AgendaItem.objects.get().notes == "" and Question.objects.count() == 1


def test_the_page_answers_403_before_it_judges_the_fields(org, meeting):
    admin = testing.make_user(org, "chef", "admin")
    response = _page(admin, meeting, "spoerg",
                     {"item": meeting.items.get().pk, "addressed_to": "naboen", "text": ""})
    assert response.status_code == 403
    question = Question.objects.get()
    response = _page(admin, meeting, "svar", {"question": question.pk, "answer": " "})
    assert response.status_code == 403
    response = _api(admin, "post", f"/meetings/{meeting.pk}/questions/{question.pk}/answer",
                    {"answer": " "})
    assert response.status_code == 403


@pytest.mark.parametrize("call", [
    lambda: inputs.notes_values("Noter", "ja"),
    lambda: inputs.direction_value("left"),
    lambda: inputs.question_values("naboen", "Hvornår?"),
    lambda: inputs.outcome_value("perhaps", None),
    lambda: inputs.minutes_value(""),
    lambda: inputs.correction_values("Ny", "r" * 2001),
    lambda: inputs.put_forward_values("", "\x1b"),
    lambda: inputs.agenda_item_values("Titel\u202e", ""),
])
def test_each_rule_refuses_a_bad_value(call):
    with pytest.raises(ValidationFailed):
        call()


def test_the_checked_values_are_stripped():
    assert inputs.agenda_item_values(" Eventuelt ", " noter\n") == ("Eventuelt", "noter")
    assert inputs.notes_values(None, None) == (None, None)
    assert inputs.correction_values("Tekst\n", " Stavefejl ") == ("Tekst", "Stavefejl")
    assert inputs.put_forward_values(None) == ("", "")
