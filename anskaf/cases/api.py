"""The cases' API router (mounted by the API shell, anskaf/api/urls.py): parse, call one
service or selector, serialise.

Checks run in the order the contract fixes: 401 (auth, before the view), 404 (the case, and
the step in the path), 403, 400 (the body is read only after the case is found), 409 (the
services' refusals). Every action answers with the updated case.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, cast

from django.db import transaction
from django.db.models import prefetch_related_objects
from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError
from anskaf.http.schemas import Body, ErrorOut
from anskaf.orgs.models import User
from anskaf.orgs.request_types import ApiRequest
from anskaf.process.loader import load_default

from . import permissions, saved_filters, selectors, serializers, services
from .choices import CaseStatus
from .errors import NotFound, ReferenceRefused, ValidationFailed
from .inputs import REQUIRED_TEXT, CaseData, case_values
from .models import Case
from .process_models import current_model, model_for, models_for
from .schemas import (
    FIELD_HINTS,
    CaseAfterDecisionOut,
    CaseCreateIn,
    CaseListOut,
    CaseOut,
    CaseUpdateIn,
    DecisionIn,
    EventListOut,
    HandoverIn,
    ReasonIn,
    RequirementIn,
    SavedFilterIn,
    StepCompleteIn,
    StepUpdateIn,
    WithdrawIn,
)

router = Router()

SCHEMA_REF = "#/components/schemas/{model}"


# Which error codes each status stands for, per kind of operation (for the OpenAPI document).
E401 = "`unauthenticated`: no session and no valid `Authorization: Bearer` token."
E403 = ("`forbidden`: your user belongs to no municipality, or a session request with an "
        "unsafe method lacks the CSRF token.")
E404 = "`not_found`: no such case (or step) in your municipality."
E400 = ("`validation_error`: malformed JSON, an unknown field, a wrong type or a missing "
        "required value; `fields` names each problem.")
E404_PAGE = "`not_found`: `cursor` names no page (follow `next`, or start again without it)."
E409_REF = ("`invalid_reference`: a well-formed value naming no unit, person, step or gate of "
            "yours (`fields` says which).")
E409_STEP = ("`step_not_open`, `gate_not_ready`, `contract_before_dpa`, `requirement_missing`, "
             "`conflict` (stale `version`), `case_closed`, `invalid_transition`, "
             "`outcome_not_allowed`. " + E409_REF)
E409_CASE = "`conflict` (stale `version`), `case_closed`, `invalid_transition`. " + E409_REF
E500 = "`server_error`: an unexpected error; quote the X-Request-ID header when reporting it."


def _responses(ok: tuple[int, Any], errors: dict[int, str]) -> dict[int, Any]:
    return {ok[0]: ok[1], **{code: ErrorOut for code in errors}}


def _extra(errors: dict[int, str], body: type[Body] | None = None, *,
           query: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """openapi_extra: the request body (read by hand in the view), query parameters and
    what each error status means for this operation."""
    extra: dict[str, Any] = {
        "responses": {code: {"description": text} for code, text in errors.items()},
    }
    if body is not None:
        extra["requestBody"] = {"required": not body.body_optional, "content": {"application/json": {
            "schema": {"$ref": SCHEMA_REF.format(model=body.__name__)}}}}
    if query:
        extra["parameters"] = [{"in": "query", "required": False, **p} for p in query]
    return extra


def _errors(*, e400: str | None = E400, e404: bool = True, e409: str | None = None
            ) -> dict[int, str]:
    errors = {401: E401, 403: E403, 500: E500}
    if e400:
        errors[400] = e400
    if e404:
        errors[404] = E404
    if e409:
        errors[409] = e409
    return dict(sorted(errors.items()))


LIMIT_PARAM = {"name": "limit", "schema": {"type": "integer", "minimum": 1, "default": 50},
               "allowEmptyValue": False,
               "description": "Page size, 1-200 (default 50); larger values are capped at 200."}
CURSOR_PARAM = {"name": "cursor", "schema": {"type": "string"},
                "description": "Opaque; follow the `next` path of the previous page."}


# --- helpers -----------------------------------------------------------------------------------


def _actor(request: ApiRequest) -> User:
    return request.auth


def _member(request: ApiRequest) -> User:
    """The caller, who must belong to an organisation (403 otherwise)."""
    user = _actor(request)
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", MESSAGES["no_organisation"])
    return user


def _visible_case(request: ApiRequest, case_id: int, number: int | None = None,
                  may: str | None = None) -> Case:
    """404 unless the caller may see the case (and its model has the step); then 403 unless
    the caller may do `may` ("edit", "work", "complete", "not_relevant") - all before the body is read."""
    user = _actor(request)
    case = selectors.visible_cases(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    model = model_for(case)
    if number is not None and not model.has_step(number):
        raise NotFound(f"Trin {number} findes ikke i sagens model.")
    if may == "edit":
        permissions.require(permissions.edit_refusal(user, case))
    elif may in ("work", "complete", "not_relevant") and number is not None:
        step = model.step(number)
        assignee = case.step_states.filter(number=number).values_list(
            "assignee_id", flat=True).first()
        check = {"complete": permissions.complete_refusal,
                 "not_relevant": permissions.not_relevant_refusal}.get(
                     may, permissions.work_refusal)
        permissions.require(check(user, case, model, step, assignee))
    return case


def _case_body(request: ApiRequest, case_id: Any) -> dict[str, Any]:
    return serializers.case_dict(selectors.case_detail(viewer=_actor(request), case_id=case_id))


# --- cases -------------------------------------------------------------------------------------


LIST_ERRORS = _errors(e400="`validation_error`: a bad filter, `limit` or `cursor`.", e404=False)
LIST_ERRORS[404] = E404_PAGE
LIST_ERRORS = dict(sorted(LIST_ERRORS.items()))
# The default model's phases: the document is the same for every municipality (a model with
# more phases is answered all the same, within its own phases).
PHASE_MAX = max(load_default().phase_numbers)


@router.get("/cases", response=_responses((200, CaseListOut), LIST_ERRORS),
            operation_id="case_list", tags=["cases"],
            summary="List the organisation's cases, most recently changed first",
            openapi_extra=_extra(LIST_ERRORS, query=(
                {"name": "status", "schema": {"type": "string", "enum": CaseStatus.values}},
                {"name": "phase", "schema": {"type": "integer", "minimum": 1,
                                             "maximum": PHASE_MAX},
                 "description": "A phase number of the municipality's process model."},
                {"name": "unit", "schema": {"type": "integer", "minimum": 1,
                                            "maximum": 2**63 - 1},
                 "description": "The requesting unit's id."},
                {"name": "q", "schema": {"type": "string"},
                 "description": "Search in number and title, case-insensitive."},
                {"name": "without_coordinator", "schema": {"type": "boolean"},
                 "description": "Only cases whose coordinator is deactivated (\"uden "
                                "koordinator\") and must be handed over."},
                {"name": "sort", "schema": {"type": "string", "enum": [
                    f"{d}{k}" for k in selectors.SORTS for d in ("", "-")]},
                 "description": "Sort by number, title, updated or moved (the case's last "
                                "completed step); `-` first for descending. Default `-updated` "
                                "(keyset pages); other sorts page by an offset cursor."},
                {"name": "mine", "schema": {"type": "boolean"},
                 "description": "Only \"Mine sager\": cases you coordinate or have a step "
                                "assigned on."},
                LIMIT_PARAM, CURSOR_PARAM)))
def case_list(request: ApiRequest) -> dict[str, Any]:
    user = _member(request)
    params.check_query_text(request)
    filters = selectors.parse_filters(request.GET,
                                      current_model(user.municipality_id).phase_numbers)
    limit = params.page_size(request)
    if filters.sort != selectors.DEFAULT_SORT:
        return _sorted_case_list(request, user, filters, limit)
    after = params.decode_case_cursor(request)
    cases = selectors.case_list(viewer=user, filters=filters, after=after, limit=limit + 1)
    page, more = cases[:limit], len(cases) > limit
    models = models_for(c.model_version_id for c in page)
    cursor = params.encode_case_cursor(page[-1].updated_at, page[-1].pk) if more else None
    return {"items": [serializers.case_summary_dict(c, models[c.model_version_id]) for c in page],
            "next": params.next_path(request, cursor, limit)}


class TaskOut(Schema):
    case_id: int
    case_number: str
    case_title: str
    step: int
    step_key: str
    step_title: str
    kind: Literal["decision", "step"] = Field(
        description="decision: a gate the caller may decide; step: a step the caller may work on.")
    why: str = Field(description="Why it waits for the caller (Danish), e.g. \"Tildelt dig\" "
                                 "or \"Stedfortræder for ...\".")
    since: datetime | None = Field(description="Since when it has waited.")
    actionable: bool = Field(description="False: open only in principle (the folded list on "
                                         "the page): it waits for something else first.")
    waits_for: str = Field(description="For a task open only in principle: what it waits for "
                                       "(Danish).")
    deadline: date | None = Field(description="The step's deadline, where one is set.")


class TaskListOut(Schema):
    items: list[TaskOut]
    next: str | None


TASK_ERRORS = _errors(e400="`validation_error`: a bad `limit` or `cursor`.", e404=False)
TASK_ERRORS[404] = E404_PAGE
TASK_ERRORS = dict(sorted(TASK_ERRORS.items()))


@router.get("/tasks", response=_responses((200, TaskListOut), TASK_ERRORS),
            operation_id="task_list", tags=["tasks"],
            summary="My tasks (\"Mine opgaver\"): what waits for the caller, longest first; "
                    "`actionable` false for what is open only in principle",
            description="The same list as the web page: steps assigned to the caller or to "
                        "someone they deputise for today, and steps waiting for one of their "
                        "roles; only what the caller may perform. Paged: follow `next`.",
            openapi_extra=_extra(TASK_ERRORS, query=(LIMIT_PARAM, CURSOR_PARAM)))
def task_list(request: ApiRequest) -> dict[str, Any]:
    user = _member(request)
    limit = params.page_size(request)
    offset = params.offset_cursor(request)
    tasks = selectors.my_tasks(viewer=user, limit=limit + 1, offset=offset)
    page, more = tasks[:limit], len(tasks) > limit
    return {"items": [{"case_id": t.case.pk, "case_number": t.case.number,
                       "case_title": t.case.title, "step": t.step.number,
                       "step_key": t.step.key, "step_title": t.step.title.da, "kind": t.kind,
                       "why": t.why, "since": t.since, "actionable": t.actionable,
                       "waits_for": t.waits_for, "deadline": t.deadline} for t in page],
            "next": params.next_path(request, str(offset + limit) if more else None, limit)}


def _sorted_case_list(request: ApiRequest, user: User, filters: Any, limit: int
                      ) -> dict[str, Any]:
    """A sort other than the default pages by offset: the cursor is the next row's position."""
    offset = params.offset_cursor(request)
    cases = selectors.case_list(viewer=user, filters=filters, limit=limit + 1, offset=offset)
    page, more = cases[:limit], len(cases) > limit
    models = models_for(c.model_version_id for c in page)
    cursor = str(offset + limit) if more else None
    return {"items": [serializers.case_summary_dict(c, models[c.model_version_id]) for c in page],
            "next": params.next_path(request, cursor, limit)}


