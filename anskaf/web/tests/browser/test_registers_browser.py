"""Issue 19, items 4, 11 and 12 in the browser, each page checked with axe-core: a "Hvis
relevant" agreement declared not relevant on step 13, the whole case journalised with its ESDH
number, and the archive role's assessment before the archive step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.portfolio import services as portfolio
from anskaf.portfolio.models import System

from .helpers import assert_accessible, log_in, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECOMMISSION, CLOSE_PREVIOUS = 13, 21


@pytest.fixture
def people():
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                    full_name="Karen Koordinator")
    archivist = testing.make_user(org, "arkivar", "archive", full_name="Arne Arkivar")
    return org, coordinator, archivist


def test_an_agreement_not_relevant_and_the_whole_case_journalised(page: Page, live_server,
                                                                   people):
    _, coordinator, _ = people
    case = testing.new_case(coordinator, title="Nyt ESDH", replaces_system=True,
                            replaced_system_name="Gammelt ESDH")
    testing.advance(coordinator, case, through=DECOMMISSION - 1)
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/{case.pk}/trin/{DECOMMISSION}/")
    section = page.locator(".anskaf-waivable")
    expect(section).to_contain_text("Aftale om arkivering af data")
    section.get_by_text("Ikke relevant: Aftale om arkivering af data").click()
    section.get_by_label("Hvorfor er »Aftale om arkivering af data« ikke relevant?").fill(
        "Data slettes efter aftale med arkivet.")
    section.get_by_role("button", name="Markér kravet som ikke relevant").click()
    expect(page.locator(".anskaf-waivable")).to_contain_text(
        "ikke relevant – Data slettes efter aftale med arkivet.")
    assert_accessible(page)

    page.goto(f"{live_server.url}/sager/{case.pk}/")
    page.get_by_role("link", name="Journalisér hele sagen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journalisér hele sagen")
    assert_accessible(page)
    page.get_by_role("button", name="Journalisér og hent pakken").click()
    expect(page.locator("[data-autofocus]")).to_contain_text("ESDH")
    assert_accessible(page)
    page.get_by_label("Sagens nummer i ESDH-systemet").fill("26/04711")
    with page.expect_download() as download:
        page.get_by_role("button", name="Journalisér og hent pakken").click()
    assert download.value.suggested_filename.endswith("hele sagen.zip")
    case.refresh_from_db()
    assert case.records_case_number == "26/04711"


def test_the_archive_role_records_its_assessment(page: Page, live_server, people):
    org, coordinator, _ = people
    old = System.objects.create(organisation=org, name="Gammelt ESDH", case_records=True)
    case = testing.new_case(coordinator, title="Nyt ESDH", replaces_system=True,
                            replaced_system_name="x")
    portfolio.case_link(actor=coordinator, case_id=case.pk, kind="replaced", system_id=old.pk)
    testing.advance(coordinator, case, through=CLOSE_PREVIOUS - 1)
    log_in(page, live_server.url, "arkivar")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    section = step(page, CLOSE_PREVIOUS)
    expect(section).to_contain_text("afventer den arkivansvarliges vurdering")
    section.get_by_role("link", name="Registrér vurderingen af Gammelt ESDH").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arkivvurdering af Gammelt ESDH")
    assert_accessible(page)
    page.get_by_label("Plan for arkiveringsversionen").fill("Afleveres til Rigsarkivet.")
    page.get_by_role("button", name="Gem vurderingen").click()
    expect(page.get_by_label("Plan for arkiveringsversionen")).to_have_value(
        "Afleveres til Rigsarkivet.")  # kept on the refusal
    assert_accessible(page)
    page.get_by_label("Skal systemet arkiveres?").select_option(label="Skal arkiveres")
    page.get_by_role("button", name="Gem vurderingen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("Arkivvurderingen af »Gammelt ESDH«")
    expect(step(page, CLOSE_PREVIOUS)).to_contain_text("Skal arkiveres – Afleveres til Rigsarkivet.")
    assert_accessible(page)
