"""Journalising: a package for the records system (ESDH) and a record that it was handed over.

The package is a ZIP: the document as PDF (the original when it is a PDF, else a PDF cover
sheet with the metadata), every version's original file, and metadata.json (case, title,
date, document type, parties). A JournalAdapter delivers it; the default one hands it to the
person as a download, who files it in Acadre by hand. A direct Acadre integration is another
adapter (setting ANSKAF_JOURNAL_ADAPTER) and needs nothing else changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from anskaf.audit.services import audit_append
from anskaf.cases import permissions
from anskaf.cases.errors import PermissionDenied, ValidationFailed
from anskaf.cases.services import acting_role
from anskaf.orgs.models import User
from anskaf.validation.text import export_safe, text_problem

from .models import JournalEntry
from .permissions import journal_refusal
from .services import Readable, readable_version
from .storage import document_storage


@dataclass(frozen=True)
class JournalPackage:
    filename: str
    content: bytes
    metadata: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Delivery:
    """What the adapter did: `download` means the person must receive the package now."""

    adapter: str
    download: bool
    reference: str = ""


class JournalAdapter(Protocol):
    key: str

    def deliver(self, package: JournalPackage, records_number: str) -> Delivery: ...


class DownloadPackageAdapter:
    """The default: nothing is sent anywhere; the person downloads the ZIP and files it."""

    key = "download"

    def deliver(self, package: JournalPackage, records_number: str) -> Delivery:
        return Delivery(adapter=self.key, download=True)


def adapter() -> JournalAdapter:
    path = getattr(settings, "ANSKAF_JOURNAL_ADAPTER", "")
    return import_string(path)() if path else DownloadPackageAdapter()


def _safe(value: Any) -> Any:
    """Every text in the metadata made safe for the package (JSON, the PDF cover sheet)."""
    if isinstance(value, str):
        return export_safe(value)
    if isinstance(value, list):
        return [_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    return value


def metadata_of(readable: Readable, records_number: str) -> dict[str, Any]:
    return _safe(_metadata(readable, records_number))


def _metadata(readable: Readable, records_number: str) -> dict[str, Any]:
    case, document, version = readable.case, readable.document, readable.version
    parties = [p for p in (case.supplier_name, getattr(case.requesting_unit, "name", "")) if p]
    return {
        "case": {"number": case.number, "title": case.title,
                 "records_case_number": case.records_case_number},
        "title": document.title,
        "document_type": {"key": document.type_key,
                          "title": readable.doc_type.title.da if readable.doc_type else ""},
        "step": document.step,
        "date": timezone.localtime(version.uploaded_at).date().isoformat(),
        "parties": parties,
        "records_number": records_number,
        "versions": [{"number": v.number, "file": f"originaler/v{v.number}-{v.original_name}",
                      "sha256": v.sha256, "size": v.size, "content_type": v.content_type,
                      "uploaded_at": v.uploaded_at.isoformat(),
                      "uploaded_by": v.uploaded_by.display_name() if v.uploaded_by else ""}
                     for v in document.versions.select_related("uploaded_by").order_by("number")],
    }


def build_package(readable: Readable, records_number: str) -> JournalPackage:
    storage = document_storage()
    metadata = metadata_of(readable, records_number)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        latest = readable.version
        with storage.open(latest.storage_name, "rb") as f:
            latest_bytes = f.read()
        if latest.content_type == "application/pdf":
            archive.writestr("dokument.pdf", latest_bytes)
        else:
            archive.writestr("dokument.pdf", _cover_pdf(metadata))
        for version in readable.document.versions.order_by("number"):
            with storage.open(version.storage_name, "rb") as f:
                archive.writestr(export_safe(f"originaler/v{version.number}-{version.original_name}"),
                                 f.read())
        archive.writestr("metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2))
    safe = export_safe(readable.document.title.rsplit(".", 1)[0])
    return JournalPackage(f"Journalpakke {readable.case.number} {safe}.zip", out.getvalue(),
                          metadata)


def _cover_pdf(metadata: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = export_safe(render_to_string("documents/journal_cover.html", {"m": metadata}))
    return HTML(string=html).write_pdf()


def _granting_roles(readable: Readable) -> tuple[str, ...]:
    """The roles journal_refusal lets journalise, in the order the audit names the one acted in."""
    from anskaf.cases.process_models import model_for

    model = model_for(readable.case)
    step = (model.step(readable.document.step).role_keys
            if model.has_step(readable.document.step) else ())
    return (*permissions.CASE_MANAGERS, *step, "admin")


def journalise(*, actor: User, case_id: int, document_id: int,
               records_number: Any) -> tuple[JournalEntry, JournalPackage, Delivery]:
    readable = readable_version(actor=actor, case_id=case_id, document_id=document_id)
    refusal = journal_refusal(actor, readable)
    if refusal:
        raise PermissionDenied(refusal)
    number = records_number.strip() if isinstance(records_number, str) else ""
    if not number or len(number) > 60 or text_problem(number, name=True, multiline=False):
        raise ValidationFailed({"records_number": "Skriv ESDH-systemets sags- eller "
                                                  "dokumentnummer (højst 60 tegn), fx 26/01234."})
    package = build_package(readable, number)
    delivery = adapter().deliver(package, number)
    with transaction.atomic():
        entry = JournalEntry.objects.create(
            document=readable.document, version=readable.version, records_number=number,
            adapter=delivery.adapter, package_sha256=package.sha256, journalised_by=actor,
            journalised_at=timezone.now())
        audit_append(organisation_id=readable.case.organisation_id, actor=actor,
                     actor_role=acting_role(actor, _granting_roles(readable)),
                     event_type="document.journalised", object_id=readable.document.pk,
                     case_id=readable.case.pk,
                     after={"title": readable.document.title, "version": readable.version.number,
                            "records_number": number, "adapter": delivery.adapter,
                            "package_sha256": package.sha256})
    return entry, package, delivery
