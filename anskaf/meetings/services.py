"""The only place that writes meetings. Each service: one transaction, locks, permission, audit.

Checks run in the API's order: 404 (the meeting), 403 (the role), 400 (the input), 409
(the meeting's state). The fields' own rules (the text rule, lengths, required texts, the
choices) are held where they enter (`inputs`, ADR 0040): the services take checked values and
keep the rules that need the database, the actor or the meeting's state.

Who does what: the IT-visitation (`it_board`, organisation-wide) schedules meetings, builds and
publishes agendas, asks questions, records outcomes and approves minutes; a case's coordinator
(or the coordinating function of its unit) puts the case forward. An outcome is recorded
through `anskaf.cases.services` (the board's review step completed, its gate decided) inside the
same transaction. The steps are found by kind or key (`steps.py`), never by number.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from anskaf.audit.services import Payload, audit_append
from anskaf.cases import permissions
from anskaf.cases import services as case_services
from anskaf.cases.choices import CaseStatus, StepStatus
from anskaf.cases.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    NotReady,
    ValidationFailed,
)
from anskaf.cases.extensions import CaseEvent, emit
from anskaf.cases.models import Case, Decision, StepState
from anskaf.cases.process_models import model_for
from anskaf.documents.models import Document
from anskaf.orgs.models import User
from anskaf.process.model import StepDef

from . import minutes as minutes_text
from .choices import MeetingState, QuestionStatus, ReferralStatus
from .inputs import ScheduleValues
from .models import AgendaItem, Meeting, MinutesRevision, Question, Referral
from .permissions import BOARD_ROLE, answer_refusal, board_refusal, put_forward_refusal
from .steps import BoardSteps, board_steps

MEETING_NOT_FOUND = "Mødet findes ikke, eller du har ikke adgang til det."


# --- permissions -------------------------------------------------------------------------------


def _require_board(actor: User) -> None:
    permissions.require(board_refusal(actor))


# --- helpers -----------------------------------------------------------------------------------


def _audit(actor: User, event_type: str, object_id: int | str | None, before: Payload,
           after: Payload, *, case_id: int | None = None) -> None:
    """audit_append in the actor's organisation, acting as the board or the coordinator."""
    audit_append(organisation_id=actor.municipality_id, actor=actor,
                 actor_role=case_services.acting_role(actor, [BOARD_ROLE, "coordinator"]),
                 event_type=event_type, object_id=object_id, case_id=case_id, before=before,
                 after=after)


def _pk(value: int | None, message: str) -> int:
    """The id the boundary parsed; None (not sent, or no number) and out of range are 404."""
    if value is None or not 0 < value < 2**62:
        raise NotFound(message)
    return value


def _lock_meeting(actor: User, meeting_id: int) -> Meeting:
    """Lock the meeting for this transaction; 404 outside the actor's organisation."""
    meeting = (Meeting.objects.select_for_update()
               .filter(organisation_id=actor.municipality_id,
                       pk=_pk(meeting_id, MEETING_NOT_FOUND)).first())
    if meeting is None:
        raise NotFound(MEETING_NOT_FOUND)
    return meeting


def _lock_item(actor: User, item_id: int | None) -> tuple[Meeting, AgendaItem]:
    message = "Dagsordenspunktet findes ikke, eller du har ikke adgang til det."
    item = AgendaItem.objects.filter(meeting__organisation_id=actor.municipality_id,
                                     pk=_pk(item_id, message)).first()
    if item is None:
        raise NotFound(message)
    meeting = _lock_meeting(actor, item.meeting_id)
    return meeting, AgendaItem.objects.select_for_update().get(pk=item.pk)


# What to do first, per state, where an action waits for a later state (a hint only where it
# is true: an approved meeting is locked, so "publish the agenda first" would mislead).
NEXT_STEP = {
    MeetingState.PLANNED: "udsend dagsordenen først",
    MeetingState.AGENDA_PUBLISHED: "markér mødet som afholdt først",
    MeetingState.HELD: "godkend referatet først",
    MeetingState.MINUTES_APPROVED: "referatet er godkendt, og mødet er låst",
}


