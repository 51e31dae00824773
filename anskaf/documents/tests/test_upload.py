"""Uploading documents: versions, who may, and what the audit trail and storage hold."""

from __future__ import annotations

import hashlib

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases.errors import NotFound, PermissionDenied, ValidationFailed
from anskaf.documents import services
from anskaf.documents.models import Document, DocumentVersion
from anskaf.documents.testing import MINIMAL_PDF, NamedBytes, upload


def test_an_upload_is_a_first_version_with_its_checksum_and_audit_event(coordinator, case, store):
    content = MINIMAL_PDF + "Produktbeskrivelse æøå".encode()
    version = upload(coordinator, case, 4, "product_description", "Produktbeskrivelse æøå.pdf",
                     content)
    assert version.number == 1
    assert version.original_name == "Produktbeskrivelse æøå.pdf"
    assert version.document.title == "Produktbeskrivelse æøå.pdf"
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content)
    assert version.content_type == "application/pdf"
    assert version.uploaded_by == coordinator
    with store.open(version.storage_name, "rb") as f:
        assert f.read() == content
    # The stored name is random: nothing the uploader typed becomes a path.
    assert "Produkt" not in version.storage_name
    event = AuditEvent.objects.get(event_type="document.uploaded")
    assert event.case_id == case.pk
    assert event.after["sha256"] == version.sha256 and event.after["version"] == 1


def test_the_same_name_again_is_a_new_version_and_history_is_kept(coordinator, case):
    first = upload(coordinator, case, 4, "product_description", "Beskrivelse.pdf")
    second = upload(coordinator, case, 4, "product_description", "Beskrivelse.pdf",
                    MINIMAL_PDF + b"v2")
    assert second.document_id == first.document_id
    assert [v.number for v in DocumentVersion.objects.filter(document=first.document)] == [2, 1]
    assert first.sha256 != second.sha256


def test_a_new_version_of_a_named_document_may_have_another_file_name(coordinator, case):
    first = upload(coordinator, case, 4, "product_description", "Beskrivelse.pdf")
    f = NamedBytes(MINIMAL_PDF + b"ny", "Beskrivelse rettet.pdf")
    second = services.document_upload(actor=coordinator, case_id=case.pk, number=4, type_key=None,
                                      fileobj=f, name=f.name, document_id=first.document_id)
    assert second.document_id == first.document_id and second.number == 2
    assert second.original_name == "Beskrivelse rettet.pdf"


def test_another_name_is_another_document_of_the_same_type(coordinator, case):
    upload(coordinator, case, 4, "product_description", "Del 1.pdf")
    upload(coordinator, case, 4, "product_description", "Del 2.pdf")
    assert Document.objects.filter(case=case, step=4).count() == 2


def test_an_unknown_document_type_names_the_valid_ones(coordinator, case):
    with pytest.raises(ValidationFailed) as info:
        upload(coordinator, case, 4, "kontrakt")
    assert "product_description" in info.value.errors["type"]
    assert not DocumentVersion.objects.exists()


def test_a_person_who_may_not_work_on_the_step_may_not_upload(org, unit, case):
    archive = testing.make_user(org, "arkiv", "archive", unit=unit)
    with pytest.raises(PermissionDenied):
        upload(archive, case, 4, "product_description")


def test_another_municipality_gets_not_found(outsider, case):
    with pytest.raises(NotFound):
        upload(outsider, case, 4, "product_description")


def test_an_unknown_step_is_not_found(coordinator, case):
    with pytest.raises(NotFound):
        upload(coordinator, case, 99, "product_description")


def test_the_case_page_reads_only_the_documents_of_the_steps_it_renders(coordinator, case):
    from anskaf.cases.process_models import model_for
    from anskaf.documents.selectors import case_documents

    upload(coordinator, case, 2, "requirements_specification", "Krav.pdf")
    upload(coordinator, case, 4, "product_description", "Beskrivelse.pdf")
    upload(coordinator, case, 4, "product_description", "Beskrivelse.pdf", MINIMAL_PDF + b"v2")

    def titles(docs, number):
        return [(v.document.title, [x.number for x in v.versions])
                for t in docs[number].types for v in t.documents]

    model = model_for(case)
    everything = case_documents(viewer=coordinator, case=case, model=model, assignees={})
    assert titles(everything, 2) == [("Krav.pdf", [1])]
    assert titles(everything, 4) == [("Beskrivelse.pdf", [2, 1])]
    open_4 = case_documents(viewer=coordinator, case=case, model=model, assignees={}, only={4})
    assert 2 not in open_4  # not read at all
    assert titles(open_4, 4) == [("Beskrivelse.pdf", [2, 1])]
