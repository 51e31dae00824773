"""Each municipality its own sign-on, KITOS and settings (issue 18 parts 2 and 3, ADR 0031).

- **Single sign-on per municipality**: `SsoProvider` rows, registered by the municipality's
  administrator; `sso_config_for` gives the provider a municipality's login goes to: its own
  row, else the provider configured by environment variables when the municipality is
  `ANSKAF_OIDC_ORGANISATION` (so an installation set up before keeps working until an
  administrator registers a provider in anskaf).
- **Settings per municipality**: `MunicipalitySettings` (KITOS address and credentials, the
  sender address of e-mails, the archive authority, the accessibility statement's address);
  `effective_settings` fills what the municipality left empty with the installation's
  defaults.
- Secrets (the client secret, the KITOS password) are stored encrypted
  (anskaf.audit.secretbox) and never given back by any page or API answer.

The writing services take the acting person; `may_configure` decides who may change a
municipality's sign-on and settings: the municipality's administrator (the whole
organisation's `admin` role) and the installation's operator, whose changes are audited in
the installation's chain too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from anskaf.audit import events, secretbox
from anskaf.audit.services import audit_append
from anskaf.validation.text import stripped, text_problem

from .choices import Role
from .errors import NotFound, ValidationFailed
from .installation_chain import installation_organisation
from .models import MunicipalitySettings, Organisation, OrgUnit, SsoProvider, User
from .permissions import can_configure, configure_refusal, require

log = logging.getLogger(__name__)

DISCOVERY_TIMEOUT = 10
SIGN_ALGOS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
CLAIM_MAX = 100
LOCAL_NAMES = {"localhost", "localhost.localdomain"}


# --- who may configure a municipality -----------------------------------------------------------


def may_configure(actor: User | None, organisation_id: int) -> bool:
    """"A municipality's admin (or the operator)": the administrators of the whole
    municipality, and the installation's operator for any municipality, never the
    installation's own row (ADR 0030; the rule is `anskaf.orgs.permissions.can_configure`)."""
    return can_configure(actor, organisation_id)


def _require(actor: User, organisation_id: int) -> Organisation:
    require(configure_refusal(actor, organisation_id))
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("Kommunen findes ikke.")
    return organisation


def _audit(actor: User, organisation_id: int, event_type: str, object_id: Any, before: Any,
           after: Any) -> None:
    """In the municipality's chain, acting as its administrator or the operator; an
    operator's change also in the installation's chain, naming the municipality."""
    role = events.OPERATOR if actor.is_operator else Role.ADMIN.value
    audit_append(organisation_id=organisation_id, actor=actor, actor_role=role,
                 event_type=event_type, object_id=object_id, before=before, after=after)
    if actor.is_operator:
        audit_append(organisation_id=installation_organisation().pk, actor=actor,
                     actor_role=role, event_type=event_type, object_id=object_id,
                     before=before, after={**(after or {}), "organisation_id": organisation_id})


def _url_problem(value: str, what: str) -> str | None:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return f"Skriv {what} som en hel adresse, der begynder med https://."
    return None


def is_local_address(url: str) -> bool:
    """True when the URL names this machine or a private, link-local or reserved network by
    name or address (not resolved: a public name pointing inward is not caught)."""
    import ipaddress

    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def _address_problem(value: str, what: str) -> str | None:
    """A URL an administrator types, which the server will fetch: a whole https:// address,
    and not this machine or a private network (unless ANSKAF_ALLOW_LOCAL_ADDRESSES)."""
    if (problem := _url_problem(value, what)) is not None:
        return problem
    local = is_local_address(value)
    if local and not settings.ANSKAF_ALLOW_LOCAL_ADDRESSES:
        return (f"{what[0].upper()}{what[1:]} må ikke pege på serveren selv eller et privat "
                "netværk. Brug den offentlige adresse.")
    if not value.startswith("https://") and not local:
        return f"{what[0].upper()}{what[1:]} skal begynde med https://."
    return None


# --- single sign-on: the provider a municipality logs in through ----------------------------------


@dataclass(frozen=True)
class Grant:
    """One line of the role map: people whose claim has `value` get `role` (in `unit`)."""

    value: str
    role: str
    unit_id: int | None = None


