"""Writing documents: upload a version, upload or remove an organisation's template.

Each upload: checks (404, 403, 400) before anything is written, then one transaction that
locks the case, writes the file to storage, adds the rows and appends to the audit trail. If
anything in that transaction fails, the written file is removed again: no file without its
row, no row without its file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from anskaf.audit.services import audit_append
from anskaf.cases import permissions
from anskaf.cases import services as case_services
from anskaf.cases.errors import NotFound, ReferenceRefused, ValidationFailed
from anskaf.cases.models import Case, StepState
from anskaf.cases.process_models import model_for
from anskaf.cases.services import acting_role
from anskaf.orgs.models import User
from anskaf.process.model import DocumentTypeDef, ProcessModel, StepDef
from anskaf.validation.text import text_problem

from .models import Document, DocumentVersion, OrgTemplate
from .permissions import read_refusal, template_refusal, upload_refusal
from .storage import discard, document_storage, new_name, save_or_clean
from .validation import BadFile, check_file


@dataclass(frozen=True)
class StepTarget:
    case: Case
    model: ProcessModel
    step: StepDef
    assignee_id: int | None


def visible_step(actor: User, case_id: int, number: int) -> StepTarget:
    """The case (404 when not visible or in another municipality) and the step (404)."""
    if not 0 < case_id < 2**62:
        raise NotFound()
    case = Case.objects.filter(permissions.visible_filter(actor), pk=case_id).first()
    if case is None:
        raise NotFound()
    model = model_for(case)
    if not model.has_step(number):
        raise NotFound(f"Trin {number} findes ikke i sagens model.")
    assignee = (StepState.objects.filter(case=case, number=number)
                .values_list("assignee_id", flat=True))
    return StepTarget(case, model, model.step(number), assignee.first())


def document_type(step: StepDef, type_key: str | None) -> DocumentTypeDef:
    doc_type = step.document_type(type_key) if isinstance(type_key, str) else None
    if doc_type is None:
        known = ", ".join(f"»{d.key}« ({d.title.da})" for d in step.documents) or "ingen"
        raise ReferenceRefused({"type": f"Trin {step.number} har ingen dokumenttype "
                                        f"{type_key!r}. Gyldige typer: {known}."})
    return doc_type


def document_upload(*, actor: User, case_id: int, number: int, type_key: str | None,
                    fileobj: IO[bytes], name: str | None, size: int | None = None,
                    document_id: int | None = None) -> DocumentVersion:
    """Store the file as a new version: of `document_id`, else of the step's document of the
    same type and name, else of a new document."""
    target = visible_step(actor, case_id, number)
    permissions.require(upload_refusal(actor, target.case, target.model, target.step,
                                   target.assignee_id))
    existing = _document_for_new_version(target, document_id)
    doc_type = document_type(target.step, existing.type_key if existing else type_key)
    checked = check_file(fileobj, name, size)
    storage = document_storage()
    object_name = new_name(target.case.organisation_id, f"cases/{target.case.pk}")
    try:
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=target.case.pk).first()
            document = existing or _document_named(target, doc_type, checked.name, actor)
            number_ = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            save_or_clean(storage, object_name, fileobj)
            version = DocumentVersion.objects.create(
                document=document, number=number_, storage_name=object_name,
                original_name=checked.name, size=checked.size, sha256=checked.sha256,
                content_type=checked.content_type, uploaded_by=actor, uploaded_at=timezone.now())
            audit_append(
                organisation_id=target.case.organisation_id, actor=actor,
                actor_role=acting_role(actor, target.step.role_keys),
                event_type="document.uploaded", object_id=document.pk,
                case_id=target.case.pk, before=None,
                after={"step": target.step.number, "type": doc_type.key,
                       "type_title": doc_type.title.da, "title": document.title,
                       "version": number_, "name": checked.name, "size": checked.size,
                       "sha256": checked.sha256, "content_type": checked.content_type})
    except BaseException:
        discard(storage, object_name)
        raise
    return version


def _document_for_new_version(target: StepTarget, document_id: int | None) -> Document | None:
    if document_id is None:
        return None
    document = (Document.objects.filter(pk=document_id, case=target.case,
                                        step=target.step.number).first()
                if 0 < document_id < 2**62 else None)
    if document is None:
        raise NotFound(f"Dokumentet findes ikke på trin {target.step.number}.")
    return document


def _document_named(target: StepTarget, doc_type: DocumentTypeDef, title: str,
                    actor: User) -> Document:
    document, _ = Document.objects.get_or_create(
        case=target.case, step=target.step.number, type_key=doc_type.key, title=title,
        defaults={"organisation_id": target.case.organisation_id, "created_by": actor})
    return document


# --- reading one version (the download views check here on every request) ----------------------


@dataclass(frozen=True)
class Readable:
    case: Case
    document: Document
    version: DocumentVersion
    doc_type: DocumentTypeDef | None


def readable_version(*, actor: User, case_id: int, document_id: int,
                     number: int | None = None) -> Readable:
    """The version (the newest when `number` is None) if the actor may read it: 404, then 403."""
    if not (0 < case_id < 2**62 and 0 < document_id < 2**62):
        raise NotFound()
    document = (Document.objects.select_related("case")
                .filter(pk=document_id, case_id=case_id, organisation_id=actor.municipality_id)
                .first())
    if document is None or not permissions.can_view(actor, document.case):
        raise NotFound("Dokumentet findes ikke, eller du har ikke adgang til sagen.")
    versions = document.versions.select_related("uploaded_by")
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise NotFound("Versionen findes ikke.")
    model = model_for(document.case)
    step = model.step(document.step) if model.has_step(document.step) else None
    doc_type = step.document_type(document.type_key) if step else None
    assignee = (StepState.objects.filter(case_id=case_id, number=document.step)
                .values_list("assignee_id", flat=True).first())
    permissions.require(read_refusal(actor, document.case, step, doc_type, assignee))
    return Readable(document.case, document, version, doc_type)


# --- organisation templates ---------------------------------------------------------------------


def template_upload(*, actor: User, title: str | None, step: int | None,
                    fileobj: IO[bytes] | None, name: str | None,
                    size: int | None = None, model: ProcessModel) -> OrgTemplate:
    permissions.require(template_refusal(actor))
    errors = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = "Skriv en titel på skabelonen."
    elif len(title) > 200:
        errors["title"] = "Titlen må højst være 200 tegn."
    elif (problem := text_problem(title.strip(), name=True)) is not None:
        errors["title"] = problem
    step_number = step if step is not None else 0
    if not model.has_step(step_number):
        errors["step"] = "Vælg det trin, skabelonen hører til."
    if fileobj is None:
        errors["file"] = "Vælg filen med skabelonen."
    if errors:
        raise ValidationFailed(errors)
    assert fileobj is not None and title is not None  # both refused above when missing
    checked = check_file(fileobj, name, size)
    storage = document_storage()
    object_name = new_name(actor.municipality_id, "templates")
    try:
        with transaction.atomic():
            save_or_clean(storage, object_name, fileobj)
            template = OrgTemplate.objects.create(
                organisation_id=actor.municipality_id, title=title.strip(), step=step_number,
                step_key=model.step(step_number).key, storage_name=object_name,
                original_name=checked.name, size=checked.size,
                sha256=checked.sha256, content_type=checked.content_type, uploaded_by=actor,
                uploaded_at=timezone.now())
            audit_append(organisation_id=actor.municipality_id, actor=actor, actor_role="admin",
                         event_type="template.uploaded", object_id=template.pk,
                         after={"title": template.title, "step": step_number,
                                "name": checked.name, "sha256": checked.sha256})
    except BaseException:
        discard(storage, object_name)
        raise
    return template


def template_delete(*, actor: User, template_id: int) -> None:
    permissions.require(template_refusal(actor))
    with transaction.atomic():
        template = OrgTemplate.objects.select_for_update().filter(
            pk=template_id, organisation_id=actor.municipality_id).first()
        if template is None:
            raise NotFound("Skabelonen findes ikke.")
        name = template.storage_name
        audit_append(organisation_id=actor.municipality_id, actor=actor, actor_role="admin",
                     event_type="template.deleted", object_id=template.pk,
                     before={"title": template.title, "step": template.step,
                             "sha256": template.sha256})
        template.delete()
        # Removed from storage only once the row is surely gone.
        transaction.on_commit(lambda: discard(document_storage(), name))


__all__ = ["BadFile", "document_upload", "readable_version", "step_save_and_upload",
           "template_delete", "template_upload"]


def step_save_and_upload(*, actor: User, case_id: int, number: int, remarks: str | None,
                         ticked: Iterable[str] | None, version: int | None, type_key: str | None,
                         files: list[tuple[IO[bytes], str, int | None]]) -> list[DocumentVersion]:
    """The step form's "Upload" (the step is one form): the remarks and ticks typed on the
    step are saved and the files stored in one transaction. If anything is refused (a stale
    version, a bad file), nothing is saved and the files already written are removed."""
    if not files:
        raise ValidationFailed({"files": "Vælg mindst én fil at uploade."})
    stored: list[DocumentVersion] = []
    try:
        with transaction.atomic():
            case_services.step_update(actor=actor, case_id=case_id, number=number,
                                      remarks=remarks, ticked=ticked, version=version)
            for fileobj, name, size in files:
                stored.append(document_upload(actor=actor, case_id=case_id, number=number,
                                              type_key=type_key, fileobj=fileobj, name=name,
                                              size=size))
    except BaseException:
        storage = document_storage()
        for version_ in stored:
            discard(storage, version_.storage_name)
        raise
    return stored
