"""Test and demo builders for documents (used by anskaf.testing.advance and anskaf.demo)."""

from __future__ import annotations

import io
from typing import Any

from anskaf.cases.process_models import model_for

from .models import DocumentVersion

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class NamedBytes(io.BytesIO):
    """An in-memory file with a name and size, as an upload gives the services."""

    def __init__(self, content: bytes, name: str) -> None:
        super().__init__(content)
        self.name = name
        self.size = len(content)


def pdf_file(name: str = "dokument.pdf", text: str = "") -> NamedBytes:
    return NamedBytes(MINIMAL_PDF + text.encode("utf-8"), name)


def upload(actor: Any, case: Any, number: int, type_key: str, name: str = "dokument.pdf",
           content: bytes | None = None) -> DocumentVersion:
    from .services import document_upload

    f = NamedBytes(content if content is not None else MINIMAL_PDF, name)
    return document_upload(actor=actor, case_id=case.pk, number=number, type_key=type_key,
                           fileobj=f, name=name, size=f.size)


def provide_required(actor: Any, case: Any, number: int) -> None:
    """Upload a small PDF for each required document type of the step that has none."""
    from .guards import missing_required

    step = model_for(case).step(number)
    missing = set(missing_required(case, number))
    for doc_type in step.documents:
        if doc_type.required and doc_type.title.da in missing:
            upload(actor, case, number, doc_type.key, f"{doc_type.title.da}.pdf")