@dataclass(frozen=True)
class SsoConfig:
    organisation_id: int
    slug: str
    name: str
    source: str  # "database" (registered in anskaf) or "environment" (ANSKAF_OIDC_*)
    issuer: str  # "" for the environment's provider (not configured there)
    client_id: str
    client_secret_encrypted: str
    client_secret_plain: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    sign_algo: str
    role_claim: str
    username_claim: str
    # None: claim values that are role keys are the roles (no map).
    role_map: tuple[Grant, ...] | None = field(default=None)

    def client_secret(self) -> str:
        """The secret (decrypted now; SecretUnreadable when its key is gone)."""
        if self.source == "environment":
            return self.client_secret_plain
        return secretbox.decrypt(self.client_secret_encrypted)


def _env_config(organisation: Organisation) -> SsoConfig | None:
    if not getattr(settings, "ANSKAF_OIDC_ENABLED", False):
        return None
    if organisation.slug != settings.ANSKAF_OIDC_ORGANISATION:
        return None
    role_map = settings.ANSKAF_OIDC_ROLE_MAP
    grants = tuple(Grant(value, role) for value, roles in role_map.items() for role in roles)
    return SsoConfig(
        organisation_id=organisation.pk, slug=organisation.slug, name=organisation.name,
        source="environment", issuer="", client_id=settings.OIDC_RP_CLIENT_ID,
        client_secret_encrypted="", client_secret_plain=settings.OIDC_RP_CLIENT_SECRET,
        authorization_endpoint=settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        token_endpoint=settings.OIDC_OP_TOKEN_ENDPOINT,
        userinfo_endpoint=settings.OIDC_OP_USER_ENDPOINT,
        jwks_uri=settings.OIDC_OP_JWKS_ENDPOINT or "", sign_algo=settings.OIDC_RP_SIGN_ALGO,
        role_claim=settings.ANSKAF_OIDC_ROLE_CLAIM,
        username_claim=settings.ANSKAF_OIDC_USERNAME_CLAIM,
        role_map=grants or None)


def _db_config(organisation: Organisation, provider: SsoProvider) -> SsoConfig:
    grants = tuple(Grant(str(g["value"]), str(g["role"]), g.get("unit"))
                   for g in provider.role_map or [])
    return SsoConfig(
        organisation_id=organisation.pk, slug=organisation.slug, name=organisation.name,
        source="database", issuer=provider.issuer, client_id=provider.client_id,
        client_secret_encrypted=provider.client_secret_encrypted, client_secret_plain="",
        authorization_endpoint=provider.authorization_endpoint,
        token_endpoint=provider.token_endpoint, userinfo_endpoint=provider.userinfo_endpoint,
        jwks_uri=provider.jwks_uri, sign_algo=provider.sign_algo,
        role_claim=provider.role_claim, username_claim=provider.username_claim,
        role_map=grants or None)


def sso_config_for(organisation: Organisation | None) -> SsoConfig | None:
    """The provider the municipality's people log in through, or None (no single sign-on)."""
    if organisation is None:
        return None
    provider = SsoProvider.objects.filter(organisation=organisation).first()
    if provider is not None:
        return _db_config(organisation, provider)
    return _env_config(organisation)


def sso_config_by_id(organisation_id: int) -> SsoConfig | None:
    return sso_config_for(Organisation.objects.filter(pk=organisation_id).first())


def sso_choices() -> list[dict[str, str]]:
    """The municipalities with single sign-on, by name, for the login page (one query, two
    with the environment's provider)."""
    open_ = Organisation.objects.filter(suspended_at__isnull=True, is_installation=False)
    rows = {slug: name for slug, name in open_.filter(
        sso_provider__isnull=False).values_list("slug", "name")}
    env_slug = settings.ANSKAF_OIDC_ORGANISATION if getattr(
        settings, "ANSKAF_OIDC_ENABLED", False) else ""
    if env_slug and env_slug not in rows:
        name = open_.filter(slug=env_slug).values_list("name", flat=True).first()
        if name is not None:
            rows[env_slug] = name
    return [{"slug": slug, "name": name}
            for slug, name in sorted(rows.items(), key=lambda r: r[1].casefold())]


# --- registering a provider ---------------------------------------------------------------------


