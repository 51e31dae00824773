"""Single sign-on: OpenID Connect (Microsoft Entra ID, AD FS) through mozilla-django-oidc.

The authorization code flow with PKCE (`OIDC_USE_PKCE`) is mozilla-django-oidc's; this module
decides who the person is and what they may do:

- **Each municipality its own provider** (ADR 0031): a login starts at `/log-ind/<slug>/`,
  which sends the person to that municipality's provider (`tenancy.sso_config_for`: one
  registered in anskaf, else the provider of the environment variables for the municipality
  `ANSKAF_OIDC_ORGANISATION`; `/oidc/authenticate/` starts a login for that one). The
  municipality is stored with the login's state in the session; the callback redeems the code
  at that provider only, checks the ID token against its keys, client id and issuer, and
  matches and creates the person in that municipality only. So a token from municipality A's
  provider can never log anyone into B.
- **Matching**: by username (from the provider's username claim, else `email`, else `sub`)
  within that organisation, then by e-mail within it. A username that exists in another
  organisation (or in none) is refused with a message: usernames are unique across the
  installation and an SSO login must never take over someone else's account.
- **Creation** on first login, with an unusable password (the person logs in only through SSO).
- **Roles**: on every login the person's organisation-wide memberships (`unit=None`) are
  replaced by the roles mapped from the provider's role claim (`roles`: Entra ID app roles;
  or `groups`). A role map line may name a unit: the unit-scoped memberships that the map
  can give are the provider's too (given and taken at each login); every other unit-scoped
  membership, set by an administrator in anskaf, is kept. Changes go to the audit trail.
- Name and e-mail follow the provider on every login.

Claims are read from the ID token and the userinfo answer together (userinfo wins where both
have a claim): Entra ID puts `roles`, `groups` and `preferred_username` in the ID token only.

The password-login switch (`ANSKAF_LOCAL_LOGIN`) and two small django-axes hooks also live
here, since they decide how people may log in next to SSO.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from anskaf.audit import events
from anskaf.audit.secretbox import SecretUnreadable
from anskaf.audit.services import audit_append

from . import tenancy
from .choices import Role
from .models import Membership, Organisation, SsoProvider, User
from .tenancy import Grant, SsoConfig
from .viewer import access_changed

log = logging.getLogger(__name__)

# Messages shown on the login page when an SSO login is refused.
MSG_FAILED = (
    "Du blev ikke logget ind med kommunens login. Prøv igen, og kontakt IT-afdelingen, "
    "hvis det bliver ved."
)
MSG_CANCELLED = "Du blev ikke logget ind: kommunens login blev afbrudt eller afvist. Prøv igen."
MSG_OTHER_ORGANISATION = (
    "Du blev ikke logget ind: brugernavnet {username} findes allerede i anskaf hos en anden "
    "organisation. Kontakt anskafs administrator."
)
MSG_AMBIGUOUS = (
    "Du blev ikke logget ind: flere personer i anskaf passer til dit login. Kontakt anskafs "
    "administrator."
)
MSG_NO_IDENTITY = (
    "Du blev ikke logget ind: kommunens login sendte hverken brugernavn, e-mail eller "
    "bruger-id. Kontakt IT-afdelingen."
)
MSG_INACTIVE = "Du blev ikke logget ind: din konto i anskaf er lukket. Kontakt anskafs administrator."
MSG_TOO_MANY_GROUPS = (
    "Du blev ikke logget ind: du er medlem af så mange grupper, at kommunens login ikke "
    "sender dem med, så dine roller kan ikke læses. Kontakt IT-afdelingen (brug app-roller "
    "eller kun de grupper, der er tildelt anskaf)."
)
MSG_MISCONFIGURED = (
    "Du blev ikke logget ind: log ind med kommunens login er ikke sat rigtigt op. Kontakt "
    "anskafs administrator."
)

MSG_SUSPENDED = ("{name} er lukket for login på anskaf lige nu. Kontakt kommunens "
                 "administrator.")
MSG_NO_SSO = ("{name} har ikke log ind med kommunens login i anskaf. Log ind med brugernavn og "
              "adgangskode, eller kontakt kommunens administrator.")

SSO_ERROR_ATTR = "anskaf_sso_error"
SSO_CONFIG_ATTR = "anskaf_sso_config"  # the provider of this callback (set by SsoCallbackView)
STATE_ORG_KEY = "anskaf_org"  # the municipality a login started for, kept with its state


class SsoRefused(Exception):
    """The provider vouched for the person, but anskaf will not let them in; says why."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(detail or message)
        self.message = message


