"""Each municipality its own sign-on, KITOS and settings (issue 18 parts 2 and 3, ADR 0031):
the encrypted secrets and their rotation, registering a provider, the settings with the
installation's defaults, KITOS per municipality and its connection test, the sender address.
The logins through two real providers are in test_oidc_tenants.py."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit import secretbox
from anskaf.audit.models import AuditEvent
from anskaf.cli import main
from anskaf.orgs import tenancy
from anskaf.orgs.errors import NotAllowed, ValidationFailed
from anskaf.orgs.models import MunicipalitySettings, SsoProvider
from anskaf.portfolio import kitos

ISSUER = "https://login.example.dk/tenant-a/v2.0"
DISCOVERY = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
             "token_endpoint": f"{ISSUER}/token", "userinfo_endpoint": f"{ISSUER}/userinfo",
             "jwks_uri": f"{ISSUER}/keys", "id_token_signing_alg_values_supported": ["RS256"]}


@pytest.fixture
def admin(org):
    return testing.make_user(org, "admin", "admin")


@pytest.fixture
def discovered(monkeypatch):
    """The discovery document of ISSUER, without the network (the real fetch is tested with
    the real provider in test_oidc_tenants.py)."""
    seen: list[str] = []

    def fake(issuer: str) -> dict:
        seen.append(issuer)
        return dict(DISCOVERY)

    monkeypatch.setattr(tenancy, "discover", fake)
    return seen


def register(admin, **data):
    return tenancy.sso_provider_save(actor=admin, organisation_id=admin.organisation_id, data={
        "issuer": ISSUER, "client_id": "anskaf", "client_secret": "hemmelig-klient", **data})


# --- the secrets key ------------------------------------------------------------------------------


def test_secrets_are_encrypted_with_a_key_in_the_key_directory(settings):
    token = secretbox.encrypt("hemmeligt")
    assert token and "hemmeligt" not in token
    assert secretbox.decrypt(token) == "hemmeligt"
    kid = (settings.ANSKAF_KEY_DIR / "secrets-current").read_text().strip()
    key = settings.ANSKAF_KEY_DIR / f"secrets-{kid}.key"
    assert key.exists() and key.stat().st_mode & 0o077 == 0
    assert secretbox.encrypt("") == "" and secretbox.decrypt("") == ""


def test_the_secrets_key_never_goes_into_a_backup(settings):
    """Even with the key directory inside the documents folder (anskaf/backup.py)."""
    from django.core.files.storage import FileSystemStorage

    from anskaf import backup

    secretbox.encrypt("hemmeligt")
    [key] = settings.ANSKAF_KEY_DIR.glob("secrets-*.key")
    storage = FileSystemStorage(location=settings.ANSKAF_KEY_DIR.parent)
    assert backup._excluded(storage, f"{settings.ANSKAF_KEY_DIR.name}/{key.name}")
    assert not backup._excluded(storage, "dokument.pdf")


def test_without_its_key_a_secret_is_unreadable_not_wrong(settings, tmp_path):
    token = secretbox.encrypt("hemmeligt")
    settings.ANSKAF_KEY_DIR = tmp_path / "another-key-dir"
    with pytest.raises(secretbox.SecretUnreadable):
        secretbox.decrypt(token)


def test_rotate_secrets_reencrypts_every_secret_and_deletes_the_old_key(
        admin, discovered, settings, capsys):
    register(admin)
    tenancy.municipality_settings_save(actor=admin, organisation_id=admin.organisation_id, data={
        "kitos_email": "api@kommune.dk", "kitos_password": "kitos-kode",
        "kitos_organisation_uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6"})
    old_kid = (settings.ANSKAF_KEY_DIR / "secrets-current").read_text().strip()
    old_token = SsoProvider.objects.get().client_secret_encrypted

    assert main(["keys", "rotate-secrets"]) == 0
    assert "2 stored secret(s) re-encrypted" in capsys.readouterr().out

    new_kid = (settings.ANSKAF_KEY_DIR / "secrets-current").read_text().strip()
    assert new_kid != old_kid
    assert sorted(p.name for p in settings.ANSKAF_KEY_DIR.glob("secrets-*.key")) == [
        f"secrets-{new_kid}.key"]
    provider = SsoProvider.objects.get()
    assert provider.client_secret_encrypted != old_token
    assert tenancy.sso_config_for(provider.organisation).client_secret() == "hemmelig-klient"
    assert tenancy.kitos_own(admin.organisation_id)["password"] == "kitos-kode"
    with pytest.raises(secretbox.SecretUnreadable):  # the old key is gone with its file
        secretbox.decrypt(old_token)


def test_rotation_refuses_when_a_secret_cannot_be_read_and_changes_nothing(
        admin, discovered, settings, capsys):
    register(admin)
    SsoProvider.objects.update(client_secret_encrypted="gAAAAA-not-a-token")
    assert main(["keys", "rotate-secrets"]) == 1
    assert "not rotated" in capsys.readouterr().err
    assert SsoProvider.objects.get().client_secret_encrypted == "gAAAAA-not-a-token"


# --- registering the provider ---------------------------------------------------------------------


def test_an_admin_registers_the_provider_with_the_secret_encrypted_and_audited(admin, discovered):
    provider = register(admin, role_map="Anskaf.Koordinator = coordinator\nAnskaf.IT = it")
    assert discovered == [ISSUER]
    assert provider.token_endpoint == f"{ISSUER}/token" and provider.sign_algo == "RS256"
    assert "hemmelig-klient" not in provider.client_secret_encrypted
    assert provider.role_map == [{"value": "Anskaf.Koordinator", "role": "coordinator",
                                  "unit": None}, {"value": "Anskaf.IT", "role": "it",
                                                  "unit": None}]
    event = AuditEvent.objects.get(event_type="sso.provider_registered")
    assert "hemmelig-klient" not in json.dumps([event.before, event.after])
    assert event.after["client_secret_set"] is True

    # Saved again without a secret: the stored one is kept.
    register(admin, client_secret="", client_id="anskaf-2")
    again = SsoProvider.objects.get()
    assert again.client_id == "anskaf-2"
    assert secretbox.decrypt(again.client_secret_encrypted) == "hemmelig-klient"
    assert AuditEvent.objects.filter(event_type="sso.provider_changed").count() == 1


def test_role_map_lines_name_roles_and_units_and_bad_lines_are_named(admin, unit, discovered):
    provider = register(admin, role_map=f"G-IT = it @ {unit.name}\n\nG-Alle = requester")
    assert provider.role_map[0] == {"value": "G-IT", "role": "it", "unit": unit.pk}
    assert tenancy.role_map_text(provider) == f"G-IT = it @ {unit.name}\nG-Alle = requester"
    for text, message in (("G-IT = chef", "Linje 1: »chef« er ikke en rolle"),
                          ("ok = it\nbare-en-værdi", "Linje 2"),
                          ("G = it @ Findes Ikke", "enheden »Findes Ikke« findes ikke")):
        with pytest.raises(ValidationFailed) as refused:
            register(admin, role_map=text)
        assert message in refused.value.errors["role_map"]


def test_a_provider_needs_issuer_client_id_and_a_first_secret(admin, discovered):
    with pytest.raises(ValidationFailed) as refused:
        tenancy.sso_provider_save(actor=admin, organisation_id=admin.organisation_id,
                                  data={"issuer": "ikke en adresse"})
    assert set(refused.value.errors) == {"issuer", "client_id", "client_secret"}
    assert discovered == []  # nothing fetched for a form with errors


def test_an_issuer_must_be_https_except_on_this_machine(admin, discovered):
    with pytest.raises(ValidationFailed) as refused:
        register(admin, issuer="http://login.example.dk/tenant")
    assert "https://" in refused.value.errors["issuer"]
    # The suite's providers run on 127.0.0.1 (ANSKAF_ALLOW_LOCAL_ADDRESSES is on in tests).
    assert register(admin, issuer="http://127.0.0.1:5556").issuer == "http://127.0.0.1:5556"


@pytest.mark.parametrize("address", ["https://127.0.0.1/x", "https://localhost:8443/",
                                     "https://10.1.2.3/", "https://[::1]/", "http://169.254.169.254/"])
def test_addresses_the_server_fetches_may_not_point_inward(admin, org, discovered, settings,
                                                           address):
    settings.ANSKAF_ALLOW_LOCAL_ADDRESSES = False
    with pytest.raises(ValidationFailed) as refused:
        register(admin, issuer=address)
    assert "privat netværk" in refused.value.errors["issuer"]
    with pytest.raises(ValidationFailed) as refused:
        tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk,
                                           data={"kitos_url": address})
    assert "privat netværk" in refused.value.errors["kitos_url"]


def provider_answers(monkeypatch, **changed):
    """The issuer's discovery document over "HTTP", with these keys changed."""
    answer = type("Answer", (), {"status_code": 200,
                                 "json": staticmethod(lambda: {**DISCOVERY, **changed})})
    monkeypatch.setattr(tenancy.requests, "get", lambda url, timeout: answer())