def _ensure_state(meeting: Meeting, *allowed: str, doing: str) -> None:
    """Refuse unless the meeting is in one of the allowed states. The hint says what to do
    first only when the meeting is in an earlier state than every allowed one; an approved
    meeting always says it is locked."""
    if meeting.state not in allowed:
        label = MeetingState(meeting.state).label
        order = list(MeetingState.values)
        earlier = all(order.index(meeting.state) < order.index(s) for s in allowed)
        hint = ""
        if meeting.state == MeetingState.MINUTES_APPROVED or earlier:
            hint = f" ({NEXT_STEP[MeetingState(meeting.state)]})"
        raise InvalidTransition(f"Mødet er {str(label).lower()}, så du kan ikke {doing}{hint}.")


def _touch(meeting: Meeting) -> None:
    meeting.version += 1
    meeting.save()


def meeting_fields(meeting: Meeting) -> dict[str, Any]:
    return {"title": meeting.title, "state": meeting.state,
            "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(),
            "place": meeting.place, "online_link": meeting.online_link,
            "series": meeting.series, "recurrence_weeks": meeting.recurrence_weeks}


# --- put forward -------------------------------------------------------------------------------


NO_BOARD_STEPS = "Sagens procesmodel har ingen trin for IT-visitationen."


def ready_refusal(case: Case, states: dict[int, StepState], board: BoardSteps | None) -> str | None:
    """Why the case cannot be put forward now (None when it can)."""
    if board is None:
        return NO_BOARD_STEPS
    if case.status != CaseStatus.ACTIVE:
        return "Sagen er ikke aktiv."
    if states[board.decision.number].status == StepStatus.DONE:
        return "IT-visitationen har allerede sagt ja til sagen."
    finished = (StepStatus.DONE, StepStatus.NOT_RELEVANT)
    missing = [n for n in board.ready if states[n].status not in finished]
    if missing:
        return (f"Trin {', '.join(map(str, missing))} skal være gennemført eller ikke relevant, "
                "før sagen kan sendes til IT-visitationen.")
    return None


def pending_referral(case_id: int) -> Referral | None:
    return Referral.objects.filter(case_id=case_id, status__in=(
        ReferralStatus.WAITING, ReferralStatus.ON_AGENDA)).first()


def readiness_gaps(case: Case, documentation: StepDef, state: StepState, *, remarks: str,
                   ticked: set[str]) -> list[str]:
    """What the board will miss from the documentation step, in Danish: unticked checklist
    items, required documents not uploaded (or no document at all), empty remarks."""
    gaps = []
    labels = [(i.id, i.label.da) for i in documentation.checklist]
    labels += [(i["id"], i["label"]) for i in state.extra_items]
    if unticked := [label for item_id, label in labels if item_id not in ticked]:
        gaps.append("ikke afkrydset: " + "; ".join(unticked))
    uploaded = set(Document.objects.filter(case=case, step=documentation.number,
                                           versions__isnull=False)
                   .values_list("type_key", flat=True))
    missing = [d.title.da for d in documentation.documents if d.required and d.key not in uploaded]
    if missing:
        gaps.append("mangler dokumenter: " + ", ".join(missing))
    elif documentation.documents and not uploaded:
        gaps.append("der er ikke uploadet dokumenter")
    if not remarks.strip():
        gaps.append("ingen bemærkninger")
    return gaps


@transaction.atomic
def documentation_put_forward(*, actor: User, case_id: int, remarks: str | None = None,
                              ticked: Iterable[str] | None = None, version: int | None = None,
                              reason: str = "", note: str = "") -> Referral:
    """The documentation step's primary action, "Kontakt IT-visitationen": check what the
    board will miss (against what the form sends, else what is saved), refuse unless the
    coordinator gives a reason to go on anyway, complete the step (with its remarks and ticks)
    and put the case forward - one transaction. The reason is audited and shown to the board
    (with the referral's note). `reason` and `note` as `inputs.put_forward_values` checked
    them."""
    case = case_services.lock_visible_case(actor, case_id)
    permissions.require(put_forward_refusal(actor, case))
    board = board_steps(model_for(case))
    if board is None or board.documentation is None:
        raise InvalidTransition(NO_BOARD_STEPS)
    state = StepState.objects.get(case=case, number=board.documentation.number)
    gaps = readiness_gaps(
        case, board.documentation, state,
        remarks=remarks if isinstance(remarks, str) else state.remarks,
        ticked={str(t) for t in ticked} if ticked is not None else set(state.checked))
    if gaps and not reason:
        raise NotReady({"reason": (
            "IT-visitationen vil mangle: " + "; ".join(gaps) + ". Ret det, eller skriv, "
            "hvorfor sagen skal videre alligevel.")})
    if state.status not in (StepStatus.DONE, StepStatus.NOT_RELEVANT):
        case_services.step_complete(actor=actor, case_id=case.pk,
                                    number=board.documentation.number, remarks=remarks,
                                    ticked=ticked, version=version)
    return case_put_forward(actor=actor, case_id=case.pk, note=note,
                            gaps=gaps if reason else [], gap_reason=reason)


