"""The whole case as one journal package (issue 19, item 11): the guide as PDF/A, every current
document, decisions, minutes extracts and metadata naming the ESDH number, which is recorded on
the case (audited). UI action on the case page and API."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from anskaf import testing
from anskaf.api.tests.conftest import ApiClient, error_of
from anskaf.audit.models import AuditEvent
from anskaf.cases import services as case_services
from anskaf.cases.errors import PermissionDenied, ValidationFailed
from anskaf.documents import case_package
from anskaf.documents.testing import upload
from anskaf.meetings import services as meetings
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def journalled(coordinator, board_member):
    """A case the board said Måske to (approved minutes), with two versions of a document."""
    case = ready_case(coordinator, title="Nyt omsorgssystem")
    other = ready_case(coordinator, title="Andet system")
    meeting = schedule(board_member, participants=[board_member.username])
    item = put_on_agenda(board_member, coordinator, case, meeting)
    put_on_agenda(board_member, coordinator, other, meeting)
    meetings.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    meetings.outcome_record(actor=board_member, item_id=item.pk, outcome="maybe",
                            rationale="Sikkerheden er ikke beskrevet.",
                            missing_documentation="Beskrivelse af sikkerheden")
    meetings.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    meetings.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    meetings.minutes_approve(actor=board_member, meeting_id=meeting.pk)
    upload(coordinator, case, 2, "business_case", "Notat.pdf")
    upload(coordinator, case, 2, "business_case", "Notat.pdf",
           content=b"%PDF-1.4\n% v2\n%%EOF\n")
    return case


def _zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_package_holds_guide_documents_decisions_minutes_and_metadata(coordinator,
                                                                          journalled):
    package, delivery = case_package.case_journalise(actor=coordinator, case_id=journalled.pk,
                                                     records_number="26/04711")
    assert delivery.download
    archive = _zip(package.content)
    names = archive.namelist()
    assert archive.read("vejledning.pdf").startswith(b"%PDF")
    guide = PdfReader(io.BytesIO(archive.read("vejledning.pdf")))
    xmp = guide.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp  # PDF/A
    documents = [n for n in names if n.startswith("dokumenter/")]
    assert len(documents) == 1 and "/v2-Notat.pdf" in documents[0]  # the current version only
    decisions = json.loads(archive.read("beslutninger.json"))
    assert [d["outcome"] for d in decisions] == ["maybe"]
    extracts = [n for n in names if n.startswith("referatuddrag/")]
    assert len(extracts) == 1
    text = archive.read(extracts[0]).decode()
    assert "Nyt omsorgssystem" in text and "Andet system" not in text
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["case"]["records_case_number"] == "26/04711"
    assert {f["name"] for f in metadata["files"]} == set(names) - {"metadata.json"}


def test_the_esdh_number_is_recorded_on_the_case_and_audited(coordinator, journalled):
    case_package.case_journalise(actor=coordinator, case_id=journalled.pk,
                                 records_number="26/04711")
    journalled.refresh_from_db()
    assert journalled.records_case_number == "26/04711"
    changed = AuditEvent.objects.get(event_type="case.updated", case_id=journalled.pk)
    assert changed.after == {"records_case_number": "26/04711"}
    done = AuditEvent.objects.get(event_type="case.journalised", case_id=journalled.pk)
    assert done.after["records_number"] == "26/04711" and len(done.after["package_sha256"]) == 64


def test_a_closed_case_can_still_be_journalised(coordinator):
    case = testing.new_case(coordinator)
    case_services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Ikke længere behov")
    case_package.case_journalise(actor=coordinator, case_id=case.pk, records_number="26/1")
    case.refresh_from_db()
    assert case.records_case_number == "26/1"


def test_refusals(coordinator, requester, journalled):
    with pytest.raises(PermissionDenied):
        case_package.case_journalise(actor=requester, case_id=journalled.pk,
                                     records_number="26/1")
    with pytest.raises(ValidationFailed) as info:
        case_package.case_journalise(actor=coordinator, case_id=journalled.pk,
                                     records_number="  ")
    assert set(info.value.errors) == {"records_number"}


def test_the_case_page_offers_it_and_the_form_keeps_the_number(coordinator, journalled):
    client = Client()
    client.force_login(coordinator)
    url = f"/sager/{journalled.pk}/journaliser/"
    assert url in client.get(f"/sager/{journalled.pk}/").content.decode()
    bad = client.post(url, {"records_number": "x" * 61})
    assert bad.status_code == 400 and "x" * 61 in bad.content.decode()
    ok = client.post(url, {"records_number": "26/04711"})
    assert ok.status_code == 200 and ok["Content-Type"] == "application/zip"
    assert "vejledning.pdf" in _zip(ok.content).namelist()


def test_the_api_journalises_the_case_and_a_document(coordinator, requester, journalled):
    api = ApiClient(coordinator)
    response = api.post(f"/cases/{journalled.pk}/journal-package", {"records_number": "26/9"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "metadata.json" in _zip(response.content).namelist()
    refused = ApiClient(requester).post(f"/cases/{journalled.pk}/journal-package",
                                        {"records_number": "26/9"})
    assert refused.status_code == 403 and error_of(refused) == "forbidden"
    bad = api.post(f"/cases/{journalled.pk}/journal-package", {})
    assert bad.status_code == 400 and error_of(bad) == "validation_error"