def test_a_discovery_document_pointing_inward_is_refused(admin, settings, monkeypatch):
    settings.ANSKAF_ALLOW_LOCAL_ADDRESSES = False
    provider_answers(monkeypatch, token_endpoint="http://10.0.0.5/token")
    with pytest.raises(ValidationFailed) as refused:
        register(admin)
    assert "token_endpoint" in refused.value.errors["issuer"]


def test_discovery_that_names_another_issuer_is_refused(admin, monkeypatch):
    provider_answers(monkeypatch, issuer="https://evil.example/")
    with pytest.raises(ValidationFailed) as refused:
        register(admin)
    assert "en anden udsteder" in refused.value.errors["issuer"]
    assert not SsoProvider.objects.exists()


def test_only_the_municipalitys_own_admin_configures_it(admin, coordinator, outsider, org,
                                                       discovered):
    for actor in (coordinator, outsider):
        with pytest.raises(NotAllowed):
            tenancy.sso_provider_save(actor=actor, organisation_id=org.pk, data={})
        with pytest.raises(NotAllowed):
            tenancy.municipality_settings_save(actor=actor, organisation_id=org.pk, data={})
    other_admin = testing.make_user(outsider.organisation, "anden-admin", "admin")
    with pytest.raises(NotAllowed):
        tenancy.sso_provider_remove(actor=other_admin, organisation_id=org.pk)