@transaction.atomic
def case_put_forward(*, actor: User, case_id: int, note: str = "",
                     gaps: list[str] | None = None,
                     gap_reason: str = "") -> Referral:
    """"Kontakt IT-visitationen": the case joins the board's queue for its next round. With
    `gaps` (from `documentation_put_forward`), the coordinator's reason to go on anyway is
    added to the note the board reads, and audited. `note` as `inputs.put_forward_values`
    checked it."""
    case = case_services.lock_visible_case(actor, case_id)
    permissions.require(put_forward_refusal(actor, case))
    if gaps:
        note = (f"{note}\n\n" if note else "") + (
            f"Sendt videre trods mangler ({'; '.join(gaps)}). Begrundelse: {gap_reason}")
    states = {s.number: s for s in StepState.objects.filter(case=case)}
    board = board_steps(model_for(case))
    if refusal := ready_refusal(case, states, board):
        raise InvalidTransition(refusal)
    assert board is not None  # ready_refusal refuses a model without the board's steps
    if pending_referral(case.pk) is not None:
        raise InvalidTransition("Sagen venter allerede på et møde i IT-visitationen.")
    rounds = Decision.objects.filter(case=case, step=board.decision.number).count()
    documentation = states[board.documentation.number] if board.documentation else None
    referral = Referral.objects.create(
        organisation_id=case.organisation_id, case=case, round=rounds + 1, note=note,
        put_forward_by=actor, put_forward_at=timezone.now(),
        documentation_done_at=documentation.completed_at if documentation else None,
    )
    after: dict[str, Any] = {"round": referral.round, "note": note}
    if gaps:
        after.update(gaps=gaps, reason=gap_reason)
    _audit(actor, "meeting.case_put_forward", referral.pk, None, after,
           case_id=case.pk)
    emit(CaseEvent("meeting.case_put_forward", case, actor,
                   board.documentation.number if board.documentation else None,
                   {"referral_id": referral.pk, "round": referral.round}))
    return referral


# --- scheduling --------------------------------------------------------------------------------


def _participants(actor: User, usernames: list[str]) -> list[User]:
    """The participants named: active people of the municipality (the rule that needs the
    database; their shape was checked where they entered)."""
    people = list(User.objects.filter(organisation_id=actor.municipality_id, is_active=True,
                                      username__in=usernames))
    unknown = sorted(set(usernames) - {p.username for p in people})
    if unknown:
        raise ValidationFailed({"participants": f"Findes ikke i din kommune: {', '.join(unknown)}."})
    return people


@transaction.atomic
def meeting_schedule(*, actor: User, data: ScheduleValues) -> list[Meeting]:
    """Plan one meeting, or a series every `repeat_weeks` weeks (`count` meetings), with the
    values `inputs.schedule_values` checked."""
    _require_board(actor)
    clean = data
    participants = _participants(actor, data["participants"])
    series = str(uuid.uuid4()) if clean["count"] > 1 else ""
    meetings = []
    for n in range(clean["count"]):
        # Add weeks in local time, so a series keeps its hour across summer time.
        local = timezone.localtime(clean["starts_at"])
        starts = timezone.make_aware(local.replace(tzinfo=None)
                                     + timedelta(weeks=n * clean["repeat_weeks"]))
        meeting = Meeting.objects.create(
            organisation_id=actor.municipality_id, title=clean["title"], starts_at=starts,
            ends_at=starts + clean["duration"], place=clean["place"],
            online_link=clean["online_link"], series=series,
            recurrence_weeks=clean["repeat_weeks"] or None, created_by=actor,
        )
        meeting.participants.set(participants)
        _audit(actor, "meeting.scheduled", meeting.pk, None,
               {**meeting_fields(meeting),
                "participants": sorted(p.username for p in participants)})
        meetings.append(meeting)
    return meetings


# --- agenda ------------------------------------------------------------------------------------


