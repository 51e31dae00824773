"""Reads across meetings and cases, permissions first, in a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from anskaf.cases import permissions
from anskaf.cases.choices import CaseStatus, Outcome
from anskaf.cases.errors import NotFound, PermissionDenied
from anskaf.cases.models import Case, Decision, StepState
from anskaf.cases.process_models import model_for, models_for, organisation_models
from anskaf.orgs.models import User

from .choices import ReferralStatus
from .models import AgendaItem, Meeting, Question, Referral
from .permissions import board_refusal, put_forward_refusal, view_refusal
from .services import MEETING_NOT_FOUND
from .steps import BoardSteps, board_steps


def meetings_for(viewer: User) -> QuerySet[Meeting]:
    """The meetings of the viewer's organisation they may see (board/admin all; else attended)."""
    qs = Meeting.objects.filter(organisation_id=viewer.municipality_id)
    if view_refusal(viewer) is not None:
        qs = qs.filter(participants=viewer)
    return qs


def meeting_list(*, viewer: User) -> list[Meeting]:
    return list(meetings_for(viewer).order_by("-starts_at", "-id")[:200])


def meeting_get(*, viewer: User, meeting_id: int, coordinator_view: bool = False) -> Meeting:
    """404 outside the organisation, 403 for a member who may not see it.

    With `coordinator_view` (the meeting's page), the coordinator of a case on the agenda who
    is neither on the board nor a participant gets the meeting too, marked with
    `meeting.own_items` (the ids of the items of her own cases): she sees its date and agenda
    titles, and the questions, outcome and minutes of her own cases only."""
    meeting = (Meeting.objects.filter(organisation_id=viewer.municipality_id, pk=meeting_id)
               .first())
    if meeting is None:
        raise NotFound(MEETING_NOT_FOUND)
    if refusal := view_refusal(viewer, meeting):
        own = own_case_items(viewer, meeting) if coordinator_view else set()
        if not own:
            raise PermissionDenied(refusal)
        meeting.own_items = own  # type: ignore[attr-defined]
    return meeting


def own_case_items(viewer: User, meeting: Meeting) -> set[int]:
    """The agenda items of cases the viewer coordinates (and may see)."""
    items = meeting.items.filter(case__isnull=False).select_related("case")
    return {i.pk for i in items if i.case is not None
            and permissions.can_view(viewer, i.case) and put_forward_refusal(viewer, i.case) is None}


def meeting_question(meeting: Meeting, question_id: int | None) -> Question | None:
    """A question on the meeting's agenda, with its item's case (who may answer it)."""
    if question_id is None:
        return None
    return (Question.objects.select_related("item__case")
            .filter(item__meeting=meeting, pk=question_id).first())


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    """Items with their case, its documentation step (the collected documentation, as
    `item.documentation`), questions and outcome."""
    items = list(meeting.items.select_related("case", "case__coordinator", "decision", "referral")
                 .prefetch_related("questions"))
    with_case = [(i, i.case) for i in items if i.case is not None]
    models = models_for(case.model_version_id for _, case in with_case)
    wanted = Q()
    for item, case in with_case:
        board = board_steps(models[case.model_version_id])
        if board is not None:
            item.missing_step = board.missing_documentation_step  # type: ignore[attr-defined]
        if board is not None and board.documentation is not None:
            item.documentation_step = board.documentation.number  # type: ignore[attr-defined]
            wanted |= Q(case_id=item.case_id, number=board.documentation.number)
    states: dict[int | None, StepState] = (
        {s.case_id: s for s in StepState.objects.filter(wanted)} if wanted else {})
    for item in items:
        item.documentation = states.get(item.case_id)  # type: ignore[attr-defined]
        item.open_questions = [q for q in item.questions.all()  # type: ignore[attr-defined]
                               if q.status == "open"]
    return items


def participant_candidates(*, viewer: User) -> list[User]:
    """People who usually attend: the board and IT og Digitalisering of the organisation."""
    return list(User.objects.filter(organisation_id=viewer.municipality_id, is_active=True,
                                    memberships__role__in=("it_board", "it")).distinct()
                .order_by("first_name", "last_name", "username"))


def board_queue(*, viewer: User) -> list[Referral]:
    """Cases put forward and waiting for a meeting, oldest first."""
    if board_refusal(viewer) is not None:
        return []
    # A case withdrawn while it waited leaves the queue (its referral stays as history).
    return list(Referral.objects.filter(organisation_id=viewer.municipality_id,
                                        status=ReferralStatus.WAITING,
                                        case__status=CaseStatus.ACTIVE)
                .select_related("case", "put_forward_by").order_by("put_forward_at", "id"))


@dataclass
class Round:
    number: int
    put_forward_at: Any
    meeting: Meeting | None
    decision: Decision | None
    status: str


def case_rounds(*, viewer: User, case: Case) -> list[Round]:
    """Every round of the case through the board: put forward, meeting, outcome, what was asked."""
    if not permissions.can_view(viewer, case):
        return []
    board = board_steps(model_for(case))
    return rounds_of(case, board) if board is not None else []


