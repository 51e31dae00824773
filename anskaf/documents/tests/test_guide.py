"""The filled-in guide as PDF and Word, parsed back: every step's title, status and remarks."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.process_models import model_for

LONG = ("Leverandøren har bekræftet, at løsningen håndterer ældre borgeres data i Ærø- og "
        "Haderslev-kommunernes format; " * 12).strip()


@pytest.fixture
def filled(coordinator, case):
    testing.advance(coordinator, case, through=7, rationale="Godkendt på mødet – økonomien hænger sammen")
    for n in (1, 2, 3):
        services.step_update(actor=coordinator, case_id=case.pk, number=n,
                             remarks=f"Bemærkning til trin {n}: æøå ÆØÅ")
    services.step_update(actor=coordinator, case_id=case.pk, number=8, remarks=LONG)
    return case


def fetch(coordinator, case, fmt: str) -> bytes:
    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse(f"documents:guide_{fmt}", args=[case.pk]))
    assert response.status_code == 200
    assert f"Vejledning {case.number}.{fmt}" in response["Content-Disposition"]
    return response.content


def squash(text: str) -> str:
    """Text without any whitespace or soft hyphens: wrapped cells compare whole, and pypdf's
    kerning artefacts ("T eknisk") do not matter."""
    return re.sub(r"\s+", "", text.replace("\u00ad", ""))


def test_the_pdf_holds_every_step_status_and_remark(coordinator, filled):
    from pypdf import PdfReader

    content = fetch(coordinator, filled, "pdf")
    reader = PdfReader(io.BytesIO(content))
    text = squash("\n".join(page.extract_text() for page in reader.pages))
    model = model_for(filled)
    for step in model.steps:
        assert squash(f"{step.number}. {step.title.da}") in text, step.number
    for expected in ("Gennemført ja/nej", "Egne bemærkninger", "Ja", "Nej", "Tidslinje",
                     "oprettede sagen", "Godkendt på mødet – økonomien hænger sammen",
                     *(f"Bemærkning til trin {n}: æøå ÆØÅ" for n in (1, 2, 3))):
        assert squash(expected) in text, expected
    # A long remark wraps over lines and pages (the table header repeats): every sentence is there.
    assert text.count(squash("Leverandøren har bekræftet, at løsningen")) == 12
    assert text.count(squash("Haderslev-kommunernes format;")) == 12
    assert squash("Ikke relevant: Sagen erstatter ikke et eksisterende system.") in text
    # PDF/A-2b: the XMP metadata claims part 2, conformance B, and an output intent is set.
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{0,3}2", xmp) and re.search(rb"pdfaid:conformance[^A-Z]{0,3}B", xmp)
    assert "/OutputIntents" in root


def test_the_docx_has_one_row_per_step_with_status_and_remarks(coordinator, filled):
    from docx import Document

    doc = Document(io.BytesIO(fetch(coordinator, filled, "docx")))
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Trin", "Beskrivelse", "Udfører/interessenter", "Gennemført ja/nej",
                      "Egne bemærkninger", "Tjekliste"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    model = model_for(filled)
    assert [r[0] for r in rows] == [f"{s.number}. {s.title.da}" for s in model.steps]
    by_number = {int(r[0].split(".")[0]): r for r in rows}
    for n in (1, 2, 3):
        assert by_number[n][3] == "Ja"
        assert by_number[n][4] == f"Bemærkning til trin {n}: æøå ÆØÅ"
    assert by_number[8][3].startswith("Nej") and by_number[8][4] == LONG
    assert by_number[20][3] == "Nej"
    assert by_number[21][3] == "Ikke relevant: Sagen erstatter ikke et eksisterende system."
    assert "☒" in by_number[1][5] or "☐" in by_number[1][5]
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    assert "Godkendt på mødet – økonomien hænger sammen" in paragraphs
    assert "Tidslinje" in paragraphs and "oprettede sagen" in paragraphs