CLOSING_TITLES = ("eventuelt", "evt.", "evt")


def _next_order(meeting: Meeting) -> int:
    """Where a new item goes: last, or just before "Eventuelt" when the agenda ends with it
    (which then moves one down)."""
    last = meeting.items.select_for_update().order_by("-order", "-id").first()
    if last is None:
        return 1
    if last.case_id is None and last.title.strip().lower() in CLOSING_TITLES:
        position = last.order
        last.order += 1
        last.save(update_fields=["order"])
        return position
    return last.order + 1


@transaction.atomic
def agenda_add_case(*, actor: User, meeting_id: int, referral_id: int | None
                    ) -> AgendaItem:
    """Take a waiting case from the queue onto a planned meeting's agenda."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.PLANNED, doing="ændre dagsordenen")
    referral = (Referral.objects.select_for_update().select_related("case")
                .filter(organisation_id=actor.municipality_id,
                        pk=_pk(referral_id, "Sagen står ikke i køen.")).first())
    if referral is None or referral.status != ReferralStatus.WAITING:
        raise ValidationFailed({"referral": "Vælg en sag, der venter på et møde."})
    item = AgendaItem.objects.create(meeting=meeting, order=_next_order(meeting),
                                     case=referral.case, referral=referral,
                                     title=f"{referral.case.number} {referral.case.title}"[:200])
    referral.status = ReferralStatus.ON_AGENDA
    referral.save(update_fields=["status"])
    _touch(meeting)
    _audit(actor, "meeting.item_added", item.pk, None,
           {"meeting": meeting.pk, "order": item.order, "title": item.title,
            "round": referral.round}, case_id=referral.case_id)
    return item


@transaction.atomic
def agenda_add_other(*, actor: User, meeting_id: int, title: str, notes: str = ""
                     ) -> AgendaItem:
    """An item that is not a case: orientation, eventuelt, ... (`title` and `notes` as
    `inputs.agenda_item_values` checked them)."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.PLANNED, doing="ændre dagsordenen")
    item = AgendaItem.objects.create(meeting=meeting, order=_next_order(meeting), title=title,
                                     notes=notes)
    _touch(meeting)
    _audit(actor, "meeting.item_added", item.pk, None,
           {"meeting": meeting.pk, "order": item.order, "title": title, "notes": notes})
    return item