CREATE_ERRORS = _errors(e404=False, e409=E409_REF)


@router.post("/cases", response=_responses((201, CaseOut), CREATE_ERRORS),
             operation_id="case_create", tags=["cases"],
             summary="Start a new case (the first step: the need)",
             openapi_extra=_extra(CREATE_ERRORS, CaseCreateIn))
def case_create(request: ApiRequest) -> Status:
    user = _member(request)
    required = {f: REQUIRED_TEXT.get(f) or FIELD_HINTS[f]
                for f in CaseCreateIn.required_fields}
    _, data = params.parse_body(request, CaseCreateIn, required)
    # the fields sent, of the types CaseCreateIn checked, held to the case's field rules
    values = case_values(cast(CaseData, data), creating=True)
    case = services.case_create(actor=user, data=values)
    return Status(201, _case_body(request, case.pk))


GET_ERRORS = _errors(e400=None)


@router.get("/cases/{int:case_id}", response=_responses((200, CaseOut), GET_ERRORS),
            operation_id="case_get", tags=["cases"],
            summary="A case with all its steps and decisions", openapi_extra=_extra(GET_ERRORS))
def case_get(request: ApiRequest, case_id: int) -> dict[str, Any]:
    return _case_body(request, case_id)


CASE_ERRORS = _errors(e409=E409_CASE)


