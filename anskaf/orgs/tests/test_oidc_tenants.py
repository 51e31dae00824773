"""Two municipalities, two OpenID Connect providers, one installation (issue 18, ADR 0031).

Two instances of the suite's real provider (npm's oauth2-mock-server, tests/oidc/server.mjs,
as in test_oidc.py) run side by side. Each municipality's administrator registers its own
provider in anskaf (its discovery document fetched over real HTTP); logins start at
/log-ind/<slug>/. A token from A's provider never logs anyone into B.

Skipped without node or tests/oidc/node_modules, unless REQUIRE_OIDC=1.
"""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user
from django.http import HttpRequest
from django.test import Client

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.orgs import tenancy
from anskaf.orgs.models import Membership, SsoProvider, User


@pytest.fixture
def providers(two_providers):
    return two_providers


@pytest.fixture
def two(providers, org, other_org, settings):
    """Municipality A (`org`) and B (`other_org`), each with its provider registered by its
    own administrator. The environment's provider is off. The same client id at both, so
    that only the provider binding keeps them apart."""
    settings.ANSKAF_OIDC_ENABLED = False
    settings.ANSKAF_OIDC_ORGANISATION = ""
    issuer_a, issuer_b = providers
    for organisation, issuer in ((org, issuer_a), (other_org, issuer_b)):
        admin = testing.make_user(organisation, f"admin-{organisation.slug}", "admin")
        tenancy.sso_provider_save(actor=admin, organisation_id=organisation.pk, data={
            "issuer": issuer, "client_id": "anskaf", "client_secret": f"secret-{organisation.slug}",
            "role_map": "Anskaf.Koordinator = coordinator\nAnskaf.IT = it"})
    return {"a": (org, issuer_a), "b": (other_org, issuer_b)}


def person(username: str, **claims) -> dict:
    return {"sub": f"sub-{username}", "preferred_username": username,
            "email": f"{username}@example.dk", "given_name": username.capitalize(),
            "family_name": "Hansen", **claims}


def start(client: Client, slug: str) -> tuple[str, dict[str, list[str]]]:
    response = client.get(f"/log-ind/{slug}/")
    assert response.status_code == 302, response
    location = response["Location"]
    return location, parse_qs(urlsplit(location).query)


def at_provider(authorize_url: str, claims: dict) -> dict[str, str]:
    """The browser at the provider: the person logs in; the callback's parameters."""
    token = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    answer = requests.get(authorize_url, params={"anskaf_test_claims": token},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/oidc/callback/"
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def login(client: Client, slug: str, claims: dict):
    authorize, _ = start(client, slug)
    return client.get("/oidc/callback/", at_provider(authorize, claims))


def logged_in_user(client: Client) -> User | None:
    request = HttpRequest()
    request.session = client.session
    user = get_user(request)
    return user if user.is_authenticated else None


def test_each_municipality_logs_in_through_its_own_provider(two, client):
    (org_a, issuer_a), (org_b, issuer_b) = two["a"], two["b"]
    authorize, query = start(client, org_a.slug)
    assert authorize.startswith(f"{issuer_a}/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    response = client.get("/oidc/callback/", at_provider(
        authorize, person("karen", roles=["Anskaf.Koordinator"])))
    assert response.status_code == 302 and response["Location"] == "/"
    karen = logged_in_user(client)
    assert karen.organisation == org_a and karen.username == "karen"
    assert set(karen.memberships.values_list("role", flat=True)) == {"coordinator"}

    other = Client()
    authorize, _ = start(other, org_b.slug)
    assert authorize.startswith(f"{issuer_b}/authorize?")
    response = other.get("/oidc/callback/", at_provider(
        authorize, person("ole", roles=["Anskaf.IT"])))
    assert response.status_code == 302
    ole = logged_in_user(other)
    assert ole.organisation == org_b
    assert all(m.organisation_id == org_b.pk for m in ole.memberships.all())
    # Each sees their own municipality's cases only.
    case = testing.new_case(karen, title="A's sag")
    assert other.get(f"/sager/{case.pk}/").status_code == 404
    assert client.get(f"/sager/{case.pk}/").status_code == 200


def test_a_code_from_the_other_municipalitys_provider_never_logs_in(two, client, caplog):
    """Start at A, but let B's provider answer (same client id at both): Django redeems the
    code at A's token endpoint only, which does not know it."""
    (org_a, issuer_a), (_org_b, issuer_b) = two["a"], two["b"]
    authorize, _ = start(client, org_a.slug)
    forged = authorize.replace(issuer_a, issuer_b)
    with caplog.at_level(logging.WARNING, logger="anskaf.orgs.oidc"):
        response = client.get("/oidc/callback/", at_provider(forged, person("mallory")))
    assert response.status_code == 302 and response["Location"] == "/log-ind/"
    assert logged_in_user(client) is None
    assert not User.objects.filter(username="mallory").exists()
    assert "SSO login failed" in caplog.text