@transaction.atomic
def agenda_move(*, actor: User, item_id: int | None, direction: str) -> AgendaItem:
    """Swap an item with its neighbour ("up" or "down", as `inputs.direction_value` checked
    it): the board orders the agenda."""
    meeting, item = _lock_item(actor, item_id)
    _require_board(actor)
    # The order may change until the minutes are approved (the board may take items in
    # another order at the meeting); the minutes follow the agenda's order.
    _ensure_state(meeting, *OPEN_FOR_WORK, doing="ændre rækkefølgen")
    items = list(meeting.items.select_for_update().order_by("order", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return item
    items[index], items[other] = items[other], items[index]
    before = {"order": item.order}
    for position, it in enumerate(items, start=1):
        if it.order != position:
            it.order = position
            it.save(update_fields=["order"])
    item.refresh_from_db()
    _touch(meeting)
    _audit(actor, "meeting.item_moved", item.pk, before, {"order": item.order},
           case_id=item.case_id)
    return item


@transaction.atomic
def agenda_remove(*, actor: User, item_id: int | None) -> None:
    """Take an item off a planned agenda; a case goes back to the queue."""
    meeting, item = _lock_item(actor, item_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.PLANNED, doing="ændre dagsordenen")
    before = {"meeting": meeting.pk, "order": item.order, "title": item.title}
    if item.referral_id:
        Referral.objects.filter(pk=item.referral_id).update(status=ReferralStatus.WAITING)
    pk, case_id = item.pk, item.case_id
    item.questions.all().delete()
    item.delete()
    for position, it in enumerate(meeting.items.order_by("order", "id"), start=1):
        if it.order != position:
            AgendaItem.objects.filter(pk=it.pk).update(order=position)
    _touch(meeting)
    _audit(actor, "meeting.item_removed", pk, before, None, case_id=case_id)


@transaction.atomic
def meeting_publish(*, actor: User, meeting_id: int) -> Meeting:
    """Publish the agenda: participants and each case's coordinator are told (by event)."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.PLANNED, doing="udsende dagsordenen")
    items = list(meeting.items.select_related("case"))
    if not items:
        raise InvalidTransition("Dagsordenen er tom. Tilføj mindst ét punkt, før den udsendes.")
    meeting.state = MeetingState.AGENDA_PUBLISHED
    _touch(meeting)
    _audit(actor, "meeting.agenda_published", meeting.pk,
           {"state": MeetingState.PLANNED},
           {"state": meeting.state, "items": [i.title for i in items]})
    participant_ids = sorted(meeting.participants.values_list("pk", flat=True))
    for item in items:
        board = board_steps(model_for(item.case)) if item.case is not None else None
        if item.case is not None and board is not None:
            emit(CaseEvent("meeting.agenda_published", item.case, actor, board.review.number, {
                "meeting_id": meeting.pk, "participant_ids": participant_ids,
                "title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
            }))
    return meeting


# --- in the meeting ----------------------------------------------------------------------------

OPEN_FOR_WORK = (MeetingState.PLANNED, MeetingState.AGENDA_PUBLISHED, MeetingState.HELD)


@transaction.atomic
def item_update(*, actor: User, item_id: int | None, notes: str | None = None,
                supplier_meeting_needed: bool | None = None, notes_base: str | None = None
                ) -> AgendaItem:
    """The item's notes and flag as `inputs.notes_values` checked them (None: unchanged)."""
    meeting, item = _lock_item(actor, item_id)
    _require_board(actor)
    _ensure_state(meeting, *OPEN_FOR_WORK, doing="ændre punktet")
    _ensure_notes_unchanged(item, notes_base)
    _save_item_notes(actor, item, notes, supplier_meeting_needed)
    return item


def _changed_since(base: str | None, current: str) -> bool:
    """The version check for texts without a version of their own (an item's notes, an answer,
    the draft minutes): the form carries the text it was rendered with (None: no check)."""
    return base is not None and str(base).replace("\r\n", "\n").strip() != current.strip()


def _ensure_notes_unchanged(item: AgendaItem, notes_base: str | None) -> None:
    """Notes changed since the page was rendered are not overwritten."""
    if _changed_since(notes_base, item.notes):
        raise Conflict("Noterne til punktet er blevet ændret af en anden i mellemtiden. De "
                       "nyeste noter står over formularen; dine egne står stadig i feltet.")


def _save_item_notes(actor: User, item: AgendaItem, notes: str | None,
                     supplier_meeting_needed: bool | None) -> None:
    """The item's notes and the supplier-meeting flag (None: unchanged), audited if changed."""
    before = {"notes": item.notes, "supplier_meeting_needed": item.supplier_meeting_needed}
    if notes is not None:
        item.notes = notes
    if supplier_meeting_needed is not None:
        item.supplier_meeting_needed = supplier_meeting_needed
    after = {"notes": item.notes, "supplier_meeting_needed": item.supplier_meeting_needed}
    if after != before:
        item.save()
        _audit(actor, "meeting.item_updated", item.pk, before, after,
               case_id=item.case_id)


@transaction.atomic
def question_ask(*, actor: User, item_id: int | None, addressed_to: str, text: str
                 ) -> Question:
    """A supplementary question to the coordinator or the supplier, tracked until answered
    (`addressed_to` and `text` as `inputs.question_values` checked them)."""
    meeting, item = _lock_item(actor, item_id)
    _require_board(actor)
    _ensure_state(meeting, *OPEN_FOR_WORK, doing="stille spørgsmål")
    question = Question.objects.create(item=item, addressed_to=addressed_to, text=text,
                                       asked_by=actor, asked_at=timezone.now())
    _audit(actor, "meeting.question_asked", question.pk, None,
           {"item": item.pk, "addressed_to": addressed_to, "text": text}, case_id=item.case_id)
    return question


@transaction.atomic
def question_answer(*, actor: User, question_id: int | None, answer: str,
                    answer_base: str | None = None) -> Question:
    """Record the answer (the board, or the case's coordinator for their own case), as
    `inputs.answer_value` checked it.

    `answer_base` is the answer as the client last read it ("" while unanswered): an answer
    given or changed by someone else since is not overwritten."""
    message = "Spørgsmålet findes ikke, eller du har ikke adgang til det."
    question = (Question.objects.select_related("item__case", "item__meeting")
                .filter(item__meeting__organisation_id=actor.municipality_id,
                        pk=_pk(question_id, message)).first())
    if question is None:
        raise NotFound(message)
    meeting = _lock_meeting(actor, question.item.meeting_id)
    permissions.require(answer_refusal(actor, question.item.case))
    if meeting.is_locked:
        raise InvalidTransition("Referatet er godkendt; mødet kan ikke længere ændres.")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if _changed_since(answer_base, question.answer):
        raise Conflict("Spørgsmålet er blevet besvaret af en anden i mellemtiden. Det nyeste "
                       "svar står over feltet; dit eget svar står stadig i feltet.")
    before = {"status": question.status, "answer": question.answer}
    question.answer, question.status = answer, QuestionStatus.ANSWERED
    question.answered_at = timezone.now()
    question.save()
    _audit(actor, "meeting.question_answered", question.pk, before,
           {"status": question.status, "answer": answer}, case_id=question.item.case_id)
    return question


@transaction.atomic
def outcome_record(*, actor: User, item_id: int | None, outcome: str,
                   rationale: str | None, recommendations: str | None = None,
                   it_contacts: str | list[str] | None = None,
                   missing_documentation: str | list[str] | None = None,
                   notes: str | None = None, supplier_meeting_needed: bool | None = None,
                   notes_base: str | None = None) -> Decision:
    """Record the board's outcome for a case on the agenda.

    Completes the case's review step (unless done) and records the decision at the board's
    gate, both through the cases services, in this one transaction: if the decision is
    refused, the review step is not completed either. The item's notes (and the supplier
    flag), when given, are saved in the same transaction: the meeting's page sends them with
    the outcome, so notes typed during the meeting are never lost to "Registrér udfald".
    The outcome as `inputs.outcome_value` checked it, the notes as `inputs.notes_values`;
    the decision's fields are held to its rules by `cases.services.decision_record`.
    """
    meeting, item = _lock_item(actor, item_id)
    _require_board(actor)
    if item.case_id is None:
        raise ValidationFailed({"item": "Punktet er ikke en sag; der er intet udfald at "
                                        "registrere."})
    _ensure_state(meeting, MeetingState.AGENDA_PUBLISHED, MeetingState.HELD,
                  doing="registrere udfald")
    if timezone.now() < meeting.starts_at:
        raise InvalidTransition(
            f"Mødet begynder først {timezone.localtime(meeting.starts_at):%d.%m.%Y kl. %H:%M}; "
            "et udfald kan registreres fra mødets start.")
    if item.decision_id is not None:
        raise InvalidTransition("Udfaldet for punktet er allerede registreret.")
    _ensure_notes_unchanged(item, notes_base)
    board = board_steps(model_for(item.case))
    if board is None:
        raise InvalidTransition(NO_BOARD_STEPS)
    review = StepState.objects.get(case_id=item.case_id, number=board.review.number)
    if review.status not in (StepStatus.DONE, StepStatus.NOT_RELEVANT):
        remarks = review.remarks or f"Behandlet på mødet {timezone.localtime(meeting.starts_at):%d.%m.%Y}."
        case_services.step_complete(actor=actor, case_id=item.case_id, number=board.review.number,
                                    remarks=remarks)
    decision = case_services.decision_record(
        actor=actor, case_id=item.case_id, step=board.decision.number, outcome=outcome,
        rationale=rationale, recommendations=recommendations, it_contacts=it_contacts,
        missing_documentation=missing_documentation)
    _save_item_notes(actor, item, notes, supplier_meeting_needed)
    item.decision = decision
    item.save(update_fields=["decision"])
    if item.referral_id:
        Referral.objects.filter(pk=item.referral_id).update(status=ReferralStatus.TREATED)
    _audit(actor, "meeting.outcome_recorded", item.pk, None,
           {"meeting": meeting.pk, "decision": decision.pk, "outcome": outcome,
            "round": decision.round}, case_id=item.case_id)
    return decision


@transaction.atomic
def meeting_hold(*, actor: User, meeting_id: int) -> Meeting:
    """The meeting has taken place; outcomes may still be filled in until minutes are approved."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.AGENDA_PUBLISHED, doing="markere mødet som afholdt")
    meeting.state = MeetingState.HELD
    _touch(meeting)
    _audit(actor, "meeting.held", meeting.pk,
           {"state": MeetingState.AGENDA_PUBLISHED}, {"state": meeting.state})
    return meeting


# --- minutes -----------------------------------------------------------------------------------


def _latest(meeting: Meeting) -> MinutesRevision | None:
    return meeting.minutes.select_for_update().order_by("-number").first()


@transaction.atomic
def minutes_generate(*, actor: User, meeting_id: int) -> MinutesRevision:
    """Write (or rewrite) the draft minutes from the meeting as it stands."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.HELD, doing="skrive referat")
    snapshot = minutes_text.snapshot_of(meeting)
    text = minutes_text.render_text(snapshot)
    draft = _latest(meeting)
    if draft is not None and not draft.approved:
        before = {"number": draft.number, "text": draft.text}
        draft.text, draft.snapshot, draft.author = text, snapshot, actor
        draft.created_at = timezone.now()
        draft.save()
    else:
        before = None
        draft = MinutesRevision.objects.create(
            meeting=meeting, number=(draft.number + 1) if draft else 1, text=text,
            snapshot=snapshot, author=actor, created_at=timezone.now())
    _audit(actor, "meeting.minutes_generated", draft.pk, before,
           {"number": draft.number, "text": draft.text})
    return draft


@transaction.atomic
def minutes_edit(*, actor: User, meeting_id: int, text: str,
                 text_base: str | None = None) -> MinutesRevision:
    """Edit the draft's text (as `inputs.minutes_value` checked it) before approval;
    `text_base` is the draft as the client last read it: a draft changed (edited or generated
    again) since is not overwritten."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.HELD, doing="rette referatkladden")
    draft = _latest(meeting)
    if draft is None or draft.approved:
        raise InvalidTransition("Der er ingen referatkladde. Dan referatet først.")
    if _changed_since(text_base, draft.text):
        raise Conflict("Referatkladden er blevet ændret i mellemtiden. Den nyeste kladde står "
                       "over feltet; din egen tekst står stadig i feltet.")
    before = {"text": draft.text}
    draft.text, draft.author = text, actor
    draft.save(update_fields=["text", "author"])
    _audit(actor, "meeting.minutes_edited", draft.pk, before, {"text": text})
    return draft


@transaction.atomic
def minutes_approve(*, actor: User, meeting_id: int) -> MinutesRevision:
    """Approve the draft: the minutes and the meeting are locked from now on."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.HELD, doing="godkende referatet")
    draft = _latest(meeting)
    if draft is None or draft.approved:
        raise InvalidTransition("Der er ingen referatkladde at godkende. Dan referatet først.")
    draft.approved, draft.approved_by, draft.approved_at = True, actor, timezone.now()
    draft.save(update_fields=["approved", "approved_by", "approved_at"])
    meeting.state = MeetingState.MINUTES_APPROVED
    _touch(meeting)
    _audit(actor, "meeting.minutes_approved", draft.pk,
           {"state": MeetingState.HELD, "approved": False},
           {"state": meeting.state, "approved": True, "number": draft.number})
    return draft


@transaction.atomic
def minutes_correct(*, actor: User, meeting_id: int, text: str, reason: str,
                    revision_base: int | None = None) -> MinutesRevision:
    """A correction after approval (`text` and `reason` as `inputs.correction_values` checked
    them): a new, approved revision; the earlier one stays readable.
    `revision_base` is the revision the correction was written from: a later correction by
    someone else is not silently replaced."""
    meeting = _lock_meeting(actor, meeting_id)
    _require_board(actor)
    _ensure_state(meeting, MeetingState.MINUTES_APPROVED,
                  doing="rette et godkendt referat")
    latest = _latest(meeting)
    assert latest is not None
    if revision_base is not None and revision_base != latest.number:
        raise Conflict(f"Referatet er rettet af en anden i mellemtiden (nu version "
                       f"{latest.number}). Den nyeste tekst står over feltet; din egen står "
                       "stadig i feltet.")
    if text == latest.text:
        raise ValidationFailed({"text": "Rettelsen ændrer ikke referatet."})
    now = timezone.now()
    revision = MinutesRevision.objects.create(
        meeting=meeting, number=latest.number + 1, text=text, snapshot=latest.snapshot,
        reason=reason, author=actor, created_at=now, approved=True, approved_by=actor,
        approved_at=now)
    _audit(actor, "meeting.minutes_corrected", revision.pk,
           {"number": latest.number, "text": latest.text},
           {"number": revision.number, "text": text, "reason": reason})
    return revision
