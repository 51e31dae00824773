"""Issue 18's "done when", in Chromium: the operator creates a municipality, its first admin
accepts the invitation by the link in the e-mail (as received by a real SMTP server), registers
the municipality's OpenID Connect provider (B); a person of the new municipality logs in through
B while a person of the first one logs in through its provider (A); neither sees the other's
cases, and the operator sees counts only. axe-core checks every page (ADR 0030, ADR 0031)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.installation import services as installation
from anskaf.notifications.tests.smtp import Collector, free_port, smtp_settings, start
from anskaf.orgs import tenancy
from anskaf.orgs.models import Organisation, User
from anskaf.web.tests.browser.helpers import assert_accessible, log_out

from .test_tenancy_browser import as_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(settings):
    """A real SMTP server that the outbox delivers to (tasks run at once in tests)."""
    port = free_port()
    smtp_settings(settings, port)
    collector = Collector()
    controller = start(port, collector)
    yield collector
    controller.stop()


def log_in_with_password(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/log-ind/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


def test_a_new_municipality_joins_with_its_own_sign_on_next_to_the_first(
        page: Page, live_server, two_providers, smtp, settings):
    settings.KITOS_URL = ""
    settings.ANSKAF_OIDC_ENABLED = False
    issuer_a, issuer_b = two_providers
    # The first municipality, already on its own provider (A), with a case of its own.
    haderslev = testing.make_org()
    unit_a = testing.make_unit(haderslev)
    admin_a = testing.make_user(haderslev, "admin-haderslev", "admin")
    tenancy.sso_provider_save(actor=admin_a, organisation_id=haderslev.pk, data={
        "issuer": issuer_a, "client_id": "anskaf", "client_secret": "hemmelig-a",
        "role_map": "Anskaf.Koordinator = coordinator"})
    case_a = testing.new_case(testing.make_user(haderslev, "koordinator", "coordinator",
                                                unit=unit_a), title="Haderslevs vagtplan")
    operator = installation.operator_add(actor=None, username="drift", full_name="Dorte Drift",
                                         via="cli")[0]
    operator.set_password("Drift-er-sjovt-26")
    operator.save()

    # The operator creates the new municipality and invites its first admin.
    log_in_with_password(page, live_server.url, "drift", "Drift-er-sjovt-26")
    expect(page.get_by_role("heading", name="Kommuner på installationen", level=1)
           ).to_be_visible()
    page.get_by_role("link", name="Opret kommune").click()
    page.get_by_label("Kommunens navn").fill("Aabenraa Kommune")
    page.get_by_label("Kortnavn").fill("aabenraa")
    page.get_by_label("CVR-nummer").fill("29189854")
    page.get_by_label("Forvaltninger").fill("Børn og Skole\nSocial og Sundhed")
    page.get_by_label("Første administrators fulde navn").fill("Mette Holm")
    page.get_by_label("Første administrators e-mail").fill("mette@aabenraa.dk")
    assert_accessible(page)
    page.get_by_role("button", name="Opret kommune og send invitation").click()
    expect(page.get_by_text("En invitation er sendt til mette@aabenraa.dk")).to_be_visible()
    assert_accessible(page)
    log_out(page)
    aabenraa = Organisation.objects.get(slug="aabenraa")

    # The invitation as the SMTP server received it; its link, followed by the admin.
    [mail] = [m for m in smtp.messages if m["To"] == "mette@aabenraa.dk"]
    body = mail.get_payload(decode=True).decode(mail.get_content_charset() or "utf-8")
    link = re.search(r"http://[^/\s]+(/invitation/\S+/)", body).group(1)
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Vælg din adgangskode", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Vælg en adgangskode").fill("Sommer-i-Aabenraa-26")
    page.get_by_label("Gentag adgangskoden").fill("Sommer-i-Aabenraa-26")
    page.get_by_role("button", name="Gem adgangskode og log ind").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()

    # The admin registers the municipality's own provider (B).
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Kommunens login").click()
    expect(page.get_by_role("heading", name="Kommunens login (single sign-on)")).to_be_visible()
    page.get_by_label("Udsteder (issuer)").fill(issuer_b)
    page.get_by_label("Klient-id (client id)").fill("anskaf")
    page.get_by_label("Klienthemmelighed (client secret)").fill("hemmelig-b")
    page.get_by_label("Roller").fill("Anskaf.Koordinator = coordinator")
    page.get_by_role("button", name="Registrér udbyderen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("Kommunens login er gemt")
    expect(page.get_by_role("main")).to_contain_text("/log-ind/aabenraa/")
    assert_accessible(page)
    log_out(page)

    # A person of Aabenraa logs in through B, and gets a case of Aabenraa's.
    as_person(page, "aabenraa", {"sub": "b-1", "preferred_username": "ole",
                                 "email": "ole@aabenraa.dk", "given_name": "Ole",
                                 "family_name": "Olsen", "roles": ["Anskaf.Koordinator"]})
    page.get_by_role("link", name="Aabenraa Kommune").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()
    ole = User.objects.get(username="ole")
    assert ole.organisation == aabenraa
    unit_b = aabenraa.units.first()
    case_b = testing.new_case(
        testing.make_user(aabenraa, "b-koordinator", "coordinator", unit=unit_b),
        title="Aabenraas skoleportal")
    page.goto(f"{live_server.url}/sager/")
    expect(page.get_by_role("main")).to_contain_text("Aabenraas skoleportal")
    expect(page.get_by_role("main")).not_to_contain_text("Haderslevs vagtplan")
    assert_accessible(page)
    assert page.goto(f"{live_server.url}/sager/{case_a.pk}/").status == 404
    log_out(page)

    # A person of Haderslev logs in through A: only Haderslev's cases.
    as_person(page, haderslev.slug, {"sub": "a-1", "preferred_username": "karen",
                                     "email": "karen@haderslev.dk", "given_name": "Karen",
                                     "family_name": "Hansen", "roles": ["Anskaf.Koordinator"]})
    page.get_by_role("link", name="Haderslev Kommune").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()
    assert User.objects.get(username="karen").organisation == haderslev
    page.goto(f"{live_server.url}/sager/")
    expect(page.get_by_role("main")).to_contain_text("Haderslevs vagtplan")
    expect(page.get_by_role("main")).not_to_contain_text("Aabenraas skoleportal")
    assert_accessible(page)
    assert page.goto(f"{live_server.url}/sager/{case_b.pk}/").status == 404
    page.goto(f"{live_server.url}/")
    log_out(page)

    # The operator sees each municipality's counts, and nothing of their content.
    log_in_with_password(page, live_server.url, "drift", "Drift-er-sjovt-26")
    # Aabenraa: Mette, Ole and its coordinator; one case. Haderslev: three people, one case.
    row = page.get_by_role("row").filter(has_text="Aabenraa Kommune")
    expect(row.get_by_role("cell")).to_have_text(
        ["aabenraa", "29189854", "Aktiv", "3 (3)", "1", re.compile(r"\d"), "0"])
    row = page.get_by_role("row").filter(has_text="Haderslev Kommune")
    expect(row.get_by_role("cell").nth(3)).to_have_text("3 (3)")
    expect(row.get_by_role("cell").nth(4)).to_have_text("1")
    expect(page.get_by_role("main")).not_to_contain_text("skoleportal")
    expect(page.get_by_role("main")).not_to_contain_text("vagtplan")
    assert_accessible(page)
    page.get_by_role("link", name="Aabenraa Kommune").click()
    expect(page.get_by_role("heading", name="Aabenraa Kommune", level=1)).to_be_visible()
    cases = page.locator(".anskaf-facts div").filter(
        has=page.get_by_text("Sager", exact=True)).locator("dd")
    expect(cases).to_have_text("1")
    expect(page.get_by_role("main")).not_to_contain_text("skoleportal")
    expect(page.get_by_role("main")).not_to_contain_text("ole@aabenraa.dk")
    assert_accessible(page)
    for case in (case_a, case_b):
        assert page.goto(f"{live_server.url}/sager/{case.pk}/").status == 404

    # The installation-wide settings are the operator's: the EU tender thresholds.
    page.goto(f"{live_server.url}/drift/")
    page.get_by_role("link", name="Udbudsgrænser").click()
    expect(page.get_by_role("heading", name="Udbudsgrænser for hele installationen", level=1)
           ).to_be_visible()
    assert_accessible(page)