def test_removing_the_provider_is_audited_and_the_environment_provider_applies_again(
        admin, org, discovered, settings):
    settings.ANSKAF_OIDC_ENABLED = True
    settings.ANSKAF_OIDC_ORGANISATION = org.slug
    settings.OIDC_RP_CLIENT_ID = "env-client"
    assert tenancy.sso_config_for(org).source == "environment"
    register(admin)
    assert tenancy.sso_config_for(org).source == "database"  # the admin's replaces it
    assert tenancy.sso_provider_remove(actor=admin, organisation_id=org.pk) is True
    assert tenancy.sso_config_for(org).client_id == "env-client"
    assert AuditEvent.objects.filter(event_type="sso.provider_removed").exists()
    assert tenancy.sso_provider_remove(actor=admin, organisation_id=org.pk) is False


# --- the pages -------------------------------------------------------------------------------------


def test_the_provider_page_never_shows_the_secret(admin, discovered, client):
    client.force_login(admin)
    page = client.get("/administration/log-ind/")
    assert page.status_code == 200 and "/oidc/callback/" in page.content.decode()
    response = client.post("/administration/log-ind/", {
        "issuer": ISSUER, "client_id": "anskaf", "client_secret": "hemmelig-klient",
        "role_map": "X = it"})
    assert response.status_code == 302
    page = client.get("/administration/log-ind/").content.decode()
    assert "hemmelig-klient" not in page and "En klienthemmelighed er gemt" in page
    assert "X = it" in page and f"/log-ind/{admin.organisation.slug}/" in page


def test_the_person_form_says_whether_the_municipality_has_single_sign_on(
        admin, discovered, client, outsider):
    client.force_login(admin)
    hint = "Single sign-on er ikke slået til i anskaf endnu"
    assert hint in client.get("/administration/personer/ny/").content.decode()
    other_admin = testing.make_user(outsider.organisation, "anden-admin", "admin")
    tenancy.sso_provider_save(actor=other_admin, organisation_id=outsider.organisation_id,
                              data={"issuer": ISSUER, "client_id": "b", "client_secret": "b"})
    assert hint in client.get("/administration/personer/ny/").content.decode()  # B's, not ours
    register(admin)
    assert hint not in client.get("/administration/personer/ny/").content.decode()


def test_a_bad_role_line_keeps_what_was_typed(admin, discovered, client):
    client.force_login(admin)
    response = client.post("/administration/log-ind/", {
        "issuer": ISSUER, "client_id": "anskaf", "client_secret": "x", "role_map": "X = chef"})
    page = response.content.decode()
    assert response.status_code == 400 and "»chef« er ikke en rolle" in page
    assert ISSUER in page and "X = chef" in page and not SsoProvider.objects.exists()


