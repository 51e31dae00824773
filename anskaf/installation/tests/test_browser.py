"""In Chromium: the operator creates a municipality, its first admin accepts the invitation by
the link in the e-mail and lands in anskaf; every page on the way is axe-clean (ADR 0030)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.installation import services
from anskaf.notifications.models import OutboxMessage
from anskaf.web.tests.browser.helpers import assert_accessible, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_as_operator(page: Page, base: str) -> None:
    """An operator made on the command line, with a password, logged in by the form."""
    operator = services.operator_add(actor=None, username="drift", full_name="Dorte Drift",
                                     via="cli")[0]
    operator.set_password("Drift-er-sjovt-26")
    operator.save()
    page.goto(f"{base}/log-ind/")
    page.get_by_label("Brugernavn").fill("drift")
    page.get_by_label("Adgangskode").fill("Drift-er-sjovt-26")
    page.get_by_role("button", name="Log ind").click()


def test_the_operator_creates_a_municipality_and_its_admin_accepts_the_invitation(
        page: Page, live_server):
    testing.make_user(testing.make_org(), "koordinator", "coordinator")
    _log_in_as_operator(page, live_server.url)
    expect(page.get_by_role("heading", name="Kommuner på installationen", level=1)
           ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Haderslev Kommune")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Opret kommune").click()
    expect(page.get_by_role("heading", name="Opret kommune", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Kommunens navn").fill("Aabenraa Kommune")
    page.get_by_label("Kortnavn").fill("aabenraa")
    page.get_by_label("CVR-nummer").fill("29189855")  # a wrong check digit
    page.get_by_label("Forvaltninger").fill("Børn og Skole\nSocial og Sundhed")
    page.get_by_label("Første administrators fulde navn").fill("Mette Holm")
    page.get_by_label("Første administrators e-mail").fill("mette@aabenraa.dk")
    page.get_by_role("button", name="Opret kommune og send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("kontrolcifferet passer ikke")
    expect(page.get_by_label("Kommunens navn")).to_have_value("Aabenraa Kommune")
    assert_accessible(page)
    page.get_by_label("CVR-nummer").fill("29189854")
    page.get_by_role("button", name="Opret kommune og send invitation").click()
    expect(page.get_by_role("heading", name="Aabenraa Kommune", level=1)).to_be_visible()
    expect(page.get_by_text("En invitation er sendt til mette@aabenraa.dk")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    body = OutboxMessage.objects.get(to_email="mette@aabenraa.dk").body
    link = re.search(r"http://[^/\s]+(/invitation/\S+/)", body).group(1)
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Vælg din adgangskode", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Vælg en adgangskode").fill("Sommer-i-Aabenraa-26")
    page.get_by_label("Gentag adgangskoden").fill("Sommer-i-Aabenraa-26")
    page.get_by_role("button", name="Gem adgangskode og log ind").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()
    expect(page.get_by_text("Din adgangskode er gemt, og du er logget ind.")).to_be_visible()
    menu = page.get_by_role("navigation", name="Hovedmenu").first
    expect(menu.get_by_role("link", name="Administration")).to_be_visible()


def test_the_operator_publishes_a_shared_model_version(page: Page, live_server):
    from anskaf.cases.process_models import current_version, shared_latest
    from anskaf.process.tests.model_edits import rename_step, shipped

    current_version(testing.make_org().pk)
    _log_in_as_operator(page, live_server.url)
    page.get_by_role("link", name="Fælles procesmodel").click()
    expect(page.get_by_role("heading", name="Fælles procesmodel", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Modellens YAML").fill(
        rename_step(shipped(), "initial_supplier_dialogue", "Leverandørmøde (KL)"))
    page.get_by_role("button", name="Udgiv den fælles version").click()
    expect(page.get_by_text("Skriv, hvorfor modellen ændres.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Begrundelse").fill("KL's anbefalede model")
    page.get_by_role("button", name="Udgiv den fælles version").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("Den fælles version 2 er udgivet")
    expect(page.get_by_role("main")).to_contain_text("KL's anbefalede model")
    assert_accessible(page)
    assert shared_latest().version == 2


def test_the_operator_suspends_and_offboards_a_municipality(page: Page, live_server, tmp_path,
                                                            settings):
    settings.ANSKAF_EXPORT_DIR = tmp_path / "exports"
    settings.ANSKAF_ANCHOR_LOG = str(tmp_path / "anchors.jsonl")
    org = testing.make_org()
    testing.new_case(testing.make_user(org, "koordinator", "coordinator"), title="Udfases")
    _log_in_as_operator(page, live_server.url)
    page.get_by_role("link", name=org.name).click()
    page.get_by_label("Begrundelse").fill("Kommunen forlader installationen")
    page.get_by_role("button", name=f"Suspendér {org.name}").click()
    expect(page.get_by_role("heading", name="Udfas kommunen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Begrundelse").fill("Kontrakten er opsagt")
    page.get_by_label("Bekræft med kommunens kortnavn").fill("forkert")
    page.get_by_role("button", name=f"Udfas {org.name}").click()
    expect(page.get_by_role("alert")).to_contain_text(f"»{org.slug}«")
    expect(page.get_by_label("Begrundelse")).to_have_value("Kontrakten er opsagt")
    assert_accessible(page)
    page.get_by_label("Bekræft med kommunens kortnavn").fill(org.slug)
    page.get_by_role("button", name=f"Udfas {org.name}").click()
    expect(page.get_by_role("heading", name="Kommuner på installationen", level=1)
           ).to_be_visible()
    offboarded = page.get_by_role("table", name=re.compile("udfaset fra installationen"))
    expect(offboarded).to_contain_text("Kontrakten er opsagt")
    expect(offboarded).to_contain_text(f"{org.slug}-")
    assert_accessible(page)
    assert len(list((tmp_path / "exports").glob("*.tar"))) == 1