@router.patch("/cases/{int:case_id}", response=_responses((200, CaseOut), CASE_ERRORS),
              operation_id="case_update", tags=["cases"], summary="Edit the case's fields",
              openapi_extra=_extra(CASE_ERRORS, CaseUpdateIn))
def case_update(request: ApiRequest, case_id: int) -> dict[str, Any]:
    _visible_case(request, case_id, may="edit")
    body, data = params.parse_body(request, CaseUpdateIn)
    data.pop("version", None)
    services.case_update(actor=_actor(request), case_id=case_id,
                         data=case_values(cast(CaseData, data), creating=False),
                         version=body.version)
    return _case_body(request, case_id)


@router.post("/cases/{int:case_id}/withdraw", response=_responses((200, CaseOut), CASE_ERRORS),
             operation_id="case_withdraw", tags=["cases"],
             summary="Withdraw the case (cannot be undone)",
             openapi_extra=_extra(CASE_ERRORS, WithdrawIn))
def case_withdraw(request: ApiRequest, case_id: int) -> dict[str, Any]:
    _visible_case(request, case_id, may="edit")
    body, _ = params.parse_body(request, WithdrawIn)
    services.case_withdraw(actor=_actor(request), case_id=case_id, reason=body.reason,
                           version=body.version)
    return _case_body(request, case_id)


