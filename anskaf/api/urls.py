"""The API v1 instance, mounted at /api/v1/ in anskaf/urls.py."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from anskaf.cases.api import SCHEMA_REF
from anskaf.cases.schemas import BODY_MODELS
from anskaf.http.openapi import Links, add_links, tighten

from .auth import API_AUTH
from .errors import install_exception_handlers

DESCRIPTION = """\
JSON API for acquisition cases following the 21-step model; it calls the same services as the
web UI.

**Authentication**: a logged-in session (unsafe methods need the CSRF token in `X-CSRFToken`),
or `Authorization: Bearer <token>` with a token from `anskaf token create --user USERNAME`.

**Errors** are always JSON `{"error": code, "message": text}` (Danish); validation errors add
`"fields": {field: message}`. Codes: 400 `validation_error` (the request breaks this
document: a request this document allows is never 400); 401 `unauthenticated`; 403
`forbidden`; 404 `not_found` (also a `cursor` that names no page); 405 `method_not_allowed`;
409 `step_not_open`, `gate_not_ready`, `contract_before_dpa`, `requirement_missing`,
`conflict`, `case_closed`, `invalid_transition`, `invalid_reference` (a well-formed value that
names no unit, person, step, gate or document type of yours), `outcome_not_allowed`;
500 `server_error`.
Checks run in this order: 401, 404, 403, 400, 409.

**Lists** are `{"items": [...], "next": path-or-null}`; `limit` (1-200, default 50) sets the page
size; follow `next` for the following page.

**Versions**: every step and the case carry a `version`; send the one you read to be refused
with 409 `conflict` instead of overwriting someone else's change.
"""


# Where one operation's answer feeds another: case -> its steps -> their documents, and the
# other apps' objects to their own operations (OpenAPI links; schemathesis' stateful phase
# follows them).
CASE_ID = {"case_id": "$response.body#/id"}
FIRST_STEP = {**CASE_ID, "number": "$response.body#/steps/0/number"}
CASE_LINKS = {
    "GetCase": ("case_get", CASE_ID),
    "UpdateCase": ("case_update", CASE_ID),
    "CaseEvents": ("case_events", CASE_ID),
    "UpdateStep": ("step_update", FIRST_STEP),
    "CompleteStep": ("step_complete", FIRST_STEP),
    "StepDocuments": ("step_documents_list", FIRST_STEP),
    "UploadDocument": ("step_documents_upload", FIRST_STEP),
    "PutForward": ("case_put_forward", CASE_ID),
}
STEP_DOCUMENTS = {**CASE_ID, "number": "$response.body#/number"}
LINKS: Links = {
    ("case_create", 201): CASE_LINKS,
    ("case_get", 200): CASE_LINKS,
    ("case_update", 200): {k: CASE_LINKS[k] for k in ("GetCase", "UpdateStep", "StepDocuments")},
    ("step_update", 200): {k: CASE_LINKS[k] for k in ("GetCase", "CompleteStep", "StepDocuments")},
    ("step_complete", 200): {k: CASE_LINKS[k] for k in ("GetCase", "StepDocuments")},
    ("step_documents_list", 200): {
        "UploadDocument": ("step_documents_upload", {
            "case_id": "$request.path.case_id", "number": "$response.body#/step"})},
    ("step_documents_upload", 201): {
        "Download": ("document_version_download", {
            "case_id": "$request.path.case_id", "document_id": "$response.body#/document/id",
            "number": "$response.body#/document/versions/0/number"})},
    ("meeting_schedule", 201): {
        "GetMeeting": ("meeting_get", {"meeting_id": "$response.body#/items/0/id"})},
    ("system_create", 201): {
        "GetSystem": ("system_get", {"system_id": "$response.body#/id"}),
        "SystemContracts": ("contract_list", {"system_id": "$response.body#/id"}),
        "SystemDpas": ("dpa_list", {"system_id": "$response.body#/id"})},
}


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class AnskafAPI(NinjaAPI):
    """Adds the request-body models (read by hand in the views) to the OpenAPI components."""

    def get_openapi_schema(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in BODY_MODELS:
            body = model.openapi_schema(ref_template=SCHEMA_REF)
            components.update(body.pop("$defs", {}))
            components[model.__name__] = body
        _hoist_request_definitions(schema, components)
        return add_links(tighten(schema), LINKS)


def _hoist_request_definitions(schema: dict[str, Any], components: dict[str, Any]) -> None:
    """A body schema written inline keeps its nested models (e.g. a role map's lines) in
    `$defs`, while its `$ref`s point at the components: put them there, as tightened."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                # read, not popped: the operation's schema object is built once, at import
                components.update(media.get("schema", {}).get("$defs", {}))


api = AnskafAPI(
    title="anskaf API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # ninja's docs page loads scripts from a CDN, which our CSP forbids
    auth=API_AUTH,
    renderer=Utf8JSONRenderer(),
)
install_exception_handlers(api)
api.add_router("", "anskaf.cases.api.router")
api.add_router("", "anskaf.cases.model_api.router")  # the process model's versions (issue 17)
api.add_router("", "anskaf.documents.api.router")
api.add_router("", "anskaf.documents.import_api.router")  # the Word import (issue 17)
api.add_router("", "anskaf.meetings.api.router")  # IT-visitation meetings (issue 4)
api.add_router("", "anskaf.portfolio.api.router")
# Issue 19, item 13: what the UI does that had no API.
api.add_router("", "anskaf.portfolio.api_case.router")  # case systems, KITOS, thresholds
api.add_router("", "anskaf.notifications.api.router")  # notifications, deadlines, outbox
api.add_router("", "anskaf.orgs.api.router")  # deputies
api.add_router("", "anskaf.orgs.import_api.router")  # import of units and people (issue 18)
api.add_router("", "anskaf.orgs.api_tenancy.router")  # a municipality's sign-on, settings
api.add_router("", "anskaf.discussion.api.router")  # comments on a case (issue 20)
api.add_router("", "anskaf.installation.api.router")  # the installation's operator (ADR 0030)