def sso_enabled() -> bool:
    return bool(getattr(settings, "ANSKAF_OIDC_ENABLED", False))


# --- claims -> who, and which roles -------------------------------------------------------------


def claim_values(value: Any) -> list[str]:
    """A claim as a list of strings: providers send one value as a string, several as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


def roles_from_claims(claims: Mapping[str, Any], claim: str | None = None,
                      role_map: Mapping[str, Iterable[str]] | None = None) -> set[str]:
    """Role keys for the claim's values: through the map, or (no map) values that are role keys."""
    claim = claim if claim is not None else settings.ANSKAF_OIDC_ROLE_CLAIM
    role_map = role_map if role_map is not None else settings.ANSKAF_OIDC_ROLE_MAP
    known = set(Role.values)
    roles: set[str] = set()
    for value in claim_values(claims.get(claim)):
        if role_map:
            roles.update(role for role in role_map.get(value, ()) if role in known)
        elif value in known:
            roles.add(value)
    return roles


def grants_from_claims(claims: Mapping[str, Any], claim: str,
                       role_map: Iterable[Grant] | None) -> set[tuple[str, int | None]]:
    """(role, unit id or None) for the claim's values: through the map, or (no map) values that
    are role keys, organisation-wide."""
    known = set(Role.values)
    values = claim_values(claims.get(claim))
    if role_map is None:
        return {(value, None) for value in values if value in known}
    wanted = set(values)
    return {(g.role, g.unit_id) for g in role_map if g.value in wanted and g.role in known}


def groups_overage(claims: Mapping[str, Any], claim: str) -> bool:
    """Entra ID leaves `groups` out past its limit and says so with `_claim_names`/`hasgroups`."""
    if claim != "groups" or "groups" in claims:
        return False
    names = claims.get("_claim_names")
    return bool(claims.get("hasgroups")) or (isinstance(names, Mapping) and "groups" in names)


