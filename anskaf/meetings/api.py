"""API v1 for IT-visitation meetings: meetings, agenda items, questions, outcomes, minutes.

Mounted in anskaf/api/urls.py. The same services as the web pages (same permissions); errors
are the API's `{"error", "message"}` bodies through its exception handlers. Checks run in the
API's order: 401, 404 (the meeting or case), 403 (the board's role), 400 (the body: its
types here, its fields' rules in `inputs`, which the pages call too), 409.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, cast

from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.cases import permissions
from anskaf.cases.errors import NotFound
from anskaf.cases.schemas import DECISION_FIELD_HINTS, OutcomeLiteral
from anskaf.http import params
from anskaf.http.schemas import Body, ErrorOut
from anskaf.orgs.request_types import ApiRequest

from . import inputs, selectors, services
from .inputs import ScheduleData, schedule_values
from .models import AgendaItem, Meeting
from .permissions import answer_refusal, board_refusal, put_forward_refusal

router = Router(tags=["meetings"])


class MeetingIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("title", "starts_at")
    title: str | None = Field(None, description="The meeting's title.")
    starts_at: str | None = Field(None, description="ISO 8601 date and time; local time if "
                                                    "no offset is given.")
    duration_minutes: int | None = Field(None, description="15-600 minutes (default 60).")
    place: str | None = Field(None, description="Where (a place or an online link is needed).")
    online_link: str | None = Field(None, description="https:// link to the online meeting.")
    participants: list[str] | None = Field(None, description="Usernames of the participants.")
    repeat_weeks: int | None = Field(None, description="Repeat every N weeks (with `count`).")
    count: int | None = Field(None, description="How many meetings in the series (1-26).")


class ItemIn(Body):
    body_optional: ClassVar[bool] = True
    referral_id: int | None = Field(None, description="A waiting case from the queue "
                                                      "(GET /board/queue), or:")
    title: str | None = Field(None, description="An other item's heading.")
    notes: str | None = None


class MoveIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("direction",)
    direction: Literal["up", "down"] | None = None


class QuestionIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("addressed_to", "text")
    addressed_to: Literal["coordinator", "supplier"] | None = None
    text: str | None = None


class AnswerIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("answer",)
    answer: str | None = None
    answer_base: str | None = Field(None, description="The answer as the client last read it "
                                                       "(\"\" while unanswered): refused (409) if "
                                                       "it changed since.")


class OutcomeIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("outcome", "rationale")
    field_hints: ClassVar[dict[str, str]] = DECISION_FIELD_HINTS
    outcome: OutcomeLiteral | None = Field(None, description="yes = Ja, maybe = Måske, no = Nej.")
    rationale: str | None = Field(None, description="The rationale (Nej: the explanation).")
    recommendations: str | None = Field(None, description="Ja: recommendations.")
    it_contacts: list[str] | None = Field(None, description="Ja: IT contact person(s).")
    missing_documentation: list[str] | None = Field(
        None, description="Måske (required): missing documentation; becomes open checklist "
                          "items on the step the gate's Måske reopens first.")
    notes: str | None = Field(None, description="The item's notes from the meeting, saved with "
                                                "the outcome (one transaction).")
    supplier_meeting_needed: bool | None = Field(None, description="A meeting with the supplier "
                                                               "is needed.")
    notes_base: str | None = Field(None, description="The notes as the client last read them: "
                                                     "refused (409) if they changed since.")


class ItemUpdateIn(Body):
    body_optional: ClassVar[bool] = True
    notes: str | None = Field(None, description="The item's notes.")
    supplier_meeting_needed: bool | None = Field(None, description="A meeting with the "
                                                                   "supplier is needed.")


class MinutesDraftIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("text",)
    text: str | None = Field(None, description="The draft's text (before approval).")
    text_base: str | None = Field(None, description="The draft as the client last read it: "
                                                    "refused (409) if it changed since.")


class MinutesCorrectIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("text", "reason")
    text: str | None = None
    reason: str | None = None
    revision_base: int | None = Field(None, ge=1, description="The revision the correction "
                                                             "was written from: refused (409) "
                                                             "if a later one exists.")


class PutForwardIn(Body):
    body_optional: ClassVar[bool] = True
    note: str | None = Field(None, description="A note to the board.")


class DocumentationForwardIn(Body):
    body_optional: ClassVar[bool] = True
    remarks: str | None = Field(None, description="The documentation step's remarks to save "
                                                  "with its completion (else the saved ones).")
    checked: list[str] | None = Field(None, description="The ids of the step's ticked checklist "
                                                        "items (else the saved ones).")
    version: int | None = Field(None, description="The step's version the client read.")
    reason: str | None = Field(None, description="Why the case goes forward although the board "
                                                 "will miss something (required then).")
    note: str | None = Field(None, description="A note to the board.")


class MeetingOut(Schema):
    id: int
    title: str
    state: Literal["planned", "agenda_published", "held", "minutes_approved"]  # MeetingState
    starts_at: str
    ends_at: str
    place: str
    online_link: str
    participants: list[str]
    series: str
    items: list[dict[str, Any]] | None = None
    minutes: list[dict[str, Any]] | None = None


class MeetingListOut(Schema):
    items: list[MeetingOut]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _extra(body: type[Body] | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {"responses": {
        400: {"description": "`validation_error`: a malformed body; `fields` names each problem."},
        401: {"description": "`unauthenticated`."},
        403: {"description": "`forbidden`: only the IT-visitation (it_board) may do this."},
        404: {"description": "`not_found`: no such meeting, item or case in your municipality."},
        409: {"description": "`invalid_transition` (wrong meeting state), `case_closed`, "
                             "`gate_not_ready`, `requirement_missing`."},
    }}
    if body is not None:
        schema = body.openapi_schema(ref_template="#/components/schemas/{model}")
        extra["requestBody"] = {"required": not body.body_optional,
                                "content": {"application/json": {"schema": schema}}}
    return extra


def _item_dict(item: AgendaItem) -> dict[str, Any]:
    d = item.decision
    return {
        "id": item.pk, "order": item.order, "title": item.title, "notes": item.notes,
        "case_id": item.case_id, "round": item.referral.round if item.referral else None,
        "supplier_meeting_needed": item.supplier_meeting_needed,
        "questions": [{"id": q.pk, "addressed_to": q.addressed_to, "text": q.text,
                       "answer": q.answer, "status": q.status} for q in item.questions.all()],
        "outcome": None if d is None else {
            "outcome": d.outcome, "round": d.round, "rationale": d.rationale,
            "recommendations": d.recommendations, "it_contacts": d.it_contacts,
            "missing_documentation": d.missing_documentation,
            "decided_at": d.decided_at.isoformat()},
    }


def _meeting_dict(meeting: Meeting, *, full: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": meeting.pk, "title": meeting.title, "state": meeting.state,
        "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(),
        "place": meeting.place, "online_link": meeting.online_link,
        "participants": sorted(meeting.participants.values_list("username", flat=True)),
        "series": meeting.series,
    }
    if full:
        body["items"] = [_item_dict(i) for i in selectors.agenda_items(meeting)]
        body["minutes"] = [{"number": r.number, "text": r.text, "approved": r.approved,
                            "reason": r.reason} for r in meeting.minutes.order_by("number")]
    return body


def _meeting(request: ApiRequest, meeting_id: int) -> Meeting:
    return selectors.meeting_get(viewer=request.auth, meeting_id=meeting_id)


def _board(request: ApiRequest, meeting_id: int) -> Meeting:
    """404, then 403: the meeting must exist for the caller, and only the board may change it."""
    meeting = _meeting(request, meeting_id)
    permissions.require(board_refusal(request.auth))
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound("Dagsordenspunktet findes ikke på mødet.")
    return item


def _full(request: ApiRequest, meeting_id: int) -> dict[str, Any]:
    return _meeting_dict(_meeting(request, meeting_id), full=True)


@router.get("/meetings", response={200: MeetingListOut, **ERRORS}, operation_id="meeting_list",
            summary="The meetings you may see (the board: all; others: those they attend)",
            openapi_extra=_extra())
def meeting_list(request: ApiRequest) -> dict[str, Any]:
    return {"items": [_meeting_dict(m) for m in selectors.meeting_list(viewer=request.auth)]}


@router.post("/meetings", response={201: MeetingListOut, **ERRORS}, operation_id="meeting_schedule",
             summary="Schedule a meeting, or a series every `repeat_weeks` weeks",
             openapi_extra=_extra(MeetingIn))
def meeting_schedule(request: ApiRequest) -> Status:
    permissions.require(board_refusal(request.auth))
    _, data = params.parse_body(request, MeetingIn)
    # the fields sent, of the types MeetingIn checked, held to the meeting's field rules
    meetings = services.meeting_schedule(
        actor=request.auth, data=schedule_values(cast(ScheduleData, data)))
    return Status(201, {"items": [_meeting_dict(m) for m in meetings]})


@router.get("/meetings/{int:meeting_id}", response={200: MeetingOut, **ERRORS},
            operation_id="meeting_get", summary="A meeting with its agenda, outcomes and minutes",
            openapi_extra=_extra())
def meeting_get(request: ApiRequest, meeting_id: int) -> dict[str, Any]:
    return _full(request, meeting_id)


@router.get("/board/queue", response={200: dict[str, Any], **ERRORS}, operation_id="board_queue",
            summary="Cases put forward and waiting for a meeting (the board only)",
            openapi_extra=_extra())
def board_queue(request: ApiRequest) -> dict[str, Any]:
    permissions.require(board_refusal(request.auth))
    return {"items": [{"referral_id": r.pk, "case_id": r.case_id, "case_number": r.case.number,
                       "title": r.case.title, "round": r.round, "note": r.note,
                       "put_forward_at": r.put_forward_at.isoformat()}
                      for r in selectors.board_queue(viewer=request.auth)]}


def _may_put_forward(request: ApiRequest, case_id: int) -> Any:
    """The caller, once the case is visible (else 404) and theirs to put forward (else 403)."""
    actor = request.auth
    from anskaf.cases.selectors import visible_cases

    case = visible_cases(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    permissions.require(put_forward_refusal(actor, case))
    return actor


def _referral_created(referral: Any) -> Status:
    return Status(201, {"referral_id": referral.pk, "round": referral.round, "status": referral.status})


@router.post("/cases/{int:case_id}/put-forward", response={201: dict[str, Any], **ERRORS},
             operation_id="case_put_forward",
             summary="Kontakt IT-visitationen: put the case forward (its coordinator)",
             openapi_extra=_extra(PutForwardIn))
def case_put_forward(request: ApiRequest, case_id: int) -> Status:
    actor = _may_put_forward(request, case_id)
    body, _ = params.parse_body(request, PutForwardIn)
    note, _ = inputs.put_forward_values(body.note)
    return _referral_created(services.case_put_forward(actor=actor, case_id=case_id, note=note))


@router.post("/cases/{int:case_id}/documentation/put-forward",
             response={201: dict[str, Any], **ERRORS}, operation_id="documentation_put_forward",
             summary="Kontakt IT-visitationen from the documentation step: completes it and puts "
                     "the case forward; what the board will miss needs a `reason`",
             openapi_extra=_extra(DocumentationForwardIn))
def documentation_put_forward(request: ApiRequest, case_id: int) -> Status:
    actor = _may_put_forward(request, case_id)
    body, _ = params.parse_body(request, DocumentationForwardIn)
    note, reason = inputs.put_forward_values(body.note, body.reason, note_limit=1500)
    return _referral_created(services.documentation_put_forward(
        actor=actor, case_id=case_id, remarks=body.remarks, ticked=body.checked,
        version=body.version, reason=reason, note=note))


@router.post("/meetings/{int:meeting_id}/items", response={201: MeetingOut, **ERRORS},
             operation_id="agenda_item_add",
             summary="Add a case from the queue (`referral_id`) or an other item (`title`)",
             openapi_extra=_extra(ItemIn))
def agenda_item_add(request: ApiRequest, meeting_id: int) -> Status:
    _board(request, meeting_id)
    body, _ = params.parse_body(request, ItemIn)
    if body.referral_id is not None:
        services.agenda_add_case(actor=request.auth, meeting_id=meeting_id,
                                 referral_id=body.referral_id)
    else:
        title, notes = inputs.agenda_item_values(body.title, body.notes)
        services.agenda_add_other(actor=request.auth, meeting_id=meeting_id, title=title,
                                  notes=notes)
    return Status(201, _full(request, meeting_id))


@router.post("/meetings/{int:meeting_id}/items/{int:item_id}/move",
             response={200: MeetingOut, **ERRORS}, operation_id="agenda_item_move",
             summary="Move an item up or down the agenda", openapi_extra=_extra(MoveIn))
def agenda_item_move(request: ApiRequest, meeting_id: int, item_id: int) -> dict[str, Any]:
    item = _item(_board(request, meeting_id), item_id)
    body, _ = params.parse_body(request, MoveIn, {"direction": "Angiv »up« eller »down«."})
    services.agenda_move(actor=request.auth, item_id=item.pk,
                         direction=inputs.direction_value(body.direction))
    return _full(request, meeting_id)


@router.delete("/meetings/{int:meeting_id}/items/{int:item_id}",
               response={200: MeetingOut, **ERRORS}, operation_id="agenda_item_remove",
               summary="Take an item off a planned agenda (a case returns to the queue)",
               openapi_extra=_extra())
def agenda_item_remove(request: ApiRequest, meeting_id: int, item_id: int) -> dict[str, Any]:
    item = _item(_board(request, meeting_id), item_id)
    services.agenda_remove(actor=request.auth, item_id=item.pk)
    return _full(request, meeting_id)


def _state_action(name: str, summary: str, call: Any) -> None:
    @router.post(f"/meetings/{{int:meeting_id}}/{name}", response={200: MeetingOut, **ERRORS},
                 operation_id=f"meeting_{name.replace('-', '_')}", summary=summary,
                 openapi_extra=_extra())
    def action(request: ApiRequest, meeting_id: int) -> dict[str, Any]:
        _board(request, meeting_id)
        call(actor=request.auth, meeting_id=meeting_id)
        return _full(request, meeting_id)


_state_action("publish", "Publish the agenda (participants and coordinators are notified)",
              services.meeting_publish)
_state_action("hold", "Mark the meeting as held", services.meeting_hold)
_state_action("minutes", "Generate (or regenerate) the draft minutes", services.minutes_generate)
_state_action("minutes-approve", "Approve the minutes: the meeting is locked",
              services.minutes_approve)


@router.post("/meetings/{int:meeting_id}/minutes-correct", response={200: MeetingOut, **ERRORS},
             operation_id="meeting_minutes_correct",
             summary="Correct approved minutes: a new, audited revision",
             openapi_extra=_extra(MinutesCorrectIn))
def minutes_correct(request: ApiRequest, meeting_id: int) -> dict[str, Any]:
    _board(request, meeting_id)
    body, _ = params.parse_body(request, MinutesCorrectIn)
    text, reason = inputs.correction_values(body.text, body.reason)
    services.minutes_correct(actor=request.auth, meeting_id=meeting_id, text=text,
                             reason=reason, revision_base=body.revision_base)
    return _full(request, meeting_id)


@router.patch("/meetings/{int:meeting_id}/items/{int:item_id}",
              response={200: MeetingOut, **ERRORS}, operation_id="agenda_item_update",
              summary="Edit an agenda item's notes and whether a supplier meeting is needed",
              openapi_extra=_extra(ItemUpdateIn))
def agenda_item_update(request: ApiRequest, meeting_id: int, item_id: int) -> dict[str, Any]:
    item = _item(_board(request, meeting_id), item_id)
    body, _ = params.parse_body(request, ItemUpdateIn)
    notes, flag = inputs.notes_values(body.notes, body.supplier_meeting_needed)
    services.item_update(actor=request.auth, item_id=item.pk, notes=notes,
                         supplier_meeting_needed=flag)
    return _full(request, meeting_id)


@router.put("/meetings/{int:meeting_id}/minutes-draft",
            response={200: MeetingOut, **ERRORS}, operation_id="meeting_minutes_edit",
            summary="Edit the minutes' draft before it is approved",
            openapi_extra=_extra(MinutesDraftIn))
def minutes_edit(request: ApiRequest, meeting_id: int) -> dict[str, Any]:
    _board(request, meeting_id)
    body, _ = params.parse_body(request, MinutesDraftIn)
    services.minutes_edit(actor=request.auth, meeting_id=meeting_id,
                          text=inputs.minutes_value(body.text), text_base=body.text_base)
    return _full(request, meeting_id)


@router.post("/meetings/{int:meeting_id}/items/{int:item_id}/questions",
             response={201: MeetingOut, **ERRORS}, operation_id="question_ask",
             summary="Ask a supplementary question (to the coordinator or the supplier)",
             openapi_extra=_extra(QuestionIn))
def question_ask(request: ApiRequest, meeting_id: int, item_id: int) -> Status:
    item = _item(_board(request, meeting_id), item_id)
    body, _ = params.parse_body(request, QuestionIn)
    addressed_to, text = inputs.question_values(body.addressed_to, body.text)
    services.question_ask(actor=request.auth, item_id=item.pk, addressed_to=addressed_to,
                          text=text)
    return Status(201, _full(request, meeting_id))


@router.post("/meetings/{int:meeting_id}/questions/{int:question_id}/answer",
             response={200: MeetingOut, **ERRORS}, operation_id="question_answer",
             summary="Answer a question (the board, or the case's coordinator)",
             openapi_extra=_extra(AnswerIn))
def question_answer(request: ApiRequest, meeting_id: int, question_id: int) -> dict[str, Any]:
    meeting = Meeting.objects.filter(organisation_id=request.auth.municipality_id,
                                     pk=meeting_id).first()
    question = selectors.meeting_question(meeting, question_id) if meeting else None
    if meeting is None or question is None:
        raise NotFound("Spørgsmålet findes ikke på mødet.")
    permissions.require(answer_refusal(request.auth, question.item.case))
    body, _ = params.parse_body(request, AnswerIn)
    services.question_answer(actor=request.auth, question_id=question_id,
                             answer=inputs.answer_value(body.answer),
                             answer_base=body.answer_base)
    return _meeting_dict(meeting, full=True)


@router.post("/meetings/{int:meeting_id}/items/{int:item_id}/outcome",
             response={200: MeetingOut, **ERRORS}, operation_id="outcome_record",
             summary="Record the outcome: completes the board's review step and decides its gate",
             openapi_extra=_extra(OutcomeIn))
def outcome_record(request: ApiRequest, meeting_id: int, item_id: int) -> dict[str, Any]:
    item = _item(_board(request, meeting_id), item_id)
    body, _ = params.parse_body(request, OutcomeIn)
    outcome = inputs.outcome_value(body.outcome, body.missing_documentation)
    notes, flag = inputs.notes_values(body.notes, body.supplier_meeting_needed)
    services.outcome_record(actor=request.auth, item_id=item.pk, outcome=outcome,
                            rationale=body.rationale, recommendations=body.recommendations,
                            it_contacts=body.it_contacts,
                            missing_documentation=body.missing_documentation,
                            notes=notes, supplier_meeting_needed=flag,
                            notes_base=body.notes_base)
    return _full(request, meeting_id)