def rounds_of(case: Case, board: BoardSteps) -> list[Round]:
    """`case_rounds` for a case whose visibility the caller has checked (the case page)."""
    referrals = list(Referral.objects.filter(case=case).order_by("round")
                     .prefetch_related(Prefetch("agenda_item",
                                                queryset=AgendaItem.objects.select_related(
                                                    "meeting", "decision"))))
    # case.decisions: prefetched on the case page, one query elsewhere.
    decisions = {d.round: d for d in case.decisions.all() if d.step == board.decision.number}
    rounds: list[Round] = []
    seen = set()
    for r in referrals:
        item = getattr(r, "agenda_item", None)
        decision = (item.decision if item is not None and item.decision_id else None) \
            or decisions.get(r.round)
        if decision is not None:
            seen.add(decision.round)
        rounds.append(Round(r.round, r.put_forward_at, item.meeting if item else None,
                            decision, r.status))
    # Decisions taken outside a meeting (the gate's own form on the case page) are rounds too.
    for number, decision in decisions.items():
        if number not in seen:
            rounds.append(Round(number, None, None, decision, ReferralStatus.TREATED))
    return sorted(rounds, key=lambda r: r.number)


def _board_decisions(organisation_id: int) -> Q:
    """The organisation's decisions at the board's gate, whatever number each case's model
    gives it (one query for the model versions it may use)."""
    by_number: dict[int, list[int]] = defaultdict(list)
    for version_id, model in organisation_models(organisation_id).items():
        if (board := board_steps(model)) is not None:
            by_number[board.decision.number].append(version_id)
    condition = Q(pk__in=[])
    for number, version_ids in by_number.items():
        condition |= Q(step=number, case__model_version_id__in=version_ids)
    return condition & Q(case__organisation_id=organisation_id)


@dataclass
class PeriodStats:
    period: str
    yes: int = 0
    maybe: int = 0
    no: int = 0
    average_rounds: float | None = None
    average_days: float | None = None


def outcome_statistics(*, viewer: User) -> list[PeriodStats]:
    """Per quarter: how many Ja/Måske/Nej; average rounds to a final outcome (Ja or Nej); average
    days from "documentation done" (as it was when the case was put forward) to the decision."""
    decisions = list(Decision.objects.filter(_board_decisions(viewer.municipality_id))
                     .order_by("decided_at"))
    referrals = {(r.case_id, r.round): r for r in Referral.objects.filter(
        organisation_id=viewer.municipality_id).only("case_id", "round", "documentation_done_at")}
    stats: dict[str, PeriodStats] = {}
    finals: dict[str, list[int]] = defaultdict(list)
    days: dict[str, list[float]] = defaultdict(list)
    for d in decisions:
        period = f"{d.decided_at.year} K{(d.decided_at.month - 1) // 3 + 1}"
        row = stats.setdefault(period, PeriodStats(period))
        key = {Outcome.YES: "yes", Outcome.MAYBE: "maybe", Outcome.NO: "no"}[Outcome(d.outcome)]
        setattr(row, key, getattr(row, key) + 1)
        if d.outcome in (Outcome.YES, Outcome.NO):
            finals[period].append(d.round)
        referral = referrals.get((d.case_id, d.round))
        if referral is not None and referral.documentation_done_at is not None:
            days[period].append(
                (d.decided_at - referral.documentation_done_at).total_seconds() / 86400)
    for period, row in stats.items():
        if finals[period]:
            row.average_rounds = round(sum(finals[period]) / len(finals[period]), 1)
        if days[period]:
            row.average_days = round(sum(days[period]) / len(days[period]), 1)
    return sorted(stats.values(), key=lambda r: r.period, reverse=True)


PUT_FORWARD_PENDING = "Sagen er ikke sendt til IT-visitationen endnu (»Kontakt IT-visitationen«)."


def held_for_board(cases: list[Any], models: dict[int, Any]) -> dict[int, dict[int, str]]:
    """The cases' hold finder (cases.extensions): the board's review step is not actionable
    while the case is not put forward (no referral waiting or on an agenda). One query for
    the cases whose model has a board (always, so a page costs the same early and late); each
    case object keeps its pending referral for the board's panel."""
    boards = {c.pk: board_steps(models[c.model_version_id]) for c in cases}
    with_board = [c for c in cases if boards[c.pk] is not None]
    if not with_board:
        return {}
    pending: dict[int, Referral] = {}
    for referral in Referral.objects.filter(
            case_id__in=[c.pk for c in with_board],
            status__in=(ReferralStatus.WAITING, ReferralStatus.ON_AGENDA)):
        pending.setdefault(referral.case_id, referral)  # the first, as pending_referral
    held: dict[int, dict[int, str]] = {}
    for case in with_board:
        case._anskaf_pending_referral = pending.get(case.pk)
        board = boards[case.pk]
        assert board is not None  # with_board holds only these
        review = board.review.number
        if review in (case.waiting_steps or ()) and case.pk not in pending:
            held[case.pk] = {review: PUT_FORWARD_PENDING}
    return held