def username_from_claims(claims: Mapping[str, Any], username_claim: str | None = None) -> str:
    for key in (username_claim or settings.ANSKAF_OIDC_USERNAME_CLAIM, "email", "sub"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def names_from_claims(claims: Mapping[str, Any]) -> tuple[str, str]:
    first = str(claims.get("given_name") or "").strip()
    last = str(claims.get("family_name") or "").strip()
    if not (first or last):
        first, _, last = str(claims.get("name") or "").strip().partition(" ")
    return first[:150], last[:150]


def sync_roles(user: User, organisation: Organisation, roles: set[str]) -> tuple[list[str], list[str]]:
    """Make the person's organisation-wide memberships exactly `roles`; unit-scoped ones stay.

    Returns (before, after), sorted. Call inside a transaction.
    """
    org_wide = Membership.objects.filter(person=user, unit__isnull=True)
    before = sorted(set(org_wide.values_list("role", flat=True)))
    removed = set(before) - roles
    if removed:
        org_wide.filter(role__in=removed).delete()
    Membership.objects.bulk_create([
        Membership(organisation=organisation, person=user, role=role, unit=None)
        for role in sorted(roles - set(before))
    ])
    return before, sorted(roles)


def sync_unit_grants(user: User, organisation: Organisation, grants: set[tuple[str, int]],
                     managed: set[tuple[str, int]]) -> tuple[list[str], list[str]]:
    """Unit-scoped memberships the role map can give (`managed`) become exactly `grants`;
    every other unit-scoped membership stays. Returns (before, after) as "role@unit" lists."""
    def label(pairs: Iterable[tuple[str, int]]) -> list[str]:
        return sorted(f"{role}@{unit}" for role, unit in pairs)

    current = set(Membership.objects.filter(person=user, unit__isnull=False)
                  .values_list("role", "unit_id"))
    held = current & managed
    for role, unit in held - grants:
        Membership.objects.filter(person=user, role=role, unit_id=unit).delete()
    Membership.objects.bulk_create([
        Membership(organisation=organisation, person=user, role=role, unit_id=unit)
        for role, unit in sorted(grants - current)
    ])
    return label(held), label(grants)


# --- the authentication backend ----------------------------------------------------------------


class AnskafOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, for the provider of the municipality the login is for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads one provider from the settings (and refuses
        # none). The provider comes from the callback, per login (`use`).
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.sso: SsoConfig | None = None
        self.OIDC_RP_IDP_SIGN_KEY = None

    def use(self, cfg: SsoConfig) -> None:
        self.sso = cfg
        self.OIDC_OP_TOKEN_ENDPOINT = cfg.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = cfg.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = cfg.jwks_uri or None
        self.OIDC_RP_CLIENT_ID = cfg.client_id
        self.OIDC_RP_CLIENT_SECRET = cfg.client_secret()
        self.OIDC_RP_SIGN_ALGO = cfg.sign_algo

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the SSO callback view passes `nonce` and the provider: a password login must
        # never reach a token endpoint, whatever its query string says.
        cfg = getattr(request, SSO_CONFIG_ATTR, None) if request is not None else None
        if request is None or "nonce" not in kwargs or not isinstance(cfg, SsoConfig):
            return None
        try:
            self.use(cfg)
            return super().authenticate(request, **kwargs)
        except SecretUnreadable as exc:
            log.error("SSO login for %s impossible: %s (register the client secret again)",
                      cfg.slug, exc)
            setattr(request, SSO_ERROR_ATTR, MSG_MISCONFIGURED)
        except SsoRefused as exc:
            log.warning("SSO login refused: %s", exc)
            setattr(request, SSO_ERROR_ATTR, exc.message)
        except (requests.RequestException, SuspiciousOperation, jwt.InvalidTokenError) as exc:
            # A wrong PKCE verifier, an expired or forged token, the provider down, ...
            log.warning("SSO login failed: %s: %s", type(exc).__name__, exc)
        return None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User | None:
        audience = claim_values(payload.get("aud"))
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SuspiciousOperation(f"ID token audience {audience!r} is not this client")
        issuer = self.sso.issuer if self.sso is not None else ""
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} is not the "
                                      f"provider of {self.sso.slug if self.sso else '?'}")
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: the userinfo answer must be about the same person.
            raise SuspiciousOperation("userinfo sub does not match the ID token")
        claims = {**payload, **userinfo}
        return self.login_person(claims)

    def login_person(self, claims: Mapping[str, Any]) -> User:
        """The person these (verified) claims describe, created and their roles synced."""
        cfg = self.sso
        if cfg is None:
            raise SsoRefused(MSG_MISCONFIGURED, "no provider for this login")
        organisation = Organisation.objects.filter(pk=cfg.organisation_id).first()
        if organisation is None:
            raise SsoRefused(MSG_MISCONFIGURED, f"organisation {cfg.slug!r} is gone")
        if organisation.suspended_at is not None:  # ADR 0030: nobody of it logs in
            raise SsoRefused(MSG_SUSPENDED.format(name=organisation.name),
                             f"organisation {cfg.slug!r} is suspended")
        username = username_from_claims(claims, cfg.username_claim)
        if not username:
            raise SsoRefused(MSG_NO_IDENTITY, "no username, email or sub claim")
        if len(username) > User._meta.get_field("username").max_length:
            raise SsoRefused(MSG_FAILED, f"username {username[:40]!r}... is too long")
        claim = cfg.role_claim
        if groups_overage(claims, claim):
            raise SsoRefused(MSG_TOO_MANY_GROUPS, f"groups overage for {username!r}")
        grants = grants_from_claims(claims, claim, cfg.role_map)
        roles = {role for role, unit in grants if unit is None}
        unit_grants = {(role, unit) for role, unit in grants if unit is not None}
        managed = {(g.role, g.unit_id) for g in cfg.role_map or () if g.unit_id is not None}
        try:
            with transaction.atomic():
                user = self.match_person(organisation, username, claims)
                created = user is None
                if created:
                    user = self.create_person(organisation, username, claims)
                else:
                    self.refresh_person(user, claims)
                if not self.user_can_authenticate(user):
                    raise SsoRefused(MSG_INACTIVE, f"{username!r} is inactive or a demo account")
                before, after = sync_roles(user, organisation, roles)
                if managed:
                    unit_before, unit_after = sync_unit_grants(user, organisation, unit_grants,
                                                               managed)
                    before, after = before + unit_before, after + unit_after
                if before != after:
                    access_changed(organisation.pk, user)
                    audit_append(organisation_id=organisation.pk, actor=user,
                                 actor_role=events.PERSONAL,
                                 event_type="person.sso_roles_synced", object_id=user.pk,
                                 before={"roles": before}, after={"roles": after, "claim": claim})
        except IntegrityError as exc:  # the same person logging in twice at the same moment
            raise SsoRefused(MSG_FAILED, f"could not save {username!r}: {exc}") from exc
        log.info("SSO login: %s (%s), roles %s%s", user.username, organisation.slug,
                 ",".join(after) or "-", " (new)" if created else "")
        return user

    def match_person(self, organisation: Organisation, username: str,
                     claims: Mapping[str, Any]) -> User | None:
        by_name = list(User.objects.select_for_update().filter(username__iexact=username))
        if len(by_name) > 1:
            raise SsoRefused(MSG_AMBIGUOUS, f"several users named {username!r}")
        if by_name:
            user = by_name[0]
            if user.organisation_id != organisation.pk:
                raise SsoRefused(MSG_OTHER_ORGANISATION.format(username=username),
                                 f"{username!r} belongs to organisation {user.organisation_id}")
            return user
        email = claims.get("email")
        if isinstance(email, str) and email.strip() and claims.get("email_verified") is not False:
            by_email = list(User.objects.select_for_update().filter(
                organisation=organisation, email__iexact=email.strip()))
            if len(by_email) > 1:
                raise SsoRefused(MSG_AMBIGUOUS, f"several users with e-mail {email!r}")
            if by_email:
                return by_email[0]
        return None

    def create_person(self, organisation: Organisation, username: str,
                      claims: Mapping[str, Any]) -> User:
        first, last = names_from_claims(claims)
        email = str(claims.get("email") or "").strip()
        user = User(username=username, email=email, first_name=first, last_name=last,
                    organisation=organisation, is_demo=False)
        user.set_unusable_password()
        user.save()
        audit_append(organisation_id=organisation.pk, actor=user, actor_role=events.PERSONAL,
                     event_type="person.sso_created", object_id=user.pk,
                     after={"username": username, "email": email, "name": f"{first} {last}".strip()})
        return user

    def refresh_person(self, user: User, claims: Mapping[str, Any]) -> None:
        first, last = names_from_claims(claims)
        email = str(claims.get("email") or "").strip()
        changed = []
        if (first or last) and (user.first_name, user.last_name) != (first, last):
            user.first_name, user.last_name = first, last
            changed += ["first_name", "last_name"]
        if email and user.email != email:
            user.email = email
            changed.append("email")
        if changed:
            user.save(update_fields=changed)

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id: Any) -> User | None:
        # mozilla-django-oidc's get_user skips Django's is_active check: a person closed in
        # anskaf would keep their session. Check it, and demo mode, on every request. The
        # municipality in the same query, as for password logins (orgs/backends.py): the
        # session check reads its suspension and the viewer its access stamp (ADR 0041).
        user = User._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


