"""API v1: bring an ongoing acquisition in from its Word guide (issue 17 item 5, ADR 0033).

The same services as *Ny sag -> Importér fra Word*: preview (stores nothing) and import (one
transaction). Multipart bodies, read by hand after the caller's right is checked. Order: 401,
403 (not a coordinator or admin), 400 (the file or a field), 409 (refusals in the plan:
`import_refused`; a unit not of the municipality: `invalid_reference`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from anskaf.cases.errors import PermissionDenied
from anskaf.http.errors import ApiError
from anskaf.http.schemas import ErrorOut

from .guide_import import Preview, guide_import, guide_import_preview
from .permissions import import_refusal

router = Router(tags=["documents"])


class OutcomeChoiceOut(Schema):
    key: str
    label: str


class ImportStepOut(Schema):
    number: int
    key: str
    title: str
    row_title: str | None
    done_text: str
    action: str
    outcome: str | None
    outcome_choices: list[OutcomeChoiceOut]
    suggested_outcome: str | None
    remarks: str
    remarks_replaced: bool
    not_relevant_reason: str
    refusal: str | None


class ImportCountsOut(Schema):
    done: int
    decide: int
    not_relevant: int
    in_progress: int


class ImportPreviewOut(Schema):
    name: str
    size: int
    sha256: str
    layout: str
    title: str
    replaces_system: bool
    ok: bool
    counts: ImportCountsOut
    notes: list[str]
    steps: list[ImportStepOut]


class ImportedOut(Schema):
    id: int
    number: str
    title: str
    status: str


# A gate's outcomes and the shape of a step's key, as the description states them.
OUTCOMES = ("yes", "maybe", "no")
STEP_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
FIELDS = {
    "file": {"type": "string", "format": "binary",
             "description": "The filled-in guide (.docx, at most 50 MB): the guide's table or "
                            "anskaf's own Word export."},
    "replaces_system": {"type": "string", "enum": ["true", "false"],
                        "description": "Does the case replace a system (else: suggested from "
                                       "the guide's replace-only steps)."},
    "outcomes": {"type": "object", "propertyNames": {"pattern": STEP_KEY_PATTERN},
                 "additionalProperties": {"type": "string", "enum": list(OUTCOMES)},
                 "description": "A JSON object (the part's content type application/json): the "
                                "outcome of each gate marked done, by step key, e.g. "
                                "{\"it_board_decision\": \"yes\"}."},
}
CASE_FIELDS = {
    "title": {"type": "string", "description": "The case's title (else the export's heading)."},
    "need": {"type": "string"}, "strategic_fit": {"type": "string"},
    "user_impact": {"type": "string"},
    "unit": {"type": "integer", "description": "The requesting unit (else the importer's)."},
    "sha256": {"type": "string", "description": "The previewed file's sha256: another file "
                                                "is refused."},
}


def _body(properties: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": properties},
        "encoding": {"outcomes": {"contentType": "application/json"}}}}}


E400 = ("`validation_error`: no file; `outcomes` not a JSON object of texts; a case field "
        "that breaks the text rule.")
E409_FILE = ("`file_refused`: a file that is no readable .docx guide (not Word, "
             "password-protected, no table of steps, too big).")
E403 = "`forbidden`: only coordinators and the municipality's administrators import."


def _common(request: HttpRequest) -> tuple[Any, Any, bool | None, dict[str, str]]:
    user = request.auth  # type: ignore[attr-defined]
    if (refusal := import_refusal(user)) is not None:
        raise PermissionDenied(refusal)
    files = request.FILES.getlist("file")
    if len(files) != 1:
        raise ApiError(400, "validation_error", "Send præcis én fil i feltet »file« "
                       "(multipart/form-data).", {"file": "Send præcis én fil."})
    replaces = request.POST.get("replaces_system")
    if replaces not in (None, "", "true", "false"):
        raise ApiError(400, "validation_error", "»replaces_system« skal være true eller false.",
                       {"replaces_system": "Skal være true eller false."})
    outcomes: dict[str, str] = {}
    if raw := request.POST.get("outcomes"):
        try:
            outcomes = json.loads(raw)
        except ValueError:
            outcomes = None  # type: ignore[assignment]
        if not isinstance(outcomes, dict) or not all(
                isinstance(k, str) and re.match(STEP_KEY_PATTERN, k) and v in OUTCOMES
                for k, v in outcomes.items()):
            raise ApiError(400, "validation_error", "»outcomes« skal være et JSON-objekt med "
                           "udfald pr. trinnøgle.", {"outcomes": "Skal være et JSON-objekt."})
    flag = {"true": True, "false": False}.get(replaces or "")
    return user, files[0], flag, outcomes


def preview_dict(preview: Preview) -> dict[str, Any]:
    plan = preview.plan
    return {
        "name": preview.name, "size": preview.size, "sha256": preview.sha256,
        "layout": plan.read.layout, "title": plan.read.title,
        "replaces_system": plan.replaces_system, "ok": plan.ok, "counts": plan.counts(),
        "notes": plan.notes,
        "steps": [{
            "number": s.number, "key": s.key, "title": s.title, "row_title": s.row_title,
            "done_text": s.done_text, "action": s.action, "outcome": s.outcome,
            "outcome_choices": [{"key": k, "label": label} for k, label in s.outcome_choices],
            "suggested_outcome": s.suggested_outcome, "remarks": s.remarks,
            "remarks_replaced": s.remarks_replaced, "not_relevant_reason": s.reason,
            "refusal": s.refusal} for s in plan.steps],
    }


@router.post("/cases/import/preview",
             response={200: ImportPreviewOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                       409: ErrorOut, 500: ErrorOut},
             operation_id="case_import_preview",
             summary="Read a filled-in Word guide: which rows map to which steps, what would "
                     "be marked done, the remarks, the refusals. Stores nothing.",
             openapi_extra={"requestBody": _body(FIELDS), "responses": {
                 400: {"description": E400}, 403: {"description": E403},
                 409: {"description": E409_FILE}}})
def preview(request: HttpRequest) -> dict[str, Any]:
    user, upload, replaces, outcomes = _common(request)
    return preview_dict(guide_import_preview(actor=user, fileobj=upload, name=upload.name,
                                             size=upload.size, replaces_system=replaces,
                                             outcomes=outcomes))


@router.post("/cases/import",
             response={201: ImportedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                       409: ErrorOut, 500: ErrorOut},
             operation_id="case_import",
             summary="Create the case from a filled-in Word guide, in one transaction (the "
                     ".docx kept as a document of its first step, audited as case.imported)",
             openapi_extra={"requestBody": _body({**FIELDS, **CASE_FIELDS}), "responses": {
                 400: {"description": E400}, 403: {"description": E403},
                 409: {"description": E409_FILE + " `import_refused`: the plan has refusals "
                                      "(a gate marked done without its outcome in "
                                      "`outcomes`, a rule the "
                                      "rows break, e.g. the contract before the DPA); nothing "
                                      "is stored. `invalid_reference`: `unit` is not one of "
                                      "the municipality's."}}})
def import_case(request: HttpRequest) -> Status:
    user, upload, replaces, outcomes = _common(request)
    data: dict[str, Any] = {k: request.POST[k] for k in ("title", "need", "strategic_fit",
                                                         "user_impact") if k in request.POST}
    if request.POST.get("unit"):
        data["unit"] = request.POST["unit"]
    case = guide_import(actor=user, fileobj=upload, name=upload.name, size=upload.size,
                        data=data, replaces_system=replaces, outcomes=outcomes,
                        expected_sha256=request.POST.get("sha256") or None)
    return Status(201, {"id": case.pk, "number": case.number, "title": case.title,
                        "status": case.status})
