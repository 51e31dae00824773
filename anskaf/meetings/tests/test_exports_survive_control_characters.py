"""Every export is safe for text stored before the text rule (issue 21.1): control characters
written by the ORM, past every check, do not break the guide (Word, PDF), the meeting's PDFs
and invitation, or the journal package."""

from __future__ import annotations

import io
import json
import zipfile

import docx
import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from anskaf import testing
from anskaf.cases.models import Case, Decision, StepState
from anskaf.documents.models import Document, DocumentVersion
from anskaf.documents.testing import upload
from anskaf.meetings import services
from anskaf.meetings.models import AgendaItem, Meeting, MinutesRevision
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule

pytestmark = pytest.mark.django_db

NASTY = "A\x01B\x07C\x08D\x0bE\x0cF\x1bG\x1fH\x7fI\x85J\x9fK\ufffeL\u202eM"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def poisoned(coordinator, board_member):
    board_member.email = "visitation@haderslev.dk"
    board_member.first_name = f"Bo{NASTY}"
    board_member.save()
    case = ready_case(coordinator, title="Omsorgssystem")
    meeting = schedule(board_member, participants=[board_member.username])
    item = put_on_agenda(board_member, coordinator, case, meeting)
    services.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    services.outcome_record(actor=board_member, item_id=item.pk, outcome="maybe",
                            rationale="Sikkerheden er ikke beskrevet.",
                            missing_documentation="Beskrivelse af sikkerheden")
    services.meeting_hold(actor=board_member, meeting_id=meeting.pk)
    services.minutes_generate(actor=board_member, meeting_id=meeting.pk)
    testing.advance(coordinator, case, through=11)
    version = upload(coordinator, case, 12, "signed_contract", "Kontrakt.docx",
                     _docx_bytes())
    # Past every check: straight into the database, as text stored before the rule would be.
    Case.objects.filter(pk=case.pk).update(title=f"Sag {NASTY}", need=NASTY,
                                           supplier_name=NASTY)
    StepState.objects.filter(case=case).update(remarks=f"Bemærkning {NASTY}")
    Decision.objects.filter(case=case).update(rationale=f"Begrundelse {NASTY}",
                                              recommendations=NASTY)
    Meeting.objects.filter(pk=meeting.pk).update(title=f"Møde {NASTY}", place=f"Sted {NASTY}")
    AgendaItem.objects.filter(meeting=meeting).update(title=f"Punkt {NASTY}", notes=NASTY)
    MinutesRevision.objects.filter(meeting=meeting).update(text=f"Referat {NASTY}",
                                                           reason=NASTY)
    Document.objects.filter(pk=version.document_id).update(title=f"Kontrakt {NASTY}.docx")
    DocumentVersion.objects.filter(pk=version.pk).update(original_name=f"K{NASTY}.docx")
    return case, meeting, version


def _docx_bytes() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Kontrakt")
    document.save(out)
    return out.getvalue()


def test_the_guide_opens_in_word_and_as_pdf(poisoned, coordinator):
    case, _, _ = poisoned
    client = _client(coordinator)
    word = client.get(reverse("documents:guide_docx", args=[case.pk]))
    assert word.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "Sag A B C D E F G H I J K L\u202eM" in text
    cells = [c.text for t in docx.Document(io.BytesIO(word.content)).tables
             for r in t.rows for c in r.cells]
    assert any(c.startswith("Bemærkning A B") for c in cells)
    pdf = client.get(reverse("documents:guide_pdf", args=[case.pk]))
    assert pdf.status_code == 200
    assert "Bemærkning A B" in _pdf_text(pdf.content)


def test_the_meetings_pdfs_and_invitation_open(poisoned, board_member):
    _, meeting, _ = poisoned
    client = _client(board_member)
    agenda = client.get(f"/it-visitationen/moeder/{meeting.pk}/dagsorden.pdf")
    assert agenda.status_code == 200 and "Punkt A B" in _pdf_text(agenda.content)
    minutes = client.get(f"/it-visitationen/moeder/{meeting.pk}/referat.pdf")
    assert minutes.status_code == 200 and "Referat A B" in _pdf_text(minutes.content)
    ics = client.get(f"/it-visitationen/moeder/{meeting.pk}/moede.ics")
    assert ics.status_code == 200
    assert b"\x1b" not in ics.content and b"\x01" not in ics.content
    [event] = Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["summary"]).startswith("Møde A B C")
    assert str(event["location"]).startswith("Sted A B")


def test_the_journal_package_opens_with_its_cover_sheet_and_metadata(poisoned, coordinator):
    case, _, version = poisoned
    url = reverse("documents:journalise", args=[case.pk, version.document_id])
    response = _client(coordinator).post(url, {"records_number": "26/01234"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    meta = json.loads(archive.read("metadata.json"))
    assert meta["case"]["title"].startswith("Sag A B C") and "\x1b" not in meta["title"]
    cover = _pdf_text(archive.read("dokument.pdf"))
    assert "Sag A B" in cover
    assert all("\x1b" not in name for name in archive.namelist())