HANDOVER_ERRORS = {**CASE_ERRORS, 409: E409_CASE + (
    " `invalid_reference` also when `coordinator` is no active person of your municipality "
    "with the coordinator role, or is the case's coordinator already.")}


@router.post("/cases/{int:case_id}/handover", response=_responses((200, CaseOut), HANDOVER_ERRORS),
             operation_id="case_handover", tags=["cases"],
             summary="Hand the case over to another coordinator",
             description="For whoever may edit the case. The old coordinator's assignments on "
                         "the case's open steps and the deadlines they set move to the new "
                         "coordinator; both are told; the hand-over is audited.",
             openapi_extra=_extra(HANDOVER_ERRORS, HandoverIn))
def case_handover(request: ApiRequest, case_id: int) -> dict[str, Any]:
    _visible_case(request, case_id, may="edit")
    body, _ = params.parse_body(request, HandoverIn)
    services.case_handover(actor=_actor(request), case_id=case_id, coordinator=body.coordinator,
                           reason=body.reason, version=body.version)
    return _case_body(request, case_id)


# --- steps -------------------------------------------------------------------------------------

STEP_PATH = "/cases/{int:case_id}/steps/{int:number}"
STEP_ERRORS = _errors(e409=E409_STEP)
STEP_RESPONSES = _responses((200, CaseOut), STEP_ERRORS)


@router.patch(STEP_PATH, response=STEP_RESPONSES,
              operation_id="step_update", tags=["steps"],
              summary="Edit a step's remarks and checklist, or mark it in progress",
              openapi_extra=_extra(STEP_ERRORS, StepUpdateIn))
def step_update(request: ApiRequest, case_id: int, number: int) -> dict[str, Any]:
    _visible_case(request, case_id, number, may="work")
    body, data = params.parse_body(request, StepUpdateIn)
    with transaction.atomic():  # one PATCH, one transaction
        version = body.version
        if "assignee" in data:
            services.step_assign(actor=_actor(request), case_id=case_id, number=number,
                                 assignee=body.assignee, version=version)
            version = None  # checked once, by the first write
        if set(data) - {"assignee", "version"}:
            services.step_update(actor=_actor(request), case_id=case_id, number=number,
                                 remarks=body.remarks, checklist=data.get("checklist"),
                                 status=body.status, version=version)
    return _case_body(request, case_id)


@router.post(f"{STEP_PATH}/complete", response=STEP_RESPONSES,
             operation_id="step_complete", tags=["steps"], summary="Complete a step",
             openapi_extra=_extra(STEP_ERRORS, StepCompleteIn))
def step_complete(request: ApiRequest, case_id: int, number: int) -> dict[str, Any]:
    _visible_case(request, case_id, number, may="complete")
    body, data = params.parse_body(request, StepCompleteIn)
    # One call, one transaction: remarks and checklist are saved with the completion or,
    # when it is refused, not at all (the client still holds what it sent).
    services.step_complete(actor=_actor(request), case_id=case_id, number=number,
                           remarks=body.remarks, checklist=data.get("checklist"),
                           version=body.version)
    return _case_body(request, case_id)


