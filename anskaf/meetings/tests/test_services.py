"""The meeting life cycle and what each outcome does to the case."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases import services as case_services
from anskaf.cases.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RequirementMissing,
    ValidationFailed,
)
from anskaf.cases.extensions import register_handler, unregister
from anskaf.cases.models import Case, Decision, StepState
from anskaf.meetings import selectors, services
from anskaf.meetings.inputs import (
    correction_values,
    minutes_value,
    outcome_value,
    schedule_values,
)
from anskaf.meetings.models import AgendaItem, Meeting, MinutesRevision, Referral
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db


def _state(case: Case, number: int) -> StepState:
    return StepState.objects.get(case=case, number=number)


def test_a_case_cannot_be_put_forward_before_steps_1_to_4_are_done(coordinator):
    case = testing.new_case(coordinator)
    with pytest.raises(InvalidTransition, match="Trin 1, 2, 3, 4"):
        services.case_put_forward(actor=coordinator, case_id=case.pk)
    assert not Referral.objects.exists()


def test_only_the_coordinator_puts_a_case_forward(coordinator, board_member, requester):
    case = ready_case(coordinator)
    with pytest.raises(PermissionDenied):
        services.case_put_forward(actor=requester, case_id=case.pk)
    referral = services.case_put_forward(actor=coordinator, case_id=case.pk, note="Klar")
    assert referral.round == 1 and referral.documentation_done_at is not None
    assert [r.pk for r in selectors.board_queue(viewer=board_member)] == [referral.pk]
    with pytest.raises(InvalidTransition, match="venter allerede"):
        services.case_put_forward(actor=coordinator, case_id=case.pk)


def test_another_organisation_sees_nothing(coordinator, board_member, outsider):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    with pytest.raises(NotFound):
        services.case_put_forward(actor=outsider, case_id=case.pk)
    with pytest.raises(NotFound):
        services.meeting_publish(actor=outsider, meeting_id=meeting.pk)


def test_only_the_board_schedules_and_bad_input_is_named(coordinator, board_member):
    with pytest.raises(PermissionDenied):
        schedule(coordinator)
    with pytest.raises(ValidationFailed) as exc:
        schedule_values({"title": "", "starts_at": "i morgen", "online_link": "ikke et link"})
    assert set(exc.value.errors) >= {"title", "starts_at", "online_link"}
    assert not Meeting.objects.exists()


def test_a_recurring_series_keeps_its_local_hour(board_member):
    meetings = services.meeting_schedule(actor=board_member, data=schedule_values({
        "title": "IT-visitationen", "starts_at": "2026-03-10T09:00", "duration_minutes": 60,
        "online_link": "https://teams.example/m", "repeat_weeks": 2, "count": 4}))
    assert len(meetings) == 4 and len({m.series for m in meetings}) == 1
    from django.utils import timezone
    local = [timezone.localtime(m.starts_at) for m in meetings]
    assert [d.day for d in local] == [10, 24, 7, 21] and {d.hour for d in local} == {9}


def test_the_life_cycle_from_agenda_to_approved_minutes(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    other = services.agenda_add_other(actor=board_member, meeting_id=meeting.pk,
                                      title="Eventuelt")
    services.agenda_move(actor=board_member, item_id=other.pk, direction="up")
    assert meeting.items.order_by("order").first().title == "Eventuelt"
    with pytest.raises(InvalidTransition, match="udsend dagsordenen"):
        services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                rationale="For tidligt")

    received = []
    register_handler("meeting.agenda_published", received.append)
    try:
        services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    finally:
        unregister(received.append)
    assert [(e.case.pk, e.step, e.data["meeting_id"]) for e in received] == [
        (case.pk, 5, meeting.pk)]
    assert received[0].data["participant_ids"] == [board_member.pk]
    with pytest.raises(InvalidTransition):
        services.agenda_add_other(actor=board_member, meeting_id=meeting.pk, title="For sent")

    question = services.question_ask(actor=board_member, item_id=item.pk,
                                     addressed_to="supplier", text="Hvor ligger data?")
    services.question_answer(actor=coordinator, question_id=question.pk, answer="I EU.")
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                            rationale="Dokumentationen er fyldestgørende.",
                            recommendations="Brug kommunens SSO.", it_contacts=["Ib IT"])
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    draft = services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    assert "Udfald: Ja (runde 1)" in draft.text and "Brug kommunens SSO." in draft.text
    services.minutes_approve(actor=board_member, meeting_id=meeting.pk)
    meeting.refresh_from_db()
    assert meeting.state == "minutes_approved"
    with pytest.raises(InvalidTransition):
        services.question_ask(actor=board_member, item_id=item.pk, addressed_to="coordinator",
                              text="Nyt?")
    assert audit_verify(case.organisation_id).ok


def test_ja_completes_step_5_and_decides_step_6_in_one_go(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    decision = services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                       rationale="Godt", it_contacts="Ib IT\nAnne Arkitekt")
    assert _state(case, 5).status == "done" and _state(case, 6).status == "done"
    assert decision.it_contacts == ["Ib IT", "Anne Arkitekt"]
    assert AgendaItem.objects.get(pk=item.pk).decision_id == decision.pk
    assert Referral.objects.get(case=case).status == "treated"
    types = list(AuditEvent.objects.filter(case_id=case.pk).values_list("event_type", flat=True))
    assert types[-3:] == ["step.completed", "decision.recorded", "meeting.outcome_recorded"]


def test_a_refused_decision_leaves_step_5_untouched(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    with pytest.raises(ValidationFailed, match="begrundelse"):
        services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                rationale="  ")
    assert _state(case, 5).status != "done" and not Decision.objects.exists()


def test_maybe_reopens_4_and_5_with_the_missing_documentation_on_step_4(coordinator,
                                                                        board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    with pytest.raises(ValidationFailed, match="dokumentation"):  # where it enters
        outcome_value("maybe", "  \n ")
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="maybe",
                            rationale="Mangler sikkerhed",
                            missing_documentation="Sikkerhedsbeskrivelse\nSnitfladetegning")
    step4 = _state(case, 4)
    assert step4.status == "in_progress" and _state(case, 5).status == "in_progress"
    assert [i["label"] for i in step4.extra_items] == ["Sikkerhedsbeskrivelse",
                                                       "Snitfladetegning"]
    assert _state(case, 6).status == "in_progress"

    # The new items are open checklist items: step 4 cannot be completed until they are ticked.
    with pytest.raises(RequirementMissing, match="Sikkerhedsbeskrivelse"):
        case_services.step_complete(actor=coordinator, case_id=case.pk, number=4)
    with pytest.raises(InvalidTransition, match="Trin 4"):
        services.case_put_forward(actor=coordinator, case_id=case.pk)
    case_services.step_update(actor=coordinator, case_id=case.pk, number=4, checklist=[
        {"id": i["id"], "done": True} for i in step4.extra_items])
    case_services.step_complete(actor=coordinator, case_id=case.pk, number=4)

    # Round 2 in a later meeting: Ja, and the case moves on to step 7.
    later = schedule(board_member, days=-1)
    second = put_on_agenda(board_member, coordinator, case, later)
    assert second.referral.round == 2
    services.meeting_publish(actor=board_member, meeting_id=later.pk)
    services.outcome_record(actor=board_member, item_id=second.pk, outcome="yes",
                            rationale="Nu er det på plads")
    case.refresh_from_db()
    assert _state(case, 6).status == "done" and 7 in case.waiting_steps
    rounds = selectors.case_rounds(viewer=coordinator, case=case)
    assert [(r.number, r.decision.outcome, r.meeting.pk) for r in rounds] == [
        (1, "maybe", meeting.pk), (2, "yes", later.pk)]
    [stats] = selectors.outcome_statistics(viewer=board_member)
    assert (stats.yes, stats.maybe, stats.no, stats.average_rounds) == (1, 1, 0, 2.0)
    assert stats.average_days is not None and stats.average_days >= 0


def test_nej_rejects_the_case(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="no",
                            rationale="Systemet opfylder ikke kravene til sikkerhed.")
    case.refresh_from_db()
    assert case.status == "rejected"
    with pytest.raises(InvalidTransition, match="allerede"):
        services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                rationale="Igen")


def test_removing_an_item_puts_the_case_back_in_the_queue(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    assert selectors.board_queue(viewer=board_member) == []
    services.agenda_remove(actor=board_member, item_id=item.pk)
    assert [r.case_id for r in selectors.board_queue(viewer=board_member)] == [case.pk]
    with pytest.raises(InvalidTransition, match="tom"):
        services.meeting_publish(actor=board_member, meeting_id=meeting.pk)


def _approved_meeting(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="no",
                            rationale="Ikke sikkert nok")
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    services.minutes_edit(actor=board_member, meeting_id=meeting.pk, text=minutes_value("Kladde rettet\n"))
    services.minutes_approve(actor=board_member, meeting_id=meeting.pk)
    return meeting


def test_minutes_cannot_change_after_approval_except_by_an_audited_revision(coordinator,
                                                                           board_member):
    meeting = _approved_meeting(coordinator, board_member)
    for attempt in (
        lambda: services.minutes_edit(actor=board_member, meeting_id=meeting.pk, text="Ændret"),
        lambda: services.minutes_generate(actor=board_member, meeting_id=meeting.pk),
        lambda: services.minutes_approve(actor=board_member, meeting_id=meeting.pk),
    ):
        with pytest.raises(InvalidTransition):
            attempt()
    with pytest.raises(ValidationFailed, match="hvorfor"):  # where it enters
        correction_values("Ny", "")
    with pytest.raises(PermissionDenied):
        services.minutes_correct(actor=coordinator, meeting_id=meeting.pk, text="Ny",
                                 reason="Stavefejl")
    text, reason = correction_values("Kladde rettet igen\n", " Stavefejl ")
    revision = services.minutes_correct(actor=board_member, meeting_id=meeting.pk,
                                        text=text, reason=reason)
    texts = list(MinutesRevision.objects.filter(meeting=meeting).values_list("number", "text",
                                                                              "approved"))
    assert texts == [(1, "Kladde rettet", True), (2, "Kladde rettet igen", True)]
    event = AuditEvent.objects.get(event_type="meeting.minutes_corrected")
    assert event.before["text"] == "Kladde rettet" and event.after["reason"] == "Stavefejl"
    assert revision.number == 2 and audit_verify(meeting.organisation_id).ok


def test_the_demo_has_a_planned_meeting_with_an_agenda(db, settings):
    from anskaf import demo

    demo.load()
    meeting = Meeting.objects.get(organisation__slug="haderslev")
    assert meeting.state == "planned"
    assert [i.title for i in meeting.items.all()][1] == "Eventuelt"
    assert meeting.items.first().case.title.startswith("Kommunikationsplatform")


def test_the_case_page_shows_the_rounds_and_the_meeting_events_in_danish(client, coordinator,
                                                                         board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="no",
                            rationale="Leverandøren kan ikke dokumentere sikkerheden.")
    client.force_login(coordinator)
    html = testing.page_with_parts(client, f"/sager/{case.pk}/", opened=True)
    assert "Rundens historik / IT-visitationen" in html
    assert "Leverandøren kan ikke dokumentere sikkerheden." in html
    assert "sendte sagen til IT-visitationen" in html and "meeting.item_added" not in html


def test_a_withdrawn_case_leaves_the_queue(coordinator, board_member):
    case = ready_case(coordinator)
    services.case_put_forward(actor=coordinator, case_id=case.pk)
    case_services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Droppet")
    assert selectors.board_queue(viewer=board_member) == []