def test_a_token_signed_by_the_other_provider_is_refused(two, client, monkeypatch, caplog):
    """Even a token B signed for this client, handed to A's login, fails: A's keys do not
    verify it (and its issuer is not A's)."""
    from anskaf.orgs import oidc

    (org_a, _), (org_b, issuer_b) = two["a"], two["b"]
    cfg_b = tenancy.sso_config_for(org_b)
    original = oidc.AnskafOIDCBackend.use

    def redeem_at_b(self, cfg):  # the token endpoint of B, everything else A's
        original(self, cfg)
        self.OIDC_OP_TOKEN_ENDPOINT = cfg_b.token_endpoint

    monkeypatch.setattr(oidc.AnskafOIDCBackend, "use", redeem_at_b)
    authorize, _ = start(client, org_a.slug)
    forged = authorize.replace(tenancy.sso_config_for(org_a).issuer, issuer_b)
    with caplog.at_level(logging.WARNING, logger="anskaf.orgs.oidc"):
        response = client.get("/oidc/callback/", at_provider(forged, person("mallory")))
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None
    assert not User.objects.filter(username="mallory").exists()
    assert "SSO login failed: SuspiciousOperation" in caplog.text  # B's key is not A's


def test_a_username_of_the_other_municipality_is_refused(two, client, outsider):
    """B's person logging in through A's provider is not taken over into A."""
    org_a, _ = two["a"]
    response = login(client, org_a.slug, person(outsider.username))
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None
    outsider.refresh_from_db()
    assert outsider.organisation == two["b"][0]


def test_unit_roles_from_the_role_map_are_given_and_taken(two, client, unit):
    org_a, _ = two["a"]
    admin = User.objects.get(username=f"admin-{org_a.slug}")
    provider = SsoProvider.objects.get(organisation=org_a)
    tenancy.sso_provider_save(actor=admin, organisation_id=org_a.pk, data={
        "issuer": provider.issuer, "client_id": "anskaf",
        "role_map": f"G-Bestiller = requester @ {unit.name}\nG-IT = it"})
    login(client, org_a.slug, person("karen", roles=["G-Bestiller", "G-IT"]))
    karen = User.objects.get(username="karen")
    # A unit role an administrator gave by hand, which the map cannot give: kept.
    Membership.objects.create(organisation=org_a, person=karen, role="manager", unit=unit)
    assert set(karen.memberships.values_list("role", "unit_id")) == {
        ("requester", unit.pk), ("it", None), ("manager", unit.pk)}
    login(Client(), org_a.slug, person("karen", roles=["G-IT"]))
    assert set(karen.memberships.values_list("role", "unit_id")) == {
        ("it", None), ("manager", unit.pk)}
    synced = AuditEvent.objects.filter(event_type="person.sso_roles_synced").last()
    assert f"requester@{unit.pk}" in synced.before["roles"]


def test_login_page_lists_the_municipalities_with_single_sign_on(two, client):
    org_a, org_b = two["a"][0], two["b"][0]
    page = client.get("/log-ind/?next=/sager/").content.decode()
    assert "Vælg din kommune" in page
    assert f'href="/log-ind/{org_a.slug}/?next=/sager/"' in page
    assert f'href="/log-ind/{org_b.slug}/?next=/sager/"' in page


def test_a_suspended_municipality_is_not_offered_and_not_sent_to_its_provider(two, client):
    """ADR 0030 with 0031: a suspended municipality's single sign-on stops at once."""
    from django.utils import timezone

    org_a, org_b = two["a"][0], two["b"][0]
    org_b.suspended_at = timezone.now()
    org_b.save(update_fields=["suspended_at"])
    page = client.get("/log-ind/?next=/sager/").content.decode()
    assert f'href="/log-ind/{org_a.slug}/?next=/sager/"' in page
    assert f"/log-ind/{org_b.slug}/" not in page
    response = client.get(f"/log-ind/{org_b.slug}/")
    assert response.status_code == 302 and response["Location"] == "/log-ind/"
    assert "er lukket for login" in client.get("/log-ind/").content.decode()


def test_a_municipality_without_a_provider_is_told_so(db, client, org):
    response = client.get(f"/log-ind/{org.slug}/")
    assert response.status_code == 302 and response["Location"] == "/log-ind/"
    assert "har ikke log ind med kommunens login" in client.get("/log-ind/").content.decode()
    assert client.get("/log-ind/findes-ikke/").status_code == 404


def test_the_environment_provider_keeps_serving_its_municipality_next_to_a_registered_one(
        providers, org, other_org, settings):
    """The installation's provider from ANSKAF_OIDC_* stays A's until A's admin registers one;
    B has registered its own meanwhile."""
    issuer_a, issuer_b = providers
    discovery = requests.get(f"{issuer_a}/.well-known/openid-configuration", timeout=10).json()
    settings.ANSKAF_OIDC_ENABLED = True
    settings.ANSKAF_OIDC_ORGANISATION = org.slug
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "anskaf-env", "env-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.ANSKAF_OIDC_ROLE_CLAIM, settings.ANSKAF_OIDC_ROLE_MAP = "roles", {}
    admin_b = testing.make_user(other_org, "admin-b", "admin")
    tenancy.sso_provider_save(actor=admin_b, organisation_id=other_org.pk, data={
        "issuer": issuer_b, "client_id": "anskaf-b", "client_secret": "b"})

    a, b = Client(), Client()
    assert login(a, org.slug, person("karen", roles=["it"])).status_code == 302
    assert logged_in_user(a).organisation == org
    authorize, query = start(b, other_org.slug)
    assert authorize.startswith(issuer_b) and query["client_id"] == ["anskaf-b"]
    b.get("/oidc/callback/", at_provider(authorize, person("ole")))
    assert logged_in_user(b).organisation == other_org
    # The old address of the environment's login still works, for A.
    assert Client().get("/oidc/authenticate/")["Location"].startswith(
        discovery["authorization_endpoint"])
