"""The board's review step completes through the board's recorded outcome, or by the board
itself with a reason; an outcome waits for the meeting's start; refusals give true hints
(issue 19, item 5; ADR 0018)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services as case_services
from anskaf.cases.errors import InvalidTransition, PermissionDenied, ValidationFailed
from anskaf.cases.models import StepState
from anskaf.cases.process_models import model_for
from anskaf.meetings import services
from anskaf.meetings.steps import REVIEW
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db


def review_number(case) -> int:
    number = REVIEW.number(model_for(case))
    assert number is not None
    return number


def review_state(case) -> StepState:
    return StepState.objects.get(case=case, number=review_number(case))


def test_the_model_says_only_the_board_completes_its_review_and_with_a_reason(coordinator):
    step = REVIEW.find(model_for(testing.new_case(coordinator)))
    assert step is not None
    assert step.complete_roles == ("it_board",) and step.complete_reason
    assert step.not_relevant_roles == ("it_board",)


def test_the_coordinator_cannot_complete_the_review_without_the_board(coordinator):
    case = ready_case(coordinator)
    testing.tick_required(coordinator, case, review_number(case))
    with pytest.raises(PermissionDenied) as info:
        case_services.step_complete(actor=coordinator, case_id=case.pk,
                                    number=review_number(case), remarks="Klaret selv")
    assert "Kun IT-visitationen" in info.value.message
    assert review_state(case).status == "not_started"


def test_the_coordinator_cannot_mark_the_review_not_relevant(coordinator):
    case = ready_case(coordinator)
    with pytest.raises(PermissionDenied, match="Kun IT-visitationen"):
        case_services.step_mark_not_relevant(actor=coordinator, case_id=case.pk,
                                             number=review_number(case), reason="Springes over")


def test_the_board_completes_its_review_outside_anskaf_only_with_a_reason(coordinator,
                                                                          board_member):
    case = ready_case(coordinator)
    with pytest.raises(ValidationFailed) as info:
        case_services.step_complete(actor=board_member, case_id=case.pk,
                                    number=review_number(case), remarks="  ")
    assert set(info.value.errors) == {"remarks"}
    case_services.step_complete(actor=board_member, case_id=case.pk, number=review_number(case),
                                remarks="Behandlet på IT-visitationens møde 3. marts (uden for anskaf).")
    assert review_state(case).status == "done"
    from anskaf.audit.models import AuditEvent

    event = AuditEvent.objects.filter(case_id=case.pk).order_by("-seq").first()
    assert event.event_type == "step.completed" and event.actor_role == "it_board"
    assert event.after["reason"].startswith("Behandlet på IT-visitationens møde")


def test_the_api_refuses_the_coordinator_completing_the_review(coordinator):
    from anskaf.api.tests.conftest import ApiClient

    case = ready_case(coordinator)
    response = ApiClient(coordinator).post(
        f"/cases/{case.pk}/steps/{review_number(case)}/complete", {"remarks": "Klaret selv"})
    assert response.status_code == 403
    assert "Kun IT-visitationen" in response.json()["message"]


def test_the_boards_outcome_completes_the_review(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes", rationale="Godt")
    state = review_state(case)
    assert state.status == "done" and state.completed_by_id == board_member.pk
    assert state.remarks.startswith("Behandlet på mødet")


def test_an_outcome_waits_for_the_meetings_start(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member, days=7)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    with pytest.raises(InvalidTransition) as info:
        services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                rationale="For tidligt")
    assert "fra mødets start" in info.value.message
    assert review_state(case).status == "not_started"


def test_a_planned_meeting_says_publish_the_agenda_first(coordinator, board_member):
    case = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    with pytest.raises(InvalidTransition, match="udsend dagsordenen først"):
        services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                rationale="Godt")


def test_an_approved_meeting_says_it_is_locked_not_publish_the_agenda(coordinator,
                                                                       board_member):
    case = ready_case(coordinator)
    other = ready_case(coordinator)
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    late = put_on_agenda(board_member, coordinator, other, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="yes", rationale="Godt")
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    services.minutes_approve(actor=board_member, meeting_id=meeting.pk)
    with pytest.raises(InvalidTransition) as info:
        services.outcome_record(actor=board_member, item_id=late.pk, outcome="yes",
                                rationale="For sent")
    assert "udsend dagsordenen" not in info.value.message
    assert "låst" in info.value.message
    with pytest.raises(InvalidTransition) as info:
        services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    assert "markér mødet som afholdt" not in info.value.message
