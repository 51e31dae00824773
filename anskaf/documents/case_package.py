"""Journalising a whole case: one ZIP for the records system (ESDH, Acadre).

The package holds the filled-in guide as PDF/A (`guide.guide_pdf`), every current document
(the latest version of each), the decisions, parts other apps add (the meetings app adds the
extracts of approved minutes that concern the case) and metadata.json naming the ESDH case
number. Delivered by the same JournalAdapter as a single document's package. The ESDH number
given is recorded on the case (`cases.services.case_update`, audited) when it differs.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from anskaf.audit.services import audit_append
from anskaf.cases import permissions
from anskaf.cases import services as case_services
from anskaf.cases.errors import PermissionDenied, ValidationFailed
from anskaf.cases.selectors import CaseDetail, case_detail
from anskaf.orgs.models import User
from anskaf.validation.text import export_safe, text_problem

from . import guide
from .journal import Delivery, JournalPackage, adapter
from .models import Document
from .permissions import package_refusal, read_refusal
from .storage import document_storage

# A part another app adds: (case detail, viewer) -> [(path in the ZIP, bytes), ...]
PartMaker = Callable[[CaseDetail, User], list[tuple[str, bytes]]]
_parts: list[PartMaker] = []


def register_part(maker: PartMaker) -> None:
    """Apps above documents add their part of the package (in their AppConfig.ready)."""
    if maker not in _parts:
        _parts.append(maker)


def clean_records_number(value: Any) -> str:
    number = value.strip() if isinstance(value, str) else ""
    if not number or len(number) > 60 or text_problem(number, name=True, multiline=False):
        raise ValidationFailed({"records_number": "Skriv sagens nummer i ESDH-systemet (højst "
                                                  "60 tegn), fx 26/01234."})
    return number


def _documents(detail: CaseDetail, viewer: User) -> list[tuple[str, bytes, dict[str, Any]]]:
    """The latest version of every document the viewer may read, by step."""
    storage = document_storage()
    assignees = {s.number: s.assignee_id for s in detail.states}
    out = []
    docs = (Document.objects.filter(case=detail.case, versions__isnull=False).distinct()
            .prefetch_related("versions").order_by("step", "type_key", "title"))
    for document in docs:
        step = detail.model.step(document.step) if detail.model.has_step(document.step) else None
        doc_type = step.document_type(document.type_key) if step else None
        if read_refusal(viewer, detail.case, step, doc_type, assignees.get(document.step)):
            continue
        latest = max(document.versions.all(), key=lambda v: v.number)
        with storage.open(latest.storage_name, "rb") as f:
            content = f.read()
        name = export_safe(f"dokumenter/trin-{document.step:02d}/v{latest.number}-"
                           f"{latest.original_name}")
        out.append((name, content, {"title": document.title, "step": document.step,
                                    "type": document.type_key, "version": latest.number}))
    return out


def _decisions(detail: CaseDetail) -> bytes:
    rows = [{"step": d.step, "round": d.round, "outcome": d.outcome, "rationale": d.rationale,
             "recommendations": d.recommendations, "it_contacts": list(d.it_contacts),
             "missing_documentation": list(d.missing_documentation),
             "decided_by": d.decided_by.display_name() if d.decided_by else "",
             "decided_role": d.decided_role, "decided_at": d.decided_at.isoformat()}
            for d in sorted(detail.decisions, key=lambda d: (d.decided_at, d.pk))]
    return json.dumps(export_safe_tree(rows), ensure_ascii=False, indent=2).encode()


def export_safe_tree(value: Any) -> Any:
    if isinstance(value, str):
        return export_safe(value)
    if isinstance(value, list):
        return [export_safe_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: export_safe_tree(v) for k, v in value.items()}
    return value


def build_case_package(*, viewer: User, detail: CaseDetail, records_number: str
                       ) -> JournalPackage:
    case = detail.case
    files: list[tuple[str, bytes]] = [
        ("vejledning.pdf", guide.guide_pdf(guide.build_guide(viewer=viewer, case_id=case.pk)))]
    documents = _documents(detail, viewer)
    files += [(name, content) for name, content, _ in documents]
    files.append(("beslutninger.json", _decisions(detail)))
    for maker in _parts:
        files += maker(detail, viewer)
    metadata = export_safe_tree({
        "case": {"number": case.number, "title": case.title,
                 "records_case_number": records_number,
                 "unit": getattr(case.requesting_unit, "name", ""),
                 "status": case.status, "supplier": case.supplier_name},
        "records_number": records_number,
        "generated_at": timezone.now().isoformat(),
        "generated_by": viewer.display_name(),
        "documents": [meta | {"file": name} for name, _, meta in documents],
        "files": [{"name": name, "sha256": hashlib.sha256(content).hexdigest(),
                   "size": len(content)} for name, content in files],
    })
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
        archive.writestr("metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2))
    return JournalPackage(f"Journalpakke {case.number} hele sagen.zip", out.getvalue(), metadata)


def case_journalise(*, actor: User, case_id: int, records_number: Any
                    ) -> tuple[JournalPackage, Delivery]:
    """Build the whole case's package, record the ESDH number on the case when it differs, and
    audit the package (its SHA-256) as `case.journalised`: one transaction."""
    detail = case_detail(viewer=actor, case_id=case_id)  # 404 before 403
    if refusal := package_refusal(actor, detail.case):
        raise PermissionDenied(refusal)
    number = clean_records_number(records_number)
    package = build_case_package(viewer=actor, detail=detail, records_number=number)
    delivery = adapter().deliver(package, number)
    with transaction.atomic():
        case_services.case_records_number_set(actor=actor, case_id=detail.case.pk,
                                              records_number=number)
        audit_append(organisation_id=detail.case.organisation_id, actor=actor,
                     actor_role=case_services.acting_role(
                         actor, (*permissions.CASE_MANAGERS, "admin")),
                     event_type="case.journalised", object_id=detail.case.pk,
                     case_id=detail.case.pk,
                     after={"records_number": number, "adapter": delivery.adapter,
                            "package_sha256": package.sha256,
                            "files": len(package.metadata["files"]) + 1})
    return package, delivery
