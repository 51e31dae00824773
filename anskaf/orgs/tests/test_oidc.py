"""Single sign-on against a real OpenID Connect provider: npm's oauth2-mock-server on 127.0.0.1.

The provider runs in a subprocess (tests/oidc/server.mjs). The test client is the browser:
GET /oidc/authenticate/ -> the provider's /authorize (where the person "logs in": the test
hands it their claims) -> back to /oidc/callback/ with code and state. From there Django itself
redeems the code at the provider's token endpoint (with the PKCE verifier), checks the signed
ID token against the provider's JWKS and asks its userinfo endpoint: all real HTTP.

Skipped when node or tests/oidc/node_modules is missing (`npm ci --prefix tests/oidc`; `make
test` runs it when node is there), unless REQUIRE_OIDC=1, which makes that a failure.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import authenticate, get_user
from django.http import HttpRequest
from django.test import Client, RequestFactory

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.orgs import oidc
from anskaf.orgs.models import Membership, User

from .oidc_provider import start_provider, stop_provider

ROOT = Path(__file__).resolve().parents[3]
PROVIDER_DIR = ROOT / "tests" / "oidc"
CLIENT_ID = "anskaf-test"
OIDC_BACKEND = "anskaf.orgs.oidc.AnskafOIDCBackend"


# --- the provider --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def provider():
    """The issuer URL of a running oauth2-mock-server, e.g. http://127.0.0.1:40123."""
    proc, issuer = start_provider()
    yield issuer
    stop_provider(proc)


@pytest.fixture
def sso(provider, settings, org):
    """SSO switched on, pointing at the provider, for the municipality `org`."""
    discovery = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "test-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.ANSKAF_OIDC_ENABLED = True
    settings.ANSKAF_OIDC_ORGANISATION = org.slug
    settings.ANSKAF_OIDC_ROLE_CLAIM = "roles"
    settings.ANSKAF_OIDC_ROLE_MAP = {}
    settings.ANSKAF_OIDC_USERNAME_CLAIM = "preferred_username"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    return provider


def person(username: str, **claims) -> dict:
    """Claims of one person as the provider would vouch for them."""
    local = username.split("@")[0]
    return {"sub": f"sub-{local}", "preferred_username": username,
            "email": username if "@" in username else f"{username}@haderslev.dk",
            "given_name": local.capitalize(), "family_name": "Hansen", **claims}