NOT_RELEVANT_ERRORS = {**STEP_ERRORS, 403: E403 + (
    " Also: the model names who may mark this step not relevant (e.g. only the information "
    "security role for the data processing agreement) and you hold none of those roles."),
    409: E409_STEP + (" `step_not_open` also when a gate before the step is not yet passed; "
                      "`not_relevant_locked` once a step the model names has started.")}


@router.post(f"{STEP_PATH}/not-relevant", response=STEP_RESPONSES,
             operation_id="step_mark_not_relevant", tags=["steps"],
             summary="Mark a step not relevant, with a reason",
             description="A decision with rules from the process model: never a gate, never "
                         "a step behind a gate not yet passed; where the model says so, only "
                         "certain roles, and never once a later step has started.",
             openapi_extra=_extra(NOT_RELEVANT_ERRORS, ReasonIn))
def step_mark_not_relevant(request: ApiRequest, case_id: int, number: int) -> dict[str, Any]:
    _visible_case(request, case_id, number, may="not_relevant")
    body, _ = params.parse_body(request, ReasonIn)
    services.step_mark_not_relevant(actor=_actor(request), case_id=case_id, number=number,
                                    reason=body.reason, version=body.version)
    return _case_body(request, case_id)


@router.post(f"{STEP_PATH}/reopen", response=STEP_RESPONSES,
             operation_id="step_reopen", tags=["steps"],
             summary="Reopen a done or not-relevant step, with a reason",
             openapi_extra=_extra(STEP_ERRORS, ReasonIn))
def step_reopen(request: ApiRequest, case_id: int, number: int) -> dict[str, Any]:
    _visible_case(request, case_id, number, may="work")
    body, _ = params.parse_body(request, ReasonIn)
    services.step_reopen(actor=_actor(request), case_id=case_id, number=number,
                         reason=body.reason, version=body.version)
    return _case_body(request, case_id)


@router.post(f"{STEP_PATH}/requirements/{{item}}", response=STEP_RESPONSES,
             operation_id="step_requirement_set", tags=["steps"],
             summary="Declare a \"Hvis relevant\" requirement not relevant (with a reason), "
                     "or relevant again",
             description="Only requirements the model marks `waivable` (listed in the step's "
                         "`requirements`): a required checklist item or document type. Whoever "
                         "may work on the step may; audited.",
             openapi_extra=_extra(STEP_ERRORS, RequirementIn))
def step_requirement_set(request: ApiRequest, case_id: int, number: int,
                         item: str) -> dict[str, Any]:
    _visible_case(request, case_id, number, may="work")
    body, _ = params.parse_body(request, RequirementIn)
    services.step_requirement_set(actor=_actor(request), case_id=case_id, number=number,
                                  item=item, relevant=body.relevant, reason=body.reason,
                                  version=body.version)
    return _case_body(request, case_id)


# --- decisions and events ----------------------------------------------------------------------


DECISION_ERRORS = _errors(
    e400="`validation_error`: malformed JSON, an unknown field, a wrong type or a missing "
    "rationale. (A step that is not a gate is 409 `invalid_reference`; `maybe` at a gate "
    "that has no Måske is 409 `outcome_not_allowed`.)",
    e409=E409_STEP)


@router.post("/cases/{int:case_id}/decisions",
             response=_responses((200, CaseAfterDecisionOut), DECISION_ERRORS),
             operation_id="decision_record", tags=["decisions"],
             summary="Record a gate decision (Ja/Måske/Nej) with its rationale",
             description="An action on the case like the step actions: 200 with the updated "
                         "case, and the decision just recorded under `decision`.",
             openapi_extra=_extra(DECISION_ERRORS, DecisionIn))
def decision_record(request: ApiRequest, case_id: int) -> Status:
    _visible_case(request, case_id)
    body, _ = params.parse_body(request, DecisionIn)
    decision = services.decision_record(
        actor=_actor(request), case_id=case_id, step=body.step, outcome=body.outcome,
        rationale=body.rationale, recommendations=body.recommendations,
        it_contacts=body.it_contacts, missing_documentation=body.missing_documentation,
        version=body.version,
    )
    detail = selectors.case_detail(viewer=_actor(request), case_id=case_id)
    created = next(d for d in detail.decisions if d.pk == decision.pk)
    answer = {**serializers.case_dict(detail), "decision": serializers.decision_dict(created)}
    return Status(200, answer)