def discover(issuer: str) -> dict[str, Any]:
    """The issuer's OpenID Connect discovery document; ValidationFailed saying what failed."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=DISCOVERY_TIMEOUT)
    except requests.Timeout:
        raise ValidationFailed({"issuer": f"Udbyderen svarede ikke i tide ({url})."}) from None
    except requests.RequestException as exc:
        raise ValidationFailed({"issuer": f"Udbyderen kunne ikke nås ({url}): "
                                          f"{type(exc).__name__}."}) from None
    if response.status_code != 200:
        raise ValidationFailed({"issuer": f"Udbyderen svarede HTTP {response.status_code} på "
                                          f"{url}. Kontrollér udstederens adresse."})
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ValidationFailed({"issuer": f"{url} svarede ikke med et OpenID Connect-"
                                          "discovery-dokument (JSON)."})
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ValidationFailed({"issuer": "Udbyderen oplyser en anden udsteder "
                                          f"({str(document.get('issuer'))[:200]}) end den, "
                                          "du har skrevet. Brug udbyderens egen."})
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                               "jwks_uri") if not isinstance(document.get(key), str)
               or len(document[key]) > 500 or _url_problem(document[key], key)]
    if missing:
        raise ValidationFailed({"issuer": "Udbyderens discovery-dokument mangler "
                                          f"{', '.join(missing)}."})
    inward = [key for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                              "jwks_uri") if is_local_address(document[key])]
    if inward and not settings.ANSKAF_ALLOW_LOCAL_ADDRESSES:
        raise ValidationFailed({"issuer": "Udbyderens discovery-dokument peger på serveren selv "
                                          f"eller et privat netværk ({', '.join(inward)})."})
    return document


def role_map_text(provider: SsoProvider | None) -> str:
    """The role map as the form shows it: "værdi = rolle" or "værdi = rolle @ enhed"."""
    if provider is None:
        return ""
    units = dict(OrgUnit.objects.filter(organisation_id=provider.organisation_id)
                 .values_list("pk", "name"))
    lines = []
    for grant in provider.role_map or []:
        unit = units.get(grant.get("unit")) if grant.get("unit") else None
        lines.append(f"{grant['value']} = {grant['role']}" + (f" @ {unit}" if unit else ""))
    return "\n".join(lines)


def parse_role_map(organisation_id: int, raw: Any) -> list[dict[str, Any]]:
    """Lines "claimværdi = rollenøgle" or "claimværdi = rollenøgle @ enhedens navn" -> grants.
    Accepts also a list of {"value", "role", "unit"} (the API). ValidationFailed names the
    line and what is wrong."""
    units: dict[str, list[int]] = {}
    for pk, name in OrgUnit.objects.filter(organisation_id=organisation_id).values_list(
            "pk", "name"):
        units.setdefault(name.casefold(), []).append(pk)
    unit_ids = {pk for pks in units.values() for pk in pks}
    known = set(Role.values)
    keys = ", ".join(Role.values)
    grants: list[dict[str, Any]] = []
    if isinstance(raw, list):
        for number, item in enumerate(raw, start=1):
            if not isinstance(item, Mapping):
                raise ValidationFailed({"role_map": f"Linje {number}: skal være et objekt med "
                                                    "value, role og unit."})
            value, role = stripped(item.get("value")), stripped(item.get("role"))
            unit = item.get("unit")
            if not value or role not in known:
                raise ValidationFailed({"role_map": f"Linje {number}: angiv en claimværdi og "
                                                    f"en af rollerne {keys}."})
            if unit is not None and unit not in unit_ids:
                raise ValidationFailed({"role_map": f"Linje {number}: enheden {unit} findes "
                                                    "ikke i kommunen."})
            grants.append({"value": value[:200], "role": role, "unit": unit})
        return grants
    for number, line in enumerate(stripped(raw).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        value, sep, rest = line.rpartition("=")
        role, _, unit_name = rest.partition("@")
        value, role, unit_name = value.strip(), role.strip(), unit_name.strip()
        if not sep or not value:
            raise ValidationFailed({"role_map": f"Linje {number} (»{line[:80]}«): skriv "
                                                "»claimværdi = rolle« eller »claimværdi = "
                                                "rolle @ enhed«."})
        if role not in known:
            raise ValidationFailed({"role_map": f"Linje {number}: »{role[:40]}« er ikke en "
                                                f"rolle. Brug en af {keys}."})
        unit_id = None
        if unit_name:
            found = units.get(unit_name.casefold(), [])
            if len(found) != 1:
                why = "findes ikke" if not found else "findes flere gange"
                raise ValidationFailed({"role_map": f"Linje {number}: enheden »{unit_name[:80]}"
                                                    f"« {why} i kommunen."})
            unit_id = found[0]
        if (problem := text_problem(value, multiline=False)) is not None:
            raise ValidationFailed({"role_map": f"Linje {number}: {problem}"})
        grants.append({"value": value[:200], "role": role, "unit": unit_id})
    return grants


def provider_view(provider: SsoProvider | None) -> dict[str, Any] | None:
    """What may be shown of a provider: everything but the secret (only whether one is set)."""
    if provider is None:
        return None
    return {"issuer": provider.issuer, "client_id": provider.client_id,
            "client_secret_set": bool(provider.client_secret_encrypted),
            "role_claim": provider.role_claim, "username_claim": provider.username_claim,
            "role_map": list(provider.role_map or []),
            "authorization_endpoint": provider.authorization_endpoint,
            "token_endpoint": provider.token_endpoint,
            "userinfo_endpoint": provider.userinfo_endpoint, "jwks_uri": provider.jwks_uri,
            "sign_algo": provider.sign_algo}


def sso_provider_get(*, actor: User, organisation_id: int) -> SsoProvider | None:
    _require(actor, organisation_id)
    return SsoProvider.objects.filter(organisation_id=organisation_id).first()


def sso_provider_save(*, actor: User, organisation_id: int, data: Mapping[str, Any],
                      fetch: Callable[[str], dict[str, Any]] | None = None) -> SsoProvider:
    """Register or change the municipality's provider. `data`: issuer, client_id,
    client_secret (empty: keep the stored one), role_claim, username_claim, role_map.
    The issuer's discovery document is fetched (outside the transaction) for the endpoints."""
    _require(actor, organisation_id)
    existing = SsoProvider.objects.filter(organisation_id=organisation_id).first()
    errors: dict[str, str] = {}
    issuer = stripped(data.get("issuer")).rstrip("/")
    client_id = stripped(data.get("client_id"))
    secret = "" if data.get("client_secret") is None else str(data.get("client_secret"))
    role_claim = stripped(data.get("role_claim")) or "roles"
    username_claim = stripped(data.get("username_claim")) or "preferred_username"
    if len(issuer) > 500:
        errors["issuer"] = "Udstederens adresse må højst være 500 tegn."
    elif not issuer:
        errors["issuer"] = "Skriv udstederens adresse (issuer), fx https://login.microsoftonline.com/<tenant>/v2.0."
    elif (problem := _address_problem(issuer, "udstederens adresse")) is not None:
        errors["issuer"] = problem
    if not client_id:
        errors["client_id"] = "Skriv klient-id'et, som udbyderen har givet anskaf."
    elif len(client_id) > 255 or text_problem(client_id, multiline=False):
        errors["client_id"] = "Klient-id'et må højst være 255 tegn på én linje."
    if not secret and (existing is None or not existing.client_secret_encrypted):
        errors["client_secret"] = "Skriv klienthemmeligheden (client secret)."
    elif len(secret) > 1000 or "\n" in secret:
        errors["client_secret"] = "Klienthemmeligheden må højst være 1000 tegn på én linje."
    for key, value in (("role_claim", role_claim), ("username_claim", username_claim)):
        if len(value) > CLAIM_MAX or text_problem(value, multiline=False):
            errors[key] = "Claimets navn må højst være 100 tegn på én linje."
    try:
        role_map = parse_role_map(organisation_id, data.get("role_map"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        role_map = []
    if errors:
        raise ValidationFailed(errors)
    document = (fetch or discover)(issuer)
    algos = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    sign_algo = next((a for a in SIGN_ALGOS if a in algos), "")
    if not sign_algo:
        raise ValidationFailed({"issuer": "Udbyderen underskriver ikke ID-tokens med en "
                                          f"understøttet algoritme ({', '.join(SIGN_ALGOS)})."})
    with transaction.atomic():
        provider = (SsoProvider.objects.select_for_update()
                    .filter(organisation_id=organisation_id).first())
        before = provider_view(provider)
        if provider is None:
            provider = SsoProvider(organisation_id=organisation_id)
        provider.issuer, provider.client_id = issuer, client_id
        if secret:
            provider.client_secret_encrypted = secretbox.encrypt(secret)
        provider.role_claim, provider.username_claim = role_claim, username_claim
        provider.role_map = role_map
        provider.authorization_endpoint = document["authorization_endpoint"]
        provider.token_endpoint = document["token_endpoint"]
        provider.userinfo_endpoint = document["userinfo_endpoint"]
        provider.jwks_uri = document["jwks_uri"]
        provider.sign_algo = sign_algo
        provider.save()
        after = {**(provider_view(provider) or {}), "client_secret_changed": bool(secret)}
        _audit(actor, organisation_id,
               "sso.provider_registered" if before is None else "sso.provider_changed",
               provider.pk, before, after)
    return provider


def sso_provider_remove(*, actor: User, organisation_id: int) -> bool:
    """Remove the municipality's provider (its people then log in by password, or through the
    environment's provider when the municipality is ANSKAF_OIDC_ORGANISATION)."""
    _require(actor, organisation_id)
    with transaction.atomic():
        provider = (SsoProvider.objects.select_for_update()
                    .filter(organisation_id=organisation_id).first())
        if provider is None:
            return False
        before = provider_view(provider)
        pk = provider.pk
        provider.delete()
        _audit(actor, organisation_id, "sso.provider_removed", pk, before, None)
    return True


# --- the municipality's settings ----------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveSettings:
    sender_email: str
    archive_authority: str
    accessibility_url: str
    own: MunicipalitySettings | None


def org_cache_key(org_id: int) -> str:
    """The page header's cached name and accessibility statement of the municipality
    (context_processors.organisation_name); forgotten when the settings change."""
    return f"anskaf:orghead:{org_id}"


def own_settings(organisation_id: int) -> MunicipalitySettings | None:
    return MunicipalitySettings.objects.filter(organisation_id=organisation_id).first()


def effective_settings(organisation_id: int | None) -> EffectiveSettings:
    """The municipality's settings, the installation's default where it has set nothing."""
    own = own_settings(organisation_id) if organisation_id is not None else None
    return EffectiveSettings(
        sender_email=(own and own.sender_email) or settings.DEFAULT_FROM_EMAIL,
        archive_authority=(own and own.archive_authority) or settings.ANSKAF_ARCHIVE_AUTHORITY,
        accessibility_url=(own and own.accessibility_url) or settings.ANSKAF_ACCESSIBILITY_URL,
        own=own)


SETTINGS_FIELDS = ("kitos_url", "kitos_email", "kitos_organisation_uuid", "sender_email",
                   "archive_authority", "accessibility_url")


# The most characters each field takes (the model's columns; the API documents the same).
SETTINGS_LIMITS = {"kitos_url": 300, "kitos_email": 254, "kitos_organisation_uuid": 36,
                   "sender_email": 254, "archive_authority": 200, "accessibility_url": 500}


def settings_view(own: MunicipalitySettings | None) -> dict[str, Any]:
    """What may be shown: every field but the KITOS password (only whether one is set)."""
    view: dict[str, Any] = {name: getattr(own, name, "") if own else "" for name in SETTINGS_FIELDS}
    view["kitos_password_set"] = bool(own and own.kitos_password_encrypted)
    return view


def municipality_settings_save(*, actor: User, organisation_id: int,
                               data: Mapping[str, Any]) -> MunicipalitySettings:
    """Save the municipality's own settings; an empty field means the installation's
    default. `kitos_password` empty keeps the stored one; `kitos_password_clear` removes it."""
    _require(actor, organisation_id)
    clean = {name: stripped(data.get(name)) for name in SETTINGS_FIELDS}
    password = "" if data.get("kitos_password") is None else str(data.get("kitos_password"))
    errors: dict[str, str] = {}
    if clean["kitos_url"] and (problem := _address_problem(clean["kitos_url"],
                                                          "KITOS-adressen")) is not None:
        errors["kitos_url"] = problem
    if clean["accessibility_url"] and (problem := _url_problem(
            clean["accessibility_url"], "tilgængelighedserklæringens adresse")) is not None:
        errors["accessibility_url"] = problem
    for name, what in (("kitos_email", "KITOS-brugerens e-mail"),
                       ("sender_email", "afsenderadressen")):
        if clean[name]:
            try:
                validate_email(clean[name])
            except ValidationError:
                errors[name] = f"Skriv {what} som en gyldig e-mailadresse, fx navn@kommune.dk."
    uuid = clean["kitos_organisation_uuid"]
    if uuid:
        import uuid as uuid_module

        try:
            clean["kitos_organisation_uuid"] = str(uuid_module.UUID(uuid))
        except ValueError:
            errors["kitos_organisation_uuid"] = ("Skriv organisationens UUID fra KITOS, fx "
                                                 "3fa85f64-5717-4562-b3fc-2c963f66afa6.")
    if len(clean["archive_authority"]) > 200 or text_problem(clean["archive_authority"],
                                                             multiline=False):
        errors["archive_authority"] = "Arkivmyndigheden må højst være 200 tegn på én linje."
    if len(password) > 500 or "\n" in password:
        errors["kitos_password"] = "Adgangskoden må højst være 500 tegn på én linje."
    if (clean["kitos_email"] and not clean["kitos_organisation_uuid"]
            and "kitos_organisation_uuid" not in errors):
        errors["kitos_organisation_uuid"] = ("Skriv organisationens UUID i KITOS: uden den "
                                             "kan anskaf ikke registrere systemer.")
    for name, limit in SETTINGS_LIMITS.items():
        if len(clean[name]) > limit:
            errors[name] = f"Feltet må højst være {limit} tegn."
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        own = (MunicipalitySettings.objects.select_for_update()
               .filter(organisation_id=organisation_id).first())
        before = settings_view(own) if own else None
        if own is None:
            own = MunicipalitySettings(organisation_id=organisation_id)
        for name, value in clean.items():
            setattr(own, name, value)
        password_changed = False
        if password:
            own.kitos_password_encrypted = secretbox.encrypt(password)
            password_changed = True
        elif data.get("kitos_password_clear") and own.kitos_password_encrypted:
            own.kitos_password_encrypted = ""
            password_changed = True
        after = settings_view(own)
        if before == after and not password_changed:
            return own
        own.save()
        _audit(actor, organisation_id, "organisation.settings_changed", organisation_id, before,
               {**after, "kitos_password_changed": password_changed})
        key = org_cache_key(organisation_id)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))  # and a read meanwhile
    return own


