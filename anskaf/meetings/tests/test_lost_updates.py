"""Lost updates on the meeting's page (issue 21, item 7): the answer to a question, the draft
minutes and a correction of approved minutes carry what they were rendered from. A save over
someone else's newer text is refused (409), shows the newer text and keeps what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from anskaf.meetings import services
from anskaf.meetings.models import MinutesRevision, Question
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule
from anskaf.process.errors import Conflict

pytestmark = pytest.mark.django_db


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _held_meeting(coordinator, board_member):
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, ready_case(coordinator), meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    return meeting, item


def test_an_answer_given_meanwhile_is_not_overwritten(coordinator, board_member):
    meeting, item = _held_meeting(coordinator, board_member)
    question = services.question_ask(actor=board_member, item_id=item.pk,
                                     addressed_to="coordinator", text="Hvad koster det?")
    page = _client(board_member).get(f"/it-visitationen/moeder/{meeting.pk}/").content.decode()
    assert 'name="answer_base" value=""' in page
    services.question_answer(actor=coordinator, question_id=question.pk, answer="200.000 kr.",
                             answer_base="")
    response = _client(board_member).post(
        f"/it-visitationen/moeder/{meeting.pk}/svar/",
        {"item": item.pk, "question": question.pk, "answer": "Mit svar", "answer_base": ""})
    assert response.status_code == 409
    html = response.content.decode()
    assert "besvaret af en anden i mellemtiden" in html
    assert "200.000 kr." in html and ">Mit svar</textarea>" in html
    question.refresh_from_db()
    assert question.answer == "200.000 kr."
    # saving again, knowingly, over the answer now shown
    services.question_answer(actor=board_member, question_id=question.pk, answer="Mit svar",
                             answer_base="200.000 kr.")
    assert Question.objects.get(pk=question.pk).answer == "Mit svar"


def test_the_draft_minutes_are_not_overwritten_by_an_older_page(coordinator, board_member):
    meeting, _ = _held_meeting(coordinator, board_member)
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    draft = services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    rendered = draft.text
    page = _client(board_member).get(f"/it-visitationen/moeder/{meeting.pk}/").content.decode()
    assert 'name="text_base"' in page
    services.minutes_edit(actor=board_member, meeting_id=meeting.pk, text="Ny tekst fra en kollega",
                          text_base=rendered)
    response = _client(board_member).post(
        f"/it-visitationen/moeder/{meeting.pk}/ret-kladde/",
        {"text": "Min rettelse", "text_base": rendered})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Ny tekst fra en kollega" in html and ">Min rettelse</textarea>" in html
    assert MinutesRevision.objects.get(pk=draft.pk).text == "Ny tekst fra en kollega"


def test_a_correction_from_an_older_revision_is_refused(coordinator, board_member):
    meeting, _ = _held_meeting(coordinator, board_member)
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    services.minutes_approve(actor=board_member, meeting_id=meeting.pk)
    page = _client(board_member).get(f"/it-visitationen/moeder/{meeting.pk}/").content.decode()
    assert 'name="revision_base" value="1"' in page
    services.minutes_correct(actor=board_member, meeting_id=meeting.pk, text="Version to",
                             reason="Stavefejl", revision_base=1)
    response = _client(board_member).post(
        f"/it-visitationen/moeder/{meeting.pk}/ret-referat/",
        {"text": "Min version", "reason": "Navn rettet", "revision_base": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "nu version 2" in html and ">Min version</textarea>" in html
    assert ">Navn rettet</textarea>" in html
    assert MinutesRevision.objects.filter(meeting=meeting).count() == 2
    with pytest.raises(Conflict):
        services.minutes_correct(actor=board_member, meeting_id=meeting.pk, text="Igen",
                                 reason="Igen", revision_base=1)


def test_the_api_refuses_a_stale_answer_with_409(coordinator, board_member):
    from anskaf.api.services import token_create

    meeting, item = _held_meeting(coordinator, board_member)
    question = services.question_ask(actor=board_member, item_id=item.pk,
                                     addressed_to="coordinator", text="Hvornår?")
    services.question_answer(actor=coordinator, question_id=question.pk, answer="I maj")
    token = token_create(user=board_member, name="t")
    response = Client().post(
        f"/api/v1/meetings/{meeting.pk}/questions/{question.pk}/answer",
        {"answer": "I juni", "answer_base": ""}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 409
    assert Question.objects.get(pk=question.pk).answer == "I maj"