def test_the_api_takes_the_secret_and_never_gives_it_back(admin, discovered, unit):
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=admin)}"}
    body = {"issuer": ISSUER, "client_id": "anskaf", "client_secret": "hemmelig-klient",
            "role_map": [{"value": "G", "role": "it", "unit": unit.pk}]}
    response = client.put("/api/v1/organisation/sso", json.dumps(body),
                          content_type="application/json", **auth)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["source"] == "database" and data["provider"]["client_secret_set"] is True
    assert "hemmelig-klient" not in response.content.decode()
    assert data["provider"]["role_map"] == [{"value": "G", "role": "it", "unit": unit.pk}]
    assert "hemmelig-klient" not in client.get("/api/v1/organisation/sso", **auth).content.decode()
    assert client.delete("/api/v1/organisation/sso", **auth).status_code == 204
    assert client.get("/api/v1/organisation/sso", **auth).json()["source"] == "none"


# --- settings, KITOS, the sender ------------------------------------------------------------------


def test_installation_defaults_apply_where_the_municipality_set_nothing(admin, org, settings):
    settings.DEFAULT_FROM_EMAIL = "anskaf@drift.dk"
    settings.ANSKAF_ARCHIVE_AUTHORITY = "Rigsarkivet"
    settings.ANSKAF_ACCESSIBILITY_URL = ""
    assert tenancy.effective_settings(org.pk).sender_email == "anskaf@drift.dk"
    tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk, data={
        "sender_email": "anskaf@haderslev.dk", "accessibility_url": "https://was.digst.dk/x"})
    effective = tenancy.effective_settings(org.pk)
    assert effective.sender_email == "anskaf@haderslev.dk"
    assert effective.archive_authority == "Rigsarkivet"
    assert effective.accessibility_url == "https://was.digst.dk/x"


def test_bad_settings_are_named_field_by_field(admin, org):
    with pytest.raises(ValidationFailed) as refused:
        tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk, data={
            "kitos_url": "kitos", "kitos_email": "ikke-en-mail", "sender_email": "x@",
            "kitos_organisation_uuid": "123", "accessibility_url": "ftp://x"})
    assert set(refused.value.errors) == {"kitos_url", "kitos_email", "sender_email",
                                         "kitos_organisation_uuid", "accessibility_url"}
    assert not MunicipalitySettings.objects.exists()


def test_too_long_settings_are_refused_not_cut(admin, org):
    with pytest.raises(ValidationFailed) as refused:
        tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk, data={
            "kitos_url": "https://kitos.dk/" + "a" * 300, "archive_authority": "A" * 201})
    assert refused.value.errors == {"kitos_url": "Feltet må højst være 300 tegn.",
                                    "archive_authority": "Feltet må højst være 200 tegn."}


def test_the_footer_links_to_the_municipalitys_accessibility_statement(admin, org, client):
    client.force_login(admin)
    assert 'href="/tilgaengelighed/"' in client.get("/administration/").content.decode()
    tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk, data={
        "accessibility_url": "https://www.was.digst.dk/anskaf-haderslev"})
    page = client.get("/administration/").content.decode()
    assert 'href="https://www.was.digst.dk/anskaf-haderslev"' in page


def test_mails_go_out_from_the_municipalitys_sender(admin, org, outsider, settings):
    from anskaf.notifications.delivery import deliver
    from anskaf.notifications.models import OutboxMessage
    from anskaf.notifications.services import Notice, notify

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "anskaf@drift.dk"
    tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk,
                                       data={"sender_email": "anskaf@haderslev.dk"})
    for person in (admin, outsider):
        person.email = f"{person.username}@example.dk"
        person.save()
        notify([person], Notice(kind="decision", organisation_id=person.organisation_id,
                                subject="Hej", body="Hej", path="/"))
    for message in OutboxMessage.objects.all():
        deliver(message.pk, now=message.next_attempt_at)
    senders = {m.to[0]: m.from_email for m in mail.outbox}
    assert senders == {"admin@example.dk": "anskaf@haderslev.dk",
                       f"{outsider.username}@example.dk": "anskaf@drift.dk"}


def own_kitos(admin, fake, **data):
    return tenancy.municipality_settings_save(actor=admin, organisation_id=admin.organisation_id,
                                              data={"kitos_url": fake.url,
                                                    "kitos_email": fake.email,
                                                    "kitos_password": fake.password,
                                                    "kitos_organisation_uuid":
                                                    fake.organisation_uuid, **data})


