"""In the browser (issue 18 parts 2 and 3): a municipality's administrator registers its own
OpenID Connect provider (a real one, tests/oidc/server.mjs) and its KITOS (the fake KITOS),
tests the connection; then a person of the municipality logs in through its provider from
the login page, while the other municipality's button goes to the other provider. axe-core
checks every page."""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import Page, Route, expect

from anskaf import testing
from anskaf.orgs.models import SsoProvider, User
from anskaf.web.tests.browser.helpers import assert_accessible, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_person(page: Page, slug: str, claims: dict) -> None:
    """The person's login at the provider: the claims go with the authorize request (what a
    real provider's login form would establish). Playwright does not route redirects, so the
    start of the login (/log-ind/<slug>/, which redirects to the provider) is fetched and its
    redirect passed on with the claims added."""
    token = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    def add_claims(route: Route) -> None:
        response = route.fetch(max_redirects=0)
        location = f"{response.headers['location']}&anskaf_test_claims={token}"
        route.fulfill(response=response, headers={**response.headers, "location": location})

    page.route(lambda url: f"/log-ind/{slug}/" in url, add_claims)


def test_an_admin_registers_the_provider_and_kitos_and_people_log_in_through_it(
        page: Page, live_server, two_providers, fake_kitos, settings):
    settings.KITOS_URL = ""
    issuer_a, issuer_b = two_providers
    org = testing.make_org()
    testing.make_user(org, "admin", "admin", unit=testing.make_unit(org),
                      full_name="Anne Admin")
    other = testing.make_org("nabo", "Nabo Kommune")
    SsoProvider.objects.create(
        organisation=other, issuer=issuer_b, client_id="anskaf",
        authorization_endpoint=f"{issuer_b}/authorize", token_endpoint=f"{issuer_b}/token",
        userinfo_endpoint=f"{issuer_b}/userinfo", jwks_uri=f"{issuer_b}/jwks")

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Kommunens login").click()
    expect(page.get_by_role("heading", name="Kommunens login (single sign-on)")).to_be_visible()
    assert_accessible(page)

    # A role line naming no role: the error names the line, the typing stays.
    page.get_by_label("Udsteder (issuer)").fill(issuer_a)
    page.get_by_label("Klient-id (client id)").fill("anskaf")
    page.get_by_label("Klienthemmelighed (client secret)").fill("hemmelig-klient")
    page.get_by_label("Roller").fill("Anskaf.Koordinator = chef")
    page.get_by_role("button", name="Registrér udbyderen").click()
    expect(page.get_by_text("»chef« er ikke en rolle").first).to_be_visible()
    expect(page.get_by_label("Udsteder (issuer)")).to_have_value(issuer_a)
    assert_accessible(page)
    page.get_by_label("Klienthemmelighed (client secret)").fill("hemmelig-klient")
    page.get_by_label("Roller").fill("Anskaf.Koordinator = coordinator")
    page.get_by_role("button", name="Registrér udbyderen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("Kommunens login er gemt")
    expect(page.get_by_role("main")).to_contain_text(f"/log-ind/{org.slug}/")
    expect(page.get_by_role("main")).not_to_contain_text("hemmelig-klient")
    assert_accessible(page)

    # Its KITOS, and the connection test saying what failed, then that it works.
    page.goto(f"{live_server.url}/administration/indstillinger/")
    page.get_by_label("KITOS-adresse").fill(fake_kitos.url)
    page.get_by_label("KITOS-brugerens e-mail").fill(fake_kitos.email)
    page.get_by_label("KITOS-brugerens adgangskode").fill("forkert-kode")
    page.get_by_label("Kommunens UUID i KITOS").fill(fake_kitos.organisation_uuid)
    page.get_by_label("Afsenderadresse for e-mails").fill("anskaf@haderslev.dk")
    page.get_by_role("button", name="Gem indstillinger").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("indstillinger er gemt")
    page.get_by_role("button", name="Test forbindelsen").click()
    expect(page.locator("#kitos-check")).to_contain_text("KITOS afviste login for "
                                                         "api@haderslev.dk")
    assert_accessible(page)
    page.get_by_label("KITOS-brugerens adgangskode").fill("kitos-kode")
    page.get_by_role("button", name="Gem indstillinger").click()
    page.get_by_role("button", name="Test forbindelsen").click()
    expect(page.locator("#kitos-check")).to_contain_text("Forbindelsen virker")
    assert_accessible(page)
    log_out(page)

    # A person of the municipality picks it on the login page and logs in through its provider.
    expect(page.get_by_role("heading", name="Vælg din kommune")).to_be_visible()
    assert_accessible(page)
    as_person(page, org.slug, {"sub": "k-1", "preferred_username": "karen",
                               "email": "karen@haderslev.dk", "given_name": "Karen",
                               "family_name": "Hansen", "roles": ["Anskaf.Koordinator"]})
    page.get_by_role("link", name="Haderslev Kommune").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()
    karen = User.objects.get(username="karen")
    assert karen.organisation == org
    assert list(karen.memberships.values_list("role", flat=True)) == ["coordinator"]
    log_out(page)

    # The other municipality's button goes to its own provider (stopped before it).
    sent_to: list[str] = []

    def note(route: Route) -> None:
        sent_to.append(route.fetch(max_redirects=0).headers["location"])
        route.fulfill(status=200, content_type="text/html", body="<title>B</title><p>B</p>")

    page.route(lambda url: f"/log-ind/{other.slug}/" in url, note)
    page.get_by_role("link", name="Nabo Kommune").click()
    expect(page.get_by_text("B", exact=True)).to_be_visible()
    assert sent_to[0].startswith(f"{issuer_b}/authorize?")
