"""Builders for meeting tests and demo data: real rows made through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from anskaf import testing
from anskaf.cases.models import Case
from anskaf.orgs.models import User

from . import services
from .models import Meeting, Referral


def ready_case(coordinator: User, **overrides: Any) -> Case:
    """A case whose steps 1-4 are done, ready to be put forward."""
    case = testing.new_case(coordinator, **overrides)
    return testing.advance(coordinator, case, through=4)


def schedule(board: User, *, days: int = 7, participants: list[str] | None = None,
             **data: Any) -> Meeting:
    starts = timezone.localtime() + timedelta(days=days)
    payload = {"title": "Møde i IT-visitationen", "starts_at": starts.replace(
        hour=10, minute=0, second=0, microsecond=0), "duration_minutes": 90,
               "place": "Rådhuset, mødelokale 2", "participants": participants or [board.username],
               **data}
    return services.meeting_schedule(actor=board, data=payload)[0]


def put_on_agenda(board: User, coordinator: User, case: Case, meeting: Meeting) -> Any:
    referral: Referral = services.case_put_forward(actor=coordinator, case_id=case.pk)
    return services.agenda_add_case(actor=board, meeting_id=meeting.pk, referral_id=referral.pk)
