"""The web side: the step shows its documents, uploads as a form post, downloads checked."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.documents.models import DocumentVersion, JournalEntry, OrgTemplate
from anskaf.documents.testing import MINIMAL_PDF, upload

from .conftest import stored_names


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def upload_url(case, number: int = 4) -> str:
    return reverse("documents:upload", args=[case.pk, number])


def test_the_case_page_shows_types_missing_documents_and_the_upload_form(coordinator, case):
    testing.advance(coordinator, case, through=10)
    c = client_for(coordinator)
    page = c.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Mangler, før trinnet kan gennemføres:</strong> Databehandleraftale" in page
    assert 'enctype="multipart/form-data"' in page and "multiple" in page
    assert "documents/upload.js" in page
    # Step 4 is done, so closed: its documents come with its body (its page, or the fragment
    # the case page fetches when it is opened).
    assert "Sikkerhedsbeskrivelse" not in page and "Konfigurationsskema" not in page
    step_page = c.get(reverse("cases:step_detail", args=[case.pk, 4])).content.decode()
    assert "Sikkerhedsbeskrivelse" in step_page and "Konfigurationsskema" in step_page
    assert "documents/upload.js" in step_page
    assert 'enctype="multipart/form-data"' in step_page
    fragment = c.get(reverse("cases:step_detail", args=[case.pk, 4]), {"del": "indhold"})
    assert "Sikkerhedsbeskrivelse" in fragment.content.decode()


def test_a_plain_form_post_uploads_several_files_and_redirects_to_the_step(coordinator, case):
    files = [SimpleUploadedFile("Produkt æøå.pdf", MINIMAL_PDF, "application/pdf"),
             SimpleUploadedFile("Noter.txt", "Noter om Ærø".encode(), "text/plain")]
    c = client_for(coordinator)
    response = c.post(upload_url(case), {"type": "product_description", "files": files})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/sager/{case.pk}/?aaben=4#trin-4")
    assert sorted(DocumentVersion.objects.values_list("original_name", flat=True)) == [
        "Noter.txt", "Produkt æøå.pdf"]
    # The step's documents are a part of the page, loaded after the first response (ADR 0042).
    page = testing.page_with_parts(c, response["Location"])
    assert "Uploadet til trin 4" in page
    assert "Hent Produkt æøå.pdf" in page


def test_a_bad_file_renders_the_step_with_the_error_and_stores_nothing(coordinator, case, store):
    before = set(stored_names(store))
    exe = SimpleUploadedFile("faktura.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")
    response = client_for(coordinator).post(upload_url(case),
                                            {"type": "product_description", "files": [exe]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "program" in page and 'role="alert"' in page
    assert not DocumentVersion.objects.exists() and set(stored_names(store)) == before


def test_the_javascript_upload_gets_json(coordinator, case):
    c = client_for(coordinator)
    ok = c.post(upload_url(case), {"type": "product_description",
                                   "files": [SimpleUploadedFile("a.pdf", MINIMAL_PDF)]},
                HTTP_X_REQUESTED_WITH="anskaf-upload")
    assert ok.status_code == 200 and ok.json()["redirect"].endswith("#trin-4")
    bad = c.post(upload_url(case), {"type": "product_description",
                                    "files": [SimpleUploadedFile("a.pdf", b"")]},
                 HTTP_X_REQUESTED_WITH="anskaf-upload")
    assert bad.status_code == 400 and "tom" in bad.json()["message"]


def test_download_streams_the_file_with_a_danish_name(coordinator, case):
    version = upload(coordinator, case, 4, "product_description", "Beskrivelse æøå.pdf")
    response = client_for(coordinator).get(
        reverse("documents:download", args=[case.pk, version.document_id, 1]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Beskrivelse æøå.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_download_is_checked_on_every_request(coordinator, org, unit, case):
    testing.advance(coordinator, case, through=11)
    version = upload(coordinator, case, 12, "signed_contract", "Kontrakt.pdf")
    url = reverse("documents:download", args=[case.pk, version.document_id, 1])
    it = testing.make_user(org, "it-person", "it")
    assert client_for(it).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # to the login page


def test_download_from_another_municipality_is_not_found(outsider, coordinator, case):
    version = upload(coordinator, case, 4, "product_description")
    url = reverse("documents:download", args=[case.pk, version.document_id, 1])
    assert client_for(outsider).get(url).status_code == 404


def test_upload_by_someone_without_the_step_is_forbidden(org, unit, case):
    archive = testing.make_user(org, "arkivar", "archive", unit=unit)
    response = client_for(archive).post(upload_url(case), {
        "type": "product_description", "files": [SimpleUploadedFile("a.pdf", MINIMAL_PDF)]})
    assert response.status_code == 403
    assert not DocumentVersion.objects.exists()


# --- templates ---------------------------------------------------------------------------------


def test_an_admin_uploads_a_template_that_step_3_offers(org, coordinator, case):
    admin = testing.make_user(org, "admin", "admin")
    response = client_for(admin).post(reverse("documents:template_admin"), {
        "title": "IT's standardkrav", "step": "3",
        "file": SimpleUploadedFile("Standardkrav æøå.pdf", MINIMAL_PDF)})
    assert response.status_code == 302
    template = OrgTemplate.objects.get()
    # step 3 of a new case is one folded line on the case page: its own page offers the template
    page = client_for(coordinator).get(reverse("cases:step_detail", args=[case.pk, 3])).content.decode()
    assert "Hent skabelonen »IT&#x27;s standardkrav«" in page
    got = client_for(coordinator).get(reverse("documents:template_download", args=[template.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == MINIMAL_PDF


def test_a_bad_template_is_refused_with_its_field(org):
    admin = testing.make_user(org, "admin", "admin")
    response = client_for(admin).post(reverse("documents:template_admin"), {
        "title": "", "step": "3", "file": SimpleUploadedFile("a.pdf", MINIMAL_PDF)})
    assert response.status_code == 400 and "Skriv en titel" in response.content.decode()
    assert not OrgTemplate.objects.exists()


def test_only_admins_keep_templates(coordinator):
    assert client_for(coordinator).get(reverse("documents:template_admin")).status_code == 403


# --- journalising -------------------------------------------------------------------------------


def test_journalising_the_contract_gives_a_zip_and_records_the_number(coordinator, case):
    testing.advance(coordinator, case, through=11)
    upload(coordinator, case, 12, "signed_contract", "Kontrakt æøå.pdf")
    version = upload(coordinator, case, 12, "signed_contract", "Kontrakt æøå.pdf",
                     MINIMAL_PDF + b"underskrevet")
    url = reverse("documents:journalise", args=[case.pk, version.document_id])
    c = client_for(coordinator)
    assert c.get(url).status_code == 200
    refused = c.post(url, {"records_number": ""})
    assert refused.status_code == 400 and "ESDH" in refused.content.decode()
    response = c.post(url, {"records_number": "26/01234"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"dokument.pdf", "metadata.json", "originaler/v1-Kontrakt æøå.pdf",
            "originaler/v2-Kontrakt æøå.pdf"} <= names
    assert archive.read("dokument.pdf") == MINIMAL_PDF + b"underskrevet"
    meta = json.loads(archive.read("metadata.json"))
    assert meta["case"]["number"] == case.number and meta["title"] == "Kontrakt æøå.pdf"
    assert meta["document_type"]["title"] == "Underskrevet kontrakt"
    assert meta["records_number"] == "26/01234" and meta["date"]
    assert "parties" in meta
    entry = JournalEntry.objects.get()
    assert entry.journalised_by == coordinator and entry.records_number == "26/01234"
    assert entry.adapter == "download"


def test_a_non_pdf_gets_a_pdf_cover_in_its_package(coordinator, case):
    testing.advance(coordinator, case, through=9)
    version = upload(coordinator, case, 10, "support_agreement", "Aftale.txt", "Aftale æøå".encode())
    response = client_for(coordinator).post(
        reverse("documents:journalise", args=[case.pk, version.document_id]),
        {"records_number": "26/1"})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read("dokument.pdf").startswith(b"%PDF-")
    assert archive.read("originaler/v1-Aftale.txt") == "Aftale æøå".encode()


def test_types_that_are_not_journalised_have_no_action(coordinator, case):
    version = upload(coordinator, case, 4, "product_description")
    url = reverse("documents:journalise", args=[case.pk, version.document_id])
    assert client_for(coordinator).get(url).status_code == 403


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_guide_exports_need_a_visible_case(outsider, case, fmt):
    url = reverse(f"documents:guide_{fmt}", args=[case.pk])
    assert client_for(outsider).get(url).status_code == 404


class RecordsSystemForTests:
    """A JournalAdapter that files the package itself (as a direct Acadre integration would)."""

    key = "test-esdh"
    received: list[tuple[str, str]] = []

    def deliver(self, package, records_number):
        from anskaf.documents.journal import Delivery

        self.received.append((package.filename, records_number))
        return Delivery(adapter=self.key, download=False, reference=f"ESDH-{records_number}")


def test_another_journal_adapter_plugs_in_by_setting(coordinator, case, settings):
    settings.ANSKAF_JOURNAL_ADAPTER = f"{__name__}.RecordsSystemForTests"
    testing.advance(coordinator, case, through=11)
    version = upload(coordinator, case, 12, "signed_contract", "Kontrakt.pdf")
    response = client_for(coordinator).post(
        reverse("documents:journalise", args=[case.pk, version.document_id]),
        {"records_number": "26/999"})
    assert response.status_code == 302 and response["Location"].endswith("#trin-12")
    assert RecordsSystemForTests.received[-1][1] == "26/999"
    assert JournalEntry.objects.get().adapter == "test-esdh"


def test_a_request_body_cut_off_mid_file_stores_nothing(coordinator, case, store):
    """The client goes away mid-upload: the multipart body ends inside the file."""
    from django.test import Client as DjangoClient

    before = set(stored_names(store))
    boundary = "graense123"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n"
            f"product_description\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"files\"; filename=\"afbrudt.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            ).encode() + MINIMAL_PDF + b"x" * 5000  # no closing boundary: the stream just ends
    c = DjangoClient()
    c.force_login(coordinator)
    response = c.generic("POST", upload_url(case), body,
                         content_type=f"multipart/form-data; boundary={boundary}")
    # Django's parser drops a file part that never ended: the step says no file arrived.
    assert response.status_code == 400
    assert "Vælg mindst én fil" in response.content.decode()
    assert not DocumentVersion.objects.exists() and set(stored_names(store)) == before