def kitos_own(organisation_id: int) -> dict[str, str] | None:
    """The municipality's own KITOS credentials (the password decrypted), or None when it has
    set none. For anskaf.portfolio.kitos.config only."""
    own = own_settings(organisation_id)
    if own is None or not own.kitos_email:
        return None
    return {"url": own.kitos_url, "email": own.kitos_email,
            "password": secretbox.decrypt(own.kitos_password_encrypted),
            "organisation_uuid": own.kitos_organisation_uuid}


# --- rotating the secrets key -------------------------------------------------------------------


def rotate_secrets() -> tuple[str | None, str, int]:
    """A new secrets key; every stored secret re-encrypted with it in one transaction, then
    the old key deleted. Returns (old id, new id, number of secrets)."""
    with transaction.atomic():
        providers = list(SsoProvider.objects.select_for_update().exclude(
            client_secret_encrypted=""))
        owns = list(MunicipalitySettings.objects.select_for_update().exclude(
            kitos_password_encrypted=""))
        tokens = ([p.client_secret_encrypted for p in providers]
                  + [o.kitos_password_encrypted for o in owns])
        old, new, renewed = secretbox.rotate(tokens)
        for provider, token in zip(providers, renewed[:len(providers)], strict=True):
            SsoProvider.objects.filter(pk=provider.pk).update(client_secret_encrypted=token)
        for own, token in zip(owns, renewed[len(providers):], strict=True):
            MunicipalitySettings.objects.filter(pk=own.pk).update(kitos_password_encrypted=token)
    secretbox.retire_old_keys()
    log.info("secrets key rotated: %s -> %s, %s secret(s) re-encrypted", old, new, len(tokens))
    return old, new, len(tokens)
