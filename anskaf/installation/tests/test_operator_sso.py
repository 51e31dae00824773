"""The operator registers a municipality's own single sign-on (issue 18: "a municipality's
admin (or the operator)"): the same page and rules as the admins' Administration -> Log ind,
audited in the municipality's chain and the installation's, never the installation's row."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.orgs import tenancy
from anskaf.orgs.errors import NotAllowed
from anskaf.orgs.installation_chain import installation_organisation
from anskaf.orgs.models import SsoProvider

ISSUER = "https://login.example.dk/tenant-a/v2.0"
DISCOVERY = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
             "token_endpoint": f"{ISSUER}/token", "userinfo_endpoint": f"{ISSUER}/userinfo",
             "jwks_uri": f"{ISSUER}/keys", "id_token_signing_alg_values_supported": ["RS256"]}


@pytest.fixture
def discovered(monkeypatch):
    """The discovery document without the network (the real fetch: test_oidc_tenants.py)."""
    monkeypatch.setattr(tenancy, "discover", lambda issuer: dict(DISCOVERY))


def test_the_operator_may_configure_municipalities_but_not_the_installations_row(operator,
                                                                                org):
    assert tenancy.may_configure(operator, org.pk)
    assert not tenancy.may_configure(operator, installation_organisation().pk)
    operator.is_active = False
    assert not tenancy.may_configure(operator, org.pk)
    with pytest.raises(NotAllowed):
        tenancy.sso_provider_save(actor=operator, organisation_id=org.pk, data={})


def test_the_operator_registers_a_provider_on_the_municipalitys_page(operator, org, unit,
                                                                     discovered):
    client = Client()
    client.force_login(operator)
    page = client.get(f"/drift/kommuner/{org.slug}/log-ind/")
    assert page.status_code == 200 and "/oidc/callback/" in page.content.decode()
    refused = client.post(f"/drift/kommuner/{org.slug}/log-ind/",
                          {"issuer": ISSUER, "client_id": "anskaf", "client_secret": "",
                           "role_claim": "roles", "username_claim": "preferred_username",
                           "role_map": "G-IT = it"})
    assert refused.status_code == 400 and "G-IT = it" in refused.content.decode()
    saved = client.post(f"/drift/kommuner/{org.slug}/log-ind/",
                        {"issuer": ISSUER, "client_id": "anskaf", "client_secret": "s3cret-xyz",
                         "role_claim": "roles", "username_claim": "preferred_username",
                         "role_map": f"G-IT = it @ {unit.name}"})
    assert saved.status_code == 302 and saved.url == f"/drift/kommuner/{org.slug}/log-ind/"
    provider = SsoProvider.objects.get(organisation=org)
    assert provider.role_map == [{"value": "G-IT", "role": "it", "unit": unit.pk}]
    again = client.get(saved.url).content.decode()
    assert "s3cret-xyz" not in again and ISSUER in again
    own = AuditEvent.objects.get(organisation=org, event_type="sso.provider_registered")
    assert own.actor_id == operator.pk and own.actor_role == "operator"
    installation = AuditEvent.objects.get(organisation=installation_organisation(),
                                          event_type="sso.provider_registered")
    assert installation.after["organisation_id"] == org.pk
    assert "s3cret-xyz" not in json.dumps([own.after, installation.after])
    assert audit_verify(org.pk).ok and audit_verify(installation_organisation().pk).ok

    removed = client.post(f"/drift/kommuner/{org.slug}/log-ind/fjern/")
    assert removed.status_code == 302 and not SsoProvider.objects.exists()
    assert client.get("/drift/kommuner/atlantis/log-ind/").status_code == 404


def test_a_municipalitys_admin_gets_404_on_the_operators_sso_page(org):
    client = Client()
    client.force_login(testing.make_user(org, "admin", "admin"))
    assert client.get(f"/drift/kommuner/{org.slug}/log-ind/").status_code == 404


def test_the_operator_registers_a_provider_by_api(operator, org, discovered):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=operator)}")
    url = f"/api/v1/installation/organisations/{org.slug}/sso"
    assert client.get(url).json()["source"] == "none"
    saved = client.put(url, data=json.dumps({"issuer": ISSUER, "client_id": "anskaf",
                                             "client_secret": "hemmelig"}),
                       content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["source"] == "database" and "hemmelig" not in saved.content.decode()
    plain_http = client.put(url, data=json.dumps({"issuer": "http://login.example.org",
                                                  "client_id": "y"}),
                            content_type="application/json")
    assert plain_http.status_code == 409 and "issuer" in plain_http.json()["fields"]
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert client.get("/api/v1/installation/organisations/atlantis/sso").status_code == 404