# --- the views (named in settings: OIDC_AUTHENTICATE_CLASS, OIDC_CALLBACK_CLASS) ------------------


class SsoLoginView(OIDCAuthenticationRequestView):
    """GET /log-ind/<slug>/: to the municipality's provider (or, without one, back to the login
    page saying so). GET /oidc/authenticate/: the same for `ANSKAF_OIDC_ORGANISATION`; 404
    unless the environment configures a provider."""

    def get(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        if slug is None:
            if not sso_enabled():
                raise Http404("Single sign-on is not configured")
            slug = settings.ANSKAF_OIDC_ORGANISATION
        organisation = Organisation.objects.filter(slug=slug, is_installation=False).first()
        if organisation is None:
            raise Http404("No such municipality")
        if organisation.suspended_at is not None:
            messages.error(request, MSG_SUSPENDED.format(name=organisation.name))
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
        cfg = tenancy.sso_config_for(organisation)
        if cfg is None:
            messages.info(request, MSG_NO_SSO.format(name=organisation.name))
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
        self.OIDC_OP_AUTH_ENDPOINT = cfg.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = cfg.client_id
        response = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        request.session["oidc_states"][state][STATE_ORG_KEY] = organisation.pk
        request.session.modified = True
        return response


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """GET /oidc/callback/: logs in, or back to the login page with a message saying why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled() and not SsoProvider.objects.exists():
            raise Http404("Single sign-on is not configured")
        # The provider of the municipality this login started for (kept with its state).
        states = request.session.get("oidc_states") or {}
        entry = states.get(request.GET.get("state", "")) if isinstance(states, dict) else None
        org_id = entry.get(STATE_ORG_KEY) if isinstance(entry, dict) else None
        cfg = tenancy.sso_config_by_id(org_id) if isinstance(org_id, int) else None
        if cfg is not None:
            setattr(request, SSO_CONFIG_ATTR, cfg)
        if request.GET.get("error"):
            log.warning("SSO provider answered %s: %s", request.GET.get("error"),
                        request.GET.get("error_description", "")[:300])
            setattr(request, SSO_ERROR_ATTR, MSG_CANCELLED)
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # an unknown state: an old tab, a replayed callback
            log.warning("SSO callback refused: %s", exc)
            return self.login_failure()

    @property
    def success_url(self) -> str:
        return self.request.session.get("oidc_login_next") or "/"

    @property
    def failure_url(self) -> str:
        return resolve_url(settings.LOGIN_URL)

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, getattr(self.request, SSO_ERROR_ATTR, None) or MSG_FAILED)
        return HttpResponseRedirect(self.failure_url)


# --- password login switch and django-axes hooks -----------------------------------------------


class PasswordLoginSwitch:
    """An authentication backend that refuses every password login when ANSKAF_LOCAL_LOGIN is off.

    Listed before the model backend: raising PermissionDenied stops Django's authenticate()
    there (and counts as a failed login for django-axes). It authenticates nobody itself.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if password is not None and not settings.ANSKAF_LOCAL_LOGIN:
            raise PermissionDenied("password login is switched off (ANSKAF_LOCAL_LOGIN=false)")
        return None


def axes_whitelist(request: HttpRequest, credentials: Mapping[str, Any] | None) -> bool:
    """django-axes: an SSO callback is no password guess; the provider throttles its own logins.

    Without this, failed SSO callbacks (no username) would lock out every SSO login from the
    municipality's shared address.
    """
    creds = credentials or {}
    return "nonce" in creds and "code_verifier" in creds and creds.get("password") is None


def forwarded_client_ip(request: HttpRequest) -> str | None:
    """django-axes behind one reverse proxy (BEHIND_PROXY): the address the proxy saw.

    That is the right-most X-Forwarded-For entry (nginx's $proxy_add_x_forwarded_for appends
    it); entries to its left come from the client and could be forged.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else request.META.get("REMOTE_ADDR")
