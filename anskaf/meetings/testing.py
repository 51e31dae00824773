"""Builders for meeting tests and demo data: real rows made through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.utils import timezone

from anskaf import testing
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_for
from anskaf.orgs.models import User

from . import services
from .inputs import ScheduleData, schedule_values
from .models import Meeting, Referral
from .steps import board_steps


def ready_case(coordinator: User, **overrides: Any) -> Case:
    """A case whose steps before the board's review are done, ready to be put forward."""
    case = testing.new_case(coordinator, **overrides)
    board = board_steps(model_for(case))
    assert board is not None, "the case's model has no steps for the board"
    return testing.advance(coordinator, case, through=max(board.ready))


def schedule(board: User, *, days: int = -7, participants: list[str] | None = None,
             **data: Any) -> Meeting:
    """A meeting `days` from today at 10:00: by default a week ago, so that outcomes can be
    recorded (an outcome is refused before the meeting's start)."""
    starts = timezone.localtime() + timedelta(days=days)
    payload = {"title": "Møde i IT-visitationen", "starts_at": starts.replace(
        hour=10, minute=0, second=0, microsecond=0), "duration_minutes": 90,
               "place": "Rådhuset, mødelokale 2", "participants": participants or [board.username],
               **data}
    return services.meeting_schedule(
        actor=board, data=schedule_values(cast(ScheduleData, payload)))[0]


def put_on_agenda(board: User, coordinator: User, case: Case, meeting: Meeting) -> Any:
    referral: Referral = services.case_put_forward(actor=coordinator, case_id=case.pk)
    return services.agenda_add_case(actor=board, meeting_id=meeting.pk, referral_id=referral.pk)