def test_kitos_config_is_the_municipalitys_own_else_the_installations(
        admin, org, other_org, fake_kitos, settings):
    settings.KITOS_URL, settings.KITOS_EMAIL = "https://kitos.example/", "drift@kitos.dk"
    settings.KITOS_PASSWORD, settings.KITOS_ORGANIZATION_UUID = "drift", "installation-uuid"
    settings.KITOS_ORGANISATION = ""
    assert kitos.config(org.pk).email == "drift@kitos.dk"  # one municipality: as before
    own_kitos(admin, fake_kitos)
    mine = kitos.config(org.pk)
    assert (mine.url, mine.email, mine.password, mine.organisation_uuid) == (
        fake_kitos.url.rstrip("/") + "/", "api@haderslev.dk", "kitos-kode",
        fake_kitos.organisation_uuid)
    assert kitos.config(other_org.pk).email == "drift@kitos.dk"
    settings.KITOS_ORGANISATION = org.slug  # the installation's KITOS is one municipality's
    assert kitos.config(other_org.pk) is None
    with pytest.raises(kitos.KitosUnconfigured):
        kitos.connect(other_org.pk)


def test_kitos_test_says_exactly_what_failed(admin, org, fake_kitos, settings):
    settings.KITOS_URL = ""
    check = kitos.check_connection(org.pk)
    assert (check.ok, check.step) == (False, "configuration")
    own_kitos(admin, fake_kitos, kitos_password="forkert")
    check = kitos.check_connection(org.pk)
    assert (check.ok, check.step) == (False, "login") and "api@haderslev.dk" in check.message
    own_kitos(admin, fake_kitos, kitos_organisation_uuid="3fa85f64-5717-4562-b3fc-2c963f66afa6")
    check = kitos.check_connection(org.pk)
    assert (check.ok, check.step) == (False, "organisation")
    assert "3fa85f64-5717-4562-b3fc-2c963f66afa6 findes ikke" in check.message
    own_kitos(admin, fake_kitos)
    check = kitos.check_connection(org.pk)
    assert (check.ok, check.step) == (True, "done") and "Testkommune" in check.message
    own_kitos(admin, fake_kitos, kitos_url="http://127.0.0.1:9/")  # nothing listens there
    check = kitos.check_connection(org.pk)
    assert (check.ok, check.step) == (False, "connection")
    assert "http://127.0.0.1:9/ kunne ikke nås" in check.message


def test_the_test_button_and_the_api_answer_alike(admin, org, fake_kitos, client):
    own_kitos(admin, fake_kitos, kitos_password="galt-kodeord")
    client.force_login(admin)
    page = client.post("/administration/indstillinger/test-kitos/").content.decode()
    assert "Forbindelsen til KITOS virker ikke" in page and "afviste login" in page
    assert "galt-kodeord" not in page
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=admin)}"}
    answer = Client().post("/api/v1/organisation/kitos-test", **auth).json()
    assert answer["ok"] is False and answer["step"] == "login"


def test_settings_api_keeps_fields_left_out_and_hides_the_password(admin, org, fake_kitos):
    own_kitos(admin, fake_kitos)
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=admin)}"}
    response = client.put("/api/v1/organisation/settings",
                          json.dumps({"archive_authority": "Stadsarkivet"}),
                          content_type="application/json", **auth)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["archive_authority"] == "Stadsarkivet" and data["kitos_email"] == fake_kitos.email
    assert data["kitos_password_set"] is True and "kitos-kode" not in response.content.decode()
    response = client.put("/api/v1/organisation/settings", json.dumps({"sender_email": "x"}),
                          content_type="application/json", **auth)
    # a string, as the document says, that is no e-mail address: the municipality's rule, 409
    assert response.status_code == 409 and "sender_email" in response.json()["fields"]


def test_a_system_to_be_archived_names_the_municipalitys_archive_authority(admin, org, client,
                                                                           settings):
    from anskaf.portfolio.models import System

    settings.ANSKAF_ARCHIVE_AUTHORITY = "Rigsarkivet"
    system = System.objects.create(organisation=org, name="ESDH", archive_decision="archive")
    client.force_login(admin)
    page = client.get(f"/systemer/{system.pk}/").content.decode()
    assert "Arkivmyndighed" in page and "Rigsarkivet" in page
    tenancy.municipality_settings_save(actor=admin, organisation_id=org.pk,
                                       data={"archive_authority": "Haderslev Stadsarkiv"})
    assert "Haderslev Stadsarkiv" in client.get(f"/systemer/{system.pk}/").content.decode()
