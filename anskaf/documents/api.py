"""API v1 for documents, mounted by anskaf/api/urls.py: list a step's documents, upload, download.

Same services, permissions and refusals as the web pages. The multipart body is read by hand
after the case is found (404) and the caller's rights are checked (403), as the API's other
operations do; a bad file is 400 `validation_error` with a Danish message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.cases.errors import PermissionDenied
from anskaf.cases.selectors import case_detail
from anskaf.http import params
from anskaf.http.errors import ApiError
from anskaf.http.schemas import Body, ErrorOut
from anskaf.orgs.request_types import ApiRequest

from . import case_package, journal, permissions, services
from .models import Document, DocumentVersion
from .selectors import case_documents
from .views import file_response, posted_document

router = Router(tags=["documents"])


class VersionOut(Schema):
    number: int
    name: str
    size: int
    sha256: str
    content_type: str
    uploaded_by: str | None
    uploaded_at: datetime
    download: str


class DocumentOut(Schema):
    id: int
    title: str
    type: str
    versions: list[VersionOut]


class DocumentTypeOut(Schema):
    key: str
    title: str
    required: bool = Field(description="Required now: its condition holds and it has not been "
                                       "declared not relevant.")
    confidential: bool
    missing: bool
    readable: bool
    documents: list[DocumentOut]


class StepDocumentsOut(Schema):
    step: int
    missing: list[str]
    may_upload: bool
    items: list[DocumentTypeOut]


class UploadOut(Schema):
    document: DocumentOut


def _responses(ok: tuple[int, Any], *codes: int) -> dict[int, Any]:
    return {ok[0]: ok[1], **{code: ErrorOut for code in codes}}


def _version_dict(case_id: int, document: Document, v: DocumentVersion) -> dict[str, Any]:
    return {"number": v.number, "name": v.original_name, "size": v.size, "sha256": v.sha256,
            "content_type": v.content_type,
            "uploaded_by": v.uploaded_by.display_name() if v.uploaded_by else None,
            "uploaded_at": v.uploaded_at,
            "download": f"/api/v1/cases/{case_id}/documents/{document.pk}/versions/{v.number}/download"}


def _document_dict(case_id: int, document: Document, versions: list[DocumentVersion]
                   ) -> dict[str, Any]:
    return {"id": document.pk, "title": document.title, "type": document.type_key,
            "versions": [_version_dict(case_id, document, v) for v in versions]}


def _member_target(request: ApiRequest, case_id: int, number: int) -> services.StepTarget:
    user = request.auth
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", "Din bruger hører ikke til en kommune.")
    return services.visible_step(user, case_id, number)


@router.get("/cases/{int:case_id}/steps/{int:number}/documents", response=_responses(
    (200, StepDocumentsOut), 401, 403, 404, 500), operation_id="step_documents_list",
    summary="List a step's document types, documents and versions")
def list_step_documents(request: ApiRequest, case_id: int, number: int) -> dict[str, Any]:
    """Confidential documents the caller may not read are listed without their versions."""
    target = _member_target(request, case_id, number)
    state = target.step.number
    docs = case_documents(viewer=request.auth, case=target.case, model=target.model,
                          assignees={state: target.assignee_id})[state]
    return {
        "step": state, "missing": docs.missing, "may_upload": docs.upload_refusal is None,
        "items": [{
            "key": t.definition.key, "title": t.definition.title.da,
            "required": t.binds, "confidential": t.definition.confidential,
            "missing": t.missing,
            "readable": permissions.read_refusal(request.auth, target.case, target.step,
                                            t.definition, target.assignee_id) is None,
            "documents": [_document_dict(case_id, d.document, d.versions if d.readable else [])
                          for d in t.documents],
        } for t in docs.types],
    }


UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["type", "file"],
    "properties": {
        "type": {"type": "string", "minLength": 1,
                 "description": "The document type's key, e.g. signed_contract."},
        "file": {"type": "string", "format": "binary",
                 "description": "At most 50 MB (ANSKAF_DOCUMENT_MAX_MB); PDF, Word, Excel, "
                                "PowerPoint, OpenDocument, PNG, JPEG, TXT, CSV or ZIP by content."},
        "document": {"type": "integer",
                     "description": "Add a new version to this document (else: same type and "
                                    "file name → new version, otherwise a new document)."},
    }}}}}


@router.post("/cases/{int:case_id}/steps/{int:number}/documents", response=_responses(
    (201, UploadOut), 400, 401, 403, 404, 409, 500), operation_id="step_documents_upload",
    summary="Upload a file as a new version",
    openapi_extra={"requestBody": UPLOAD_BODY, "responses": {
        400: {"description": "`validation_error`: no file."},
        409: {"description": "`invalid_reference`: the step has no document type `type`. "
                             "`file_refused`: a refused file (too big, empty, wrong type by "
                             "content, a name that does not fit it, an archive bomb, a virus)."
              }}})
def upload_document(request: ApiRequest, case_id: int, number: int) -> Any:
    target = _member_target(request, case_id, number)
    user = request.auth
    refusal = permissions.upload_refusal(user, target.case, target.model, target.step,
                                    target.assignee_id)
    if refusal:
        raise ApiError(403, "forbidden", refusal)
    files = request.FILES.getlist("file")
    if len(files) != 1:
        raise ApiError(400, "validation_error", "Send præcis én fil i feltet »file« "
                       "(multipart/form-data).", {"file": "Send præcis én fil."})
    f = files[0]
    version = services.document_upload(
        actor=user, case_id=case_id, number=number, type_key=request.POST.get("type"),
        fileobj=f, name=f.name, size=f.size,
        document_id=posted_document(request.POST))
    document = version.document
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    return Status(201, {"document": _document_dict(case_id, document, versions)})


@router.get("/cases/{int:case_id}/documents/{int:document_id}/versions/{int:number}/download",
            response=_responses((200, None), 401, 403, 404, 500),
            operation_id="document_version_download", summary="Download one version",
            openapi_extra={"responses": {200: {
                "description": "The file, as an attachment, with the content type detected "
                               "when it was uploaded (PDF, Office, OpenDocument, PNG, JPEG, "
                               "text, CSV or ZIP).",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}}})
def download_version(request: ApiRequest, case_id: int, document_id: int, number: int) -> Any:
    readable = services.readable_version(actor=request.auth, case_id=case_id,
                                         document_id=document_id, number=number)
    v = readable.version
    return file_response(v.storage_name, v.original_name, v.content_type)


class RecordsNumberIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("records_number",)
    line_fields: ClassVar[tuple[str, ...]] = ("records_number",)
    name_fields: ClassVar[tuple[str, ...]] = ("records_number",)
    max_lengths: ClassVar[dict[str, int]] = {"records_number": 60}
    records_number: str | None = Field(None, description="The number in the records system "
                                                         "(ESDH), e.g. 26/01234.")


ZIP_RESPONSE = {"responses": {200: {"description": "The journal package (ZIP), as an attachment.",
                                    "content": {"application/zip": {"schema": {
                                        "type": "string", "format": "binary"}}}}}}


def _zip_extra() -> dict[str, Any]:
    schema = RecordsNumberIn.openapi_schema(ref_template="#/components/schemas/{model}")
    return {**ZIP_RESPONSE, "requestBody": {"required": True, "content": {
        "application/json": {"schema": schema}}}}


def _zip(package: Any) -> HttpResponse:
    from .views import attachment_response

    return attachment_response(package.content, package.filename, "application/zip")


@router.post("/cases/{case_id}/documents/{document_id}/journalise",
             response=_responses((200, None), 400, 401, 403, 404, 500),
             operation_id="document_journalise",
             summary="Journalise a document: its package for the records system (ZIP)",
             openapi_extra=_zip_extra())
def journalise_document(request: ApiRequest, case_id: int, document_id: int) -> Any:
    readable = services.readable_version(actor=request.auth, case_id=case_id,
                                         document_id=document_id)  # 404 and 403 before 400
    if refusal := permissions.journal_refusal(request.auth, readable):
        raise PermissionDenied(refusal)
    body, _ = params.parse_body(request, RecordsNumberIn)
    _entry, package, _delivery = journal.journalise(
        actor=request.auth, case_id=case_id, document_id=document_id,
        records_number=body.records_number)
    return _zip(package)


@router.post("/cases/{case_id}/journal-package",
             response=_responses((200, None), 400, 401, 403, 404, 500),
             operation_id="case_journalise",
             summary="Journalise the whole case: one package (ZIP) with the guide as PDF/A, "
                     "every current document, decisions, minutes extracts and metadata",
             description="The ESDH number given is recorded on the case (audited) when it "
                         "differs; only the case's managers and admins.",
             openapi_extra=_zip_extra())
def journalise_case(request: ApiRequest, case_id: int) -> Any:
    detail = case_detail(viewer=request.auth, case_id=case_id)
    if refusal := permissions.package_refusal(request.auth, detail.case):
        raise PermissionDenied(refusal)  # 404 and 403 before 400
    body, _ = params.parse_body(request, RecordsNumberIn)
    package, _delivery = case_package.case_journalise(
        actor=request.auth, case_id=case_id,
        records_number=body.records_number)
    return _zip(package)


__all__ = ["router"]