EVENT_ERRORS = _errors(e400="`validation_error`: a bad `limit` or `cursor`.")
EVENT_ERRORS[404] = f"{E404} {E404_PAGE}"


@router.get("/cases/{int:case_id}/events", response=_responses((200, EventListOut), EVENT_ERRORS),
            operation_id="case_events", tags=["events"],
            summary="The case's timeline from the audit trail, oldest first",
            openapi_extra=_extra(EVENT_ERRORS, query=(LIMIT_PARAM, CURSOR_PARAM)))
def case_events(request: ApiRequest, case_id: int) -> dict[str, Any]:
    _visible_case(request, case_id)
    params.check_query_text(request)
    limit = params.page_size(request)
    after = params.decode_seq_cursor(request)
    events = selectors.case_events(viewer=_actor(request), case_id=case_id, after_seq=after,
                                   limit=limit + 1)
    page, more = events[:limit], len(events) > limit
    prefetch_related_objects(page, "actor")
    cursor = str(page[-1].seq) if more else None
    return {"items": serializers.event_list(page),
            "next": params.next_path(request, cursor, limit)}


# --- saved filters of the case list (issue 20) -------------------------------------------------

class SavedFilterOut(Schema):
    id: int
    name: str
    query: str = Field(description="The case list's query parameters (also those of "
                                   "`GET /cases`), e.g. `status=active&sort=-moved`.")
    url: str = Field(description="The case list in the web UI with the filter applied.")


SAVED_FILTER_409 = ("`invalid_reference`: `phase` is not a phase of the municipality's model "
                    "(`fields` says so).")


def _saved_filter(record: Any) -> dict[str, Any]:
    from django.urls import reverse

    url = reverse("cases:case_list") + (f"?{record.query}" if record.query else "")
    return {"id": record.pk, "name": record.name, "query": record.query, "url": url}


@router.get("/saved-filters", response=_responses((200, list[SavedFilterOut]),
                                                   _errors(e400=None, e404=False)),
            operation_id="saved_filter_list", tags=["saved filters"],
            summary="The caller's saved filters of the case list, by name")
def saved_filter_list(request: ApiRequest) -> list[dict[str, Any]]:
    return [_saved_filter(f) for f in saved_filters.saved_filters(viewer=_member(request))]


SAVE_ERRORS = _errors(e404=False, e409=SAVED_FILTER_409)


@router.post("/saved-filters", response=_responses((201, SavedFilterOut), SAVE_ERRORS),
             operation_id="saved_filter_create", tags=["saved filters"],
             summary="Save a filter and sort of the case list under a name (audited)",
             openapi_extra=_extra(SAVE_ERRORS, SavedFilterIn))
def saved_filter_create(request: ApiRequest) -> Status:
    user = _member(request)
    body, sent = params.parse_body(request, SavedFilterIn, {"name": "Giv filteret et navn."})
    query = {k: ("1" if v is True else "" if v is False else str(v))
             for k, v in sent.items() if k != "name" and v is not None}
    try:
        record = saved_filters.saved_filter_save(actor=user, name=body.name, query=query)
    except ValidationFailed as exc:
        if "phase" in exc.errors:
            raise ReferenceRefused({"phase": exc.errors["phase"]}) from None
        raise
    return Status(201, _saved_filter(record))


DELETE_FILTER_ERRORS = _errors(e400=None)
DELETE_FILTER_ERRORS[404] = "`not_found`: no saved filter of yours has this id."


@router.delete("/saved-filters/{int:filter_id}",
               response={204: None, **_responses((204, None), DELETE_FILTER_ERRORS)},
               operation_id="saved_filter_delete", tags=["saved filters"],
               summary="Delete one of the caller's saved filters (audited)",
               openapi_extra=_extra(DELETE_FILTER_ERRORS))
def saved_filter_delete(request: ApiRequest, filter_id: int) -> Status:
    saved_filters.saved_filter_delete(actor=_member(request), filter_id=filter_id)
    return Status(204, None)
