"""In Chromium: upload on step 4, see the versions, download; also without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from anskaf import testing
from anskaf.web.tests.browser.helpers import assert_accessible, log_in, step, upload_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% Produktbeskrivelse\n%%EOF\n"


@pytest.fixture
def case_url(live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                    full_name="Karen Koordinator")
    case = testing.new_case(coordinator, title="Dokumentsag")
    return f"{live_server.url}/sager/{case.pk}/"


def test_upload_on_step_4_lists_the_version_and_downloads_it(page: Page, live_server, case_url):
    log_in(page, live_server.url, "koordinator")
    page.goto(case_url)
    section = step(page, 4)
    expect(section).to_contain_text("Sikkerhedsbeskrivelse")
    assert_accessible(page)

    upload_files(page, 4, "Produktbeskrivelse",
                 [("Produktbeskrivelse æøå.pdf", PDF), ("Noter.txt", "Noter om Ærø".encode())])
    section = step(page, 4)
    table = section.get_by_role("table", name="Produktbeskrivelse æøå.pdf")
    expect(table).to_contain_text("Karen Koordinator")
    expect(table.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)

    # The same name again is version 2; both stay in the history.
    upload_files(page, 4, "Produktbeskrivelse", [("Produktbeskrivelse æøå.pdf", PDF + b"v2")])
    table = step(page, 4).get_by_role("table", name="Produktbeskrivelse æøå.pdf")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("2")

    with page.expect_download() as info:
        table.get_by_role("link", name="Hent Produktbeskrivelse æøå.pdf (version 1)").click()
    download = info.value
    assert download.suggested_filename == "Produktbeskrivelse æøå.pdf"
    with open(download.path(), "rb") as f:
        assert f.read() == PDF
    assert_accessible(page)


def test_a_refused_file_shows_its_message_at_the_step(page: Page, live_server, case_url):
    log_in(page, live_server.url, "koordinator")
    page.goto(case_url)
    section = step(page, 4)
    section.get_by_label("Filer til trin 4").set_input_files(
        [{"name": "faktura.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 10}])
    section.get_by_role("button", name="Upload filer til trin 4").click()
    expect(section.get_by_role("status").filter(has_text="program")).to_be_visible()
    assert_accessible(page)


def test_files_can_be_dropped_on_the_field(page: Page, live_server, case_url):
    log_in(page, live_server.url, "koordinator")
    page.goto(case_url)
    step(page, 4)
    count = page.evaluate("""() => {
        const zone = document.querySelector('#trin-4 [data-dropzone]');
        const data = new DataTransfer();
        data.items.add(new File(['%PDF-1.4 slip'], 'Sluppet.pdf', {type: 'application/pdf'}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        return zone.querySelector('input[type=file]').files.length;
    }""")
    assert count == 1
    step(page, 4).get_by_role("button", name="Upload filer til trin 4").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("Sluppet.pdf")


def test_without_javascript_the_form_posts_normally(browser: Browser, live_server, case_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/log-ind/")
        page.get_by_label("Brugernavn").fill("koordinator")
        page.get_by_label("Adgangskode").fill("demo")
        page.get_by_role("button", name="Log ind").click()
        # Step 4 is not what the new case waits on: one line whose body, without JavaScript,
        # is on the step's own page (ADR 0013, 0020).
        page.goto(f"{case_url}trin/4/")
        section = page.locator("#trin-4")
        section.get_by_label("Filer til trin 4").set_input_files(
            [{"name": "Uden JS.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        section.get_by_role("button", name="Upload filer til trin 4").click()
        expect(page.locator(".anskaf-messages")).to_contain_text("Uden JS.pdf")
        page.goto(f"{case_url}trin/4/")
        expect(page.locator("#trin-4").get_by_role("table", name="Uden JS.pdf")).to_be_attached()
    finally:
        context.close()


def test_the_template_admin_and_journal_pages_are_accessible(page: Page, live_server, case_url):
    from anskaf.cases.models import Case
    from anskaf.documents.testing import upload

    case = Case.objects.get()
    org_id = case.organisation_id
    from anskaf.orgs.models import Organisation

    org = Organisation.objects.get(pk=org_id)
    testing.make_user(org, "admin", "admin", full_name="Ada Admin")
    coordinator = case.coordinator
    testing.advance(coordinator, case, through=9)
    version = upload(coordinator, case, 10, "support_agreement", "Driftsaftale æøå.pdf")

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Skabeloner").click()
    assert_accessible(page)
    page.get_by_role("button", name="Gem skabelonen").click()  # nothing filled in
    expect(page.get_by_role("alert")).to_contain_text("Skriv en titel")
    assert_accessible(page)
    page.get_by_label("Titel").fill("Skabelon til databehandleraftale")
    page.get_by_label("Trin").select_option("11")
    page.get_by_label("Fil").set_input_files(
        [{"name": "DBA-skabelon.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Gem skabelonen").click()
    expect(page.get_by_role("table")).to_contain_text("Skabelon til databehandleraftale")
    assert_accessible(page)

    page.goto(case_url)
    expect(step(page, 11)).to_contain_text("Hent skabelonen »Skabelon til databehandleraftale«")
    page.goto(f"{live_server.url}/sager/{case.pk}/dokumenter/{version.document_id}/journaliser/")
    assert_accessible(page)
    page.get_by_label("Nummer i ESDH-systemet").fill("")
    page.get_by_role("button", name="Journalisér og hent pakken").click()
    expect(page.get_by_role("alert")).to_contain_text("ESDH")
    assert_accessible(page)
    page.get_by_label("Nummer i ESDH-systemet").fill("26/01234")
    with page.expect_download() as info:
        page.get_by_role("button", name="Journalisér og hent pakken").click()
    assert info.value.suggested_filename.endswith(".zip")
    page.goto(case_url)
    expect(step(page, 10)).to_contain_text("Journaliseret som 26/01234")
    assert_accessible(page)