def sso_login(client: Client, issuer: str, claims: dict, *, next_url: str = "",
              tamper=None):
    """The whole round trip; returns the callback's response."""
    start = client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{issuer}/authorize?")
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["nonce"] and query["state"]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]

    # The browser at the provider: the person logs in, the provider redirects back.
    token = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    at_provider = requests.get(authorize, params={"anskaf_test_claims": token},
                               allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "http://testserver/oidc/callback/"
    params = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert params["state"] == query["state"][0] and params["code"]

    if tamper is not None:
        session = client.session
        tamper(session["oidc_states"][params["state"]])
        session.save()
    return client.get(back.path, params)


def logged_in_user(client: Client) -> User | None:
    """Who the client's session belongs to, as Django sees it on the next request."""
    request = HttpRequest()
    request.session = client.session
    user = get_user(request)
    return user if user.is_authenticated else None


def org_roles(user: User) -> set[str]:
    return set(Membership.objects.filter(person=user, unit=None).values_list("role", flat=True))


def login_page_text(client: Client) -> str:
    return client.get("/log-ind/").content.decode()


# --- the round trip ------------------------------------------------------------------------------


def test_first_sso_login_creates_the_person_with_roles_from_the_roles_claim(sso, client, org):
    claims = person("karen@haderslev.dk", roles=["coordinator", "it", "Ukendt.Rolle"])
    response = sso_login(client, sso, claims)

    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_user(client)
    assert user is not None and user.username == "karen@haderslev.dk"
    assert client.session["_auth_user_backend"] == OIDC_BACKEND
    assert user.organisation == org and user.unit is None and not user.is_demo
    assert (user.first_name, user.last_name, user.email) == ("Karen", "Hansen", "karen@haderslev.dk")
    assert not user.has_usable_password()
    assert org_roles(user) == {"coordinator", "it"}
    assert all(m.organisation_id == org.pk for m in user.memberships.all())

    events = list(AuditEvent.objects.filter(organisation=org).order_by("seq"))
    assert [e.event_type for e in events] == ["person.sso_created", "person.sso_roles_synced"]
    assert events[1].before == {"roles": []}
    assert events[1].after == {"roles": ["coordinator", "it"], "claim": "roles"}
    assert audit_verify(org.pk).ok

    # The session works for the next request, through the SSO backend's get_user.
    assert client.get("/sager/").status_code == 200


def test_every_login_syncs_organisation_roles_and_name_but_keeps_unit_roles(sso, client, org, unit):
    response = sso_login(client, sso, person("karen@haderslev.dk", roles=["coordinator", "it"]))
    assert response.status_code == 302
    user = logged_in_user(client)
    # An administrator gives her a unit-scoped role by hand in anskaf.
    Membership.objects.create(organisation=org, person=user, role="management", unit=unit)

    client.post("/log-ud/")
    changed = person("karen@haderslev.dk", roles=["requester"], family_name="Holm")
    assert sso_login(client, sso, changed).status_code == 302

    user.refresh_from_db()
    assert logged_in_user(client) == user
    assert User.objects.filter(username="karen@haderslev.dk").count() == 1
    assert org_roles(user) == {"requester"}
    assert set(user.memberships.filter(unit=unit).values_list("role", flat=True)) == {"management"}
    assert user.last_name == "Holm"
    synced = AuditEvent.objects.filter(event_type="person.sso_roles_synced").order_by("seq").last()
    assert synced.before == {"roles": ["coordinator", "it"]}
    assert synced.after["roles"] == ["requester"]

    # No roles in the claim at all (none assigned any more): no organisation-wide roles.
    client.post("/log-ud/")
    claims = person("karen@haderslev.dk")
    assert sso_login(client, sso, claims).status_code == 302
    assert org_roles(user) == set()
    assert set(user.memberships.values_list("role", flat=True)) == {"management"}


def test_groups_claim_maps_to_roles_through_the_role_map(sso, client, settings):
    settings.ANSKAF_OIDC_ROLE_CLAIM = "groups"
    settings.ANSKAF_OIDC_ROLE_MAP = {
        "6f1c2a4e-0b7d-4c55-9a3e-1d2f3a4b5c6d": ["coordinator"],
        "Anskaf-IT": ["it", "it_board"],
    }
    claims = person("ole@haderslev.dk", groups=["6f1c2a4e-0b7d-4c55-9a3e-1d2f3a4b5c6d",
                                                "Alle-medarbejdere"],
                    roles=["admin"])  # not the configured claim: ignored
    assert sso_login(client, sso, claims).status_code == 302
    user = logged_in_user(client)
    assert org_roles(user) == {"coordinator"}

    client.post("/log-ud/")
    claims = person("ole@haderslev.dk", groups=["Anskaf-IT", "Alle-medarbejdere"])
    assert sso_login(client, sso, claims).status_code == 302
    assert org_roles(user) == {"it", "it_board"}

    # With a map, a value that happens to be a role key maps to nothing.
    client.post("/log-ud/")
    assert sso_login(client, sso, person("ole@haderslev.dk", groups=["admin"])).status_code == 302
    assert org_roles(user) == set()


def test_without_a_map_claim_values_that_are_role_keys_map_directly(sso, client, settings):
    settings.ANSKAF_OIDC_ROLE_CLAIM = "groups"
    claims = person("lis@haderslev.dk", groups=["security", "legal", "Anskaf.Coordinator"])
    assert sso_login(client, sso, claims).status_code == 302
    assert org_roles(logged_in_user(client)) == {"security", "legal"}


def test_roles_and_username_from_the_id_token_when_userinfo_leaves_them_out(sso, client):
    # Entra ID: `roles`, `groups` and `preferred_username` are in the ID token only.
    claims = person("bo@haderslev.dk", roles=["archive"],
                    _id_token_only=["roles", "preferred_username"])
    assert sso_login(client, sso, claims).status_code == 302
    user = logged_in_user(client)
    assert user.username == "bo@haderslev.dk" and org_roles(user) == {"archive"}


def test_username_falls_back_to_email_then_sub(sso, client, settings):
    settings.ANSKAF_OIDC_USERNAME_CLAIM = "upn"
    claims = person("ib@haderslev.dk")
    assert sso_login(client, sso, claims).status_code == 302
    assert logged_in_user(client).username == "ib@haderslev.dk"  # from email

    client.post("/log-ud/")
    claims = {"sub": "00000000-aaaa-bbbb-cccc-000000000001", "name": "Uden Mail"}
    assert sso_login(client, sso, claims).status_code == 302
    user = logged_in_user(client)
    assert user.username == "00000000-aaaa-bbbb-cccc-000000000001"
    assert (user.first_name, user.last_name) == ("Uden", "Mail")


def test_next_url_is_kept_through_the_round_trip(sso, client):
    response = sso_login(client, sso, person("karen@haderslev.dk"), next_url="/sager/ny/")
    assert response.status_code == 302 and response["Location"] == "/sager/ny/"


# --- matching existing people ----------------------------------------------------------------------


def test_existing_person_in_the_organisation_is_matched_by_username(sso, client, coordinator, unit):
    claims = person("koordinator", roles=["coordinator"], email="karen.k@haderslev.dk")
    assert sso_login(client, sso, claims).status_code == 302
    assert logged_in_user(client) == coordinator
    assert User.objects.count() == 1
    # The unit-scoped coordinator role set in anskaf stays; the claim adds the org-wide one.
    assert set(coordinator.memberships.filter(unit=unit).values_list("role", flat=True)) == {
        "coordinator"}
    assert org_roles(coordinator) == {"coordinator"}
    assert coordinator.has_usable_password()  # still there for password login


def test_existing_person_in_the_organisation_is_matched_by_email(sso, client, org):
    kaj = testing.make_user(org, "kaj", "requester")
    User.objects.filter(pk=kaj.pk).update(email="Kaj.Jensen@haderslev.dk")
    claims = person("kaj.jensen@haderslev.dk", roles=["requester"])
    assert sso_login(client, sso, claims).status_code == 302
    assert logged_in_user(client) == kaj
    assert not User.objects.filter(username="kaj.jensen@haderslev.dk").exists()


def test_email_of_a_person_in_another_organisation_is_never_matched(sso, client, org, outsider):
    User.objects.filter(pk=outsider.pk).update(email="delt@example.dk")
    claims = person("ny@haderslev.dk", email="delt@example.dk", roles=["requester"])
    assert sso_login(client, sso, claims).status_code == 302
    user = logged_in_user(client)
    assert user != outsider and user.organisation == org and user.username == "ny@haderslev.dk"


def test_username_of_another_organisation_is_refused(sso, client, outsider, other_org):
    before = set(outsider.memberships.values_list("role", "unit"))
    claims = person("fremmed", roles=["admin"], email="fremmed@haderslev.dk")
    response = sso_login(client, sso, claims)

    assert response.status_code == 302 and response["Location"] == "/log-ind/"
    assert logged_in_user(client) is None
    outsider.refresh_from_db()
    assert outsider.organisation == other_org and outsider.email == ""
    assert set(outsider.memberships.values_list("role", "unit")) == before
    page = login_page_text(client)
    assert "Du blev ikke logget ind: brugernavnet fremmed findes allerede i anskaf hos en anden" in page
    assert not AuditEvent.objects.exists()


def test_a_closed_account_cannot_log_in_and_loses_its_session(sso, client):
    assert sso_login(client, sso, person("karen@haderslev.dk")).status_code == 302
    user = logged_in_user(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    # The open session ends at the next request.
    response = client.get("/sager/")
    assert response.status_code == 302 and response["Location"].startswith("/log-ind/")
    assert logged_in_user(client) is None

    response = sso_login(client, sso, person("karen@haderslev.dk"))
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None
    assert "din konto i anskaf er lukket" in login_page_text(client)


def test_demo_accounts_cannot_log_in_through_sso_outside_demo_mode(sso, client, org, settings):
    settings.DEMO_MODE = False
    testing.make_user(org, "demo-it", "it", is_demo=True)
    response = sso_login(client, sso, person("demo-it", roles=["it"]))
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None


def test_groups_overage_is_refused_instead_of_dropping_roles(sso, client, settings):
    settings.ANSKAF_OIDC_ROLE_CLAIM = "groups"
    assert sso_login(client, sso, person("karen@haderslev.dk", groups=["coordinator"])).status_code == 302
    user = logged_in_user(client)
    client.post("/log-ud/")
    claims = person("karen@haderslev.dk", _claim_names={"groups": "src1"},
                    _claim_sources={"src1": {"endpoint": "https://graph.example/"}})
    response = sso_login(client, sso, claims)
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None
    assert "medlem af så mange grupper" in login_page_text(client)
    assert org_roles(user) == {"coordinator"}


# --- the protocol's safeguards ---------------------------------------------------------------------


def test_pkce_is_enforced_by_the_provider(sso, client, caplog):
    """A wrong code_verifier: the provider refuses to hand out tokens, so nobody logs in."""

    def wrong_verifier(state: dict) -> None:
        assert len(state["code_verifier"]) >= 43
        state["code_verifier"] = "x" * 64

    with caplog.at_level(logging.WARNING, logger="anskaf.orgs.oidc"):
        response = sso_login(client, sso, person("karen@haderslev.dk", roles=["admin"]),
                             tamper=wrong_verifier)
    assert response.status_code == 302 and response["Location"] == "/log-ind/"
    assert logged_in_user(client) is None
    assert not User.objects.filter(username="karen@haderslev.dk").exists()
    assert "code_verifier provided does not match code_challenge" in caplog.text
    assert "Du blev ikke logget ind med kommunens login" in login_page_text(client)

    # The same browser, untampered, gets in: it was the verifier.
    assert sso_login(client, sso, person("karen@haderslev.dk")).status_code == 302
    assert logged_in_user(client) is not None


def test_a_replayed_or_unknown_state_is_refused(sso, client):
    response = client.get("/oidc/callback/", {"code": "abc", "state": "not-ours"})
    assert response.status_code == 302 and response["Location"] == "/log-ind/"
    assert logged_in_user(client) is None
    client.get("/oidc/authenticate/")  # a state in the session, but not this one
    response = client.get("/oidc/callback/", {"code": "abc", "state": "not-ours"})
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None


def test_a_token_for_another_client_is_refused(sso, client, caplog, monkeypatch):
    """The provider puts the token request's client_id into the ID token's `aud`; a token
    minted for another application must not log anyone in here."""
    original = oidc.AnskafOIDCBackend.get_token
    monkeypatch.setattr(oidc.AnskafOIDCBackend, "get_token",
                        lambda self, payload: original(self, {**payload, "client_id": "other-app"}))
    with caplog.at_level(logging.WARNING, logger="anskaf.orgs.oidc"):
        response = sso_login(client, sso, person("karen@haderslev.dk"))
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None
    assert "audience ['other-app'] is not this client" in caplog.text


def test_the_provider_saying_no_is_shown_on_the_login_page(sso, client):
    client.get("/oidc/authenticate/")
    state = next(iter(client.session["oidc_states"]))
    response = client.get("/oidc/callback/", {"error": "access_denied", "state": state,
                                              "error_description": "Ring til 12345678"})
    assert response["Location"] == "/log-ind/" and logged_in_user(client) is None
    page = login_page_text(client)
    assert "kommunens login blev afbrudt eller afvist" in page
    assert "12345678" not in page


def test_failed_sso_callbacks_do_not_lock_out_sso_logins(sso, client, settings):
    settings.AXES_FAILURE_LIMIT = 2

    def wrong_verifier(state: dict) -> None:
        state["code_verifier"] = "y" * 64

    for _ in range(3):
        sso_login(client, sso, person("karen@haderslev.dk"), tamper=wrong_verifier)
        assert logged_in_user(client) is None
    assert sso_login(client, sso, person("karen@haderslev.dk")).status_code == 302
    assert logged_in_user(client) is not None


def test_a_password_login_never_reaches_the_provider(sso, client, coordinator, settings):
    # Even with a code and state in its query string, the password form logs in by password.
    response = client.post("/log-ind/?code=abc&state=def",
                           {"username": "koordinator", "password": "demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "anskaf.orgs.backends.DemoAwareModelBackend"


# --- the login page and the switches -------------------------------------------------------------


def test_login_page_offers_sso_next_to_the_password_form(sso, client, settings, org):
    settings.ANSKAF_OIDC_BUTTON_LABEL = "Log ind med Microsoft"
    page = client.get("/log-ind/?next=/sager/").content.decode()
    assert f'href="/log-ind/{org.slug}/?next=/sager/"' in page
    assert "Log ind med Microsoft" in page
    assert 'name="password"' in page


def test_local_login_off_hides_the_form_and_refuses_passwords(client, coordinator, settings):
    settings.ANSKAF_OIDC_ENABLED = True
    settings.ANSKAF_OIDC_ORGANISATION = coordinator.organisation.slug
    settings.ANSKAF_LOCAL_LOGIN = False
    page = client.get("/log-ind/").content.decode()
    assert 'name="password"' not in page
    assert "Log ind med kommunens login" in page

    response = client.post("/log-ind/", {"username": "koordinator", "password": "demo"})
    assert response.status_code == 200 and logged_in_user(client) is None
    assert "slået fra" in response.content.decode()
    # Refused by the backends, not only hidden: authenticate() itself says no.
    request = RequestFactory().post("/log-ind/")
    assert authenticate(request, username="koordinator", password="demo") is None


def test_local_login_off_sso_still_logs_in(sso, client, coordinator, settings):
    settings.ANSKAF_LOCAL_LOGIN = False
    assert sso_login(client, sso, person("koordinator")).status_code == 302
    assert logged_in_user(client) == coordinator


def test_sso_off_the_endpoints_answer_404_and_the_page_shows_no_button(client, db):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "a", "state": "b"}).status_code == 404
    page = client.get("/log-ind/").content.decode()
    assert "/oidc/authenticate/" not in page and 'name="password"' in page


# --- configuration ---------------------------------------------------------------------------------


def load_settings(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("OIDC_", "ANSKAF_OIDC_", "ANSKAF_LOCAL_LOGIN", "ANSKAF_SSO_IN_DATABASE"))}
    code = ("from anskaf import settings as s; import json; print(json.dumps({"
            "'enabled': s.ANSKAF_OIDC_ENABLED, 'map': s.ANSKAF_OIDC_ROLE_MAP, "
            "'backends': s.AUTHENTICATION_BACKENDS, 'pkce': s.OIDC_USE_PKCE, "
            "'claim': s.ANSKAF_OIDC_ROLE_CLAIM, 'scopes': s.OIDC_RP_SCOPES}))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={**base, "ANSKAF_TESTING": "1", **env}, timeout=60)


FULL = {
    "OIDC_RP_CLIENT_ID": "anskaf", "OIDC_RP_CLIENT_SECRET": "s",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example/token",
    "OIDC_OP_USER_ENDPOINT": "https://login.example/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example/keys",
    "ANSKAF_OIDC_ORGANISATION": "haderslev",
}


def test_settings_sso_is_off_without_a_client_id():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    # The backend is always listed: it logs in nobody unless a callback hands it a provider.
    assert loaded["enabled"] is False and loaded["backends"][-1] == OIDC_BACKEND


def test_settings_sso_on_with_a_role_map():
    result = load_settings(**FULL, ANSKAF_OIDC_ROLE_MAP="Anskaf.Coordinator=coordinator, "
                           "Anskaf.IT=it,Anskaf.IT=it_board", ANSKAF_LOCAL_LOGIN="false")
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["enabled"] is True and loaded["pkce"] is True
    assert loaded["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert loaded["backends"][-1] == OIDC_BACKEND
    assert loaded["map"] == {"Anskaf.Coordinator": ["coordinator"], "Anskaf.IT": ["it", "it_board"]}
    assert loaded["claim"] == "roles" and loaded["scopes"] == "openid email profile"


@pytest.mark.parametrize(("env", "message"), [
    ({**FULL, "ANSKAF_OIDC_ORGANISATION": ""}, "ANSKAF_OIDC_ORGANISATION is not set"),
    ({**FULL, "OIDC_OP_JWKS_ENDPOINT": ""}, "OIDC_OP_JWKS_ENDPOINT is not set"),
    ({**FULL, "ANSKAF_OIDC_ROLE_MAP": "Anskaf.Boss=boss"}, "ANSKAF_OIDC_ROLE_MAP"),
    ({**FULL, "ANSKAF_OIDC_ROLE_MAP": "coordinator"}, "is not claimvalue=rolekey"),
    ({**FULL, "OIDC_RP_SIGN_ALGO": "none"}, "OIDC_RP_SIGN_ALGO"),
    ({"ANSKAF_LOCAL_LOGIN": "false"}, "ANSKAF_LOCAL_LOGIN=false leaves no way to log in"),
    ({"ANSKAF_LOCAL_LOGIN": "false", "ANSKAF_SSO_IN_DATABASE": "false"},
     "ANSKAF_LOCAL_LOGIN=false leaves no way to log in"),
])
def test_settings_fail_loudly_when_sso_is_half_configured(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_settings_password_login_off_with_providers_registered_in_anskaf():
    result = load_settings(ANSKAF_LOCAL_LOGIN="false", ANSKAF_SSO_IN_DATABASE="true")
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["enabled"] is False and loaded["backends"][-1] == OIDC_BACKEND


def test_role_mapping_rules():
    roles = oidc.roles_from_claims
    assert roles({"roles": "coordinator"}, "roles", {}) == {"coordinator"}
    assert roles({"roles": ["it", "nope", None]}, "roles", {}) == {"it"}
    assert roles({"roles": ["A"]}, "roles", {"A": ["legal", "not-a-role"]}) == {"legal"}
    assert roles({}, "roles", {}) == set()
    assert oidc.groups_overage({"hasgroups": True}, "groups")
    assert not oidc.groups_overage({"hasgroups": True}, "roles")
    assert not oidc.groups_overage({"groups": [], "_claim_names": {"groups": "x"}}, "groups")
