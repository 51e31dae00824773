"""API v1 for a municipality's own sign-on and settings (issue 18, ADR 0031): the same
services as Administration -> Kommunens login and -> Indstillinger. Administrators of the
whole organisation; secrets go in, never out. Mounted by anskaf/api/urls.py."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ninja import Router, Schema, Status
from pydantic import Field

from anskaf.http import params
from anskaf.http.errors import MESSAGES, ApiError
from anskaf.http.schemas import Body, ErrorOut

from . import tenancy
from .choices import Role
from .errors import ReferenceRefused, ValidationFailed
from .models import Organisation, SsoProvider, User
from .permissions import is_admin
from .request_types import ApiRequest

router = Router(tags=["organisation"])


def _r(ok: int, schema: Any, *errors: int) -> dict[int, Any]:
    return {ok: schema, **{code: ErrorOut for code in (401, 403, 500, *errors)}}


def _as_business_refusal(call: Any, **kwargs: Any) -> Any:
    """The settings' and the provider's values are strings to the OpenAPI document; that an
    address cannot be reached or is no https:// address, an e-mail is no address, a role map
    line names no role, or a first registration lacks its secret are the municipality's
    rules, refused as 409 with the same `fields` (ADR 0022)."""
    try:
        return call(**kwargs)
    except ReferenceRefused:
        raise
    except ValidationFailed as exc:
        raise ReferenceRefused(exc.errors) from None


def admin_of_own(request: ApiRequest) -> User:
    """The caller, an administrator of their whole organisation (else 403)."""
    user = request.auth
    if user.organisation_id is None:
        raise ApiError(403, "forbidden", MESSAGES["no_organisation"])
    if not is_admin(user):
        raise ApiError(403, "forbidden", "Kun kommunens administratorer har adgang.")
    return user


class RoleGrant(Schema):
    value: str = Field(description="A value of the role claim.")
    role: str = Field(description="The anskaf role key it gives.")
    unit: int | None = Field(None, description="The unit the role is given in; null: the "
                                               "whole municipality.")


class SsoProviderOut(Schema):
    issuer: str
    client_id: str
    client_secret_set: bool = Field(description="A client secret is stored (it is never "
                                                "given back).")
    role_claim: str
    username_claim: str
    role_map: list[RoleGrant]
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    sign_algo: str


class SsoOut(Schema):
    source: Literal["database", "environment", "none"] = Field(
        description="Where the municipality's login goes: its provider registered in anskaf, "
                    "the installation's provider from environment variables, or none "
                    "(password login).")
    login_path: str = Field(description="The municipality's own login address.")
    callback_path: str = Field(description="The redirect URI to register at the provider.")
    provider: SsoProviderOut | None


class RoleGrantIn(Body):
    """One line of the role map, as sent: a claim value, a role key, optionally a unit."""

    required_fields: ClassVar[tuple[str, ...]] = ("value", "role")
    line_fields: ClassVar[tuple[str, ...]] = ("value",)
    max_lengths: ClassVar[dict[str, int]] = {"value": 200}
    value: str | None = Field(None, description="A value of the role claim.")
    role: Literal[tuple(Role.values)] | None = Field(  # type: ignore[valid-type]
        None, description="The anskaf role key it gives.")
    unit: int | None = Field(None, description="The unit the role is given in; null: the "
                                               "whole municipality.")


class SsoProviderIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("issuer", "client_id")
    line_fields: ClassVar[tuple[str, ...]] = ("issuer", "client_id", "client_secret",
                                              "role_claim", "username_claim")
    max_lengths: ClassVar[dict[str, int]] = {"issuer": 500, "client_id": 255,
                                             "client_secret": 1000, "role_claim": 100,
                                             "username_claim": 100}
    issuer: str | None = Field(None, description="The provider's issuer URL; its discovery "
                                                 "document gives the endpoints.")
    client_id: str | None = None
    client_secret: str | None = Field(None, description="Stored encrypted; leave out to keep "
                                                        "the stored one.")
    role_claim: str | None = Field(None, description="Default `roles`.")
    username_claim: str | None = Field(None, description="Default `preferred_username`.")
    role_map: list[RoleGrantIn] | None = Field(None, description="Empty: claim values that "
                                                                 "are role keys are the roles.")


def _sso(organisation: Organisation) -> dict[str, Any]:
    provider = SsoProvider.objects.filter(organisation=organisation).first()
    cfg = tenancy.sso_config_for(organisation)
    return {"source": cfg.source if cfg else "none",
            "login_path": f"/log-ind/{organisation.slug}/", "callback_path": "/oidc/callback/",
            "provider": tenancy.provider_view(provider)}


def sso_get_for(user: User, organisation_id: int) -> dict[str, Any]:
    """The provider of a municipality the caller may configure (tenancy.may_configure)."""
    tenancy.sso_provider_get(actor=user, organisation_id=organisation_id)
    return _sso(Organisation.objects.get(pk=organisation_id))


def sso_save_for(request: ApiRequest, user: User, organisation_id: int) -> dict[str, Any]:
    body, sent = params.parse_body(request, SsoProviderIn, {
        "issuer": "Skriv udstederens adresse (issuer).",
        "client_id": "Skriv klient-id'et, som udbyderen har givet anskaf."})
    data = dict(sent)
    if body.role_map is not None:
        data["role_map"] = [g.model_dump() for g in body.role_map]
    _as_business_refusal(tenancy.sso_provider_save, actor=user,
                         organisation_id=organisation_id, data=data)
    return _sso(Organisation.objects.get(pk=organisation_id))


def sso_remove_for(user: User, organisation_id: int) -> Status:
    if not tenancy.sso_provider_remove(actor=user, organisation_id=organisation_id):
        raise ApiError(404, "not_found", "Kommunen har ingen udbyder registreret i anskaf.")
    return Status(204, None)


SSO_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": SsoProviderIn.openapi_schema("#/components/schemas/{model}")}}}}


@router.get("/organisation/sso", response=_r(200, SsoOut), operation_id="sso_provider_get",
            summary="The municipality's single sign-on provider (administrators)")
def sso_provider_get(request: ApiRequest) -> dict[str, Any]:
    user = admin_of_own(request)
    return sso_get_for(user, user.municipality_id)


@router.put("/organisation/sso", response=_r(200, SsoOut, 400, 409), operation_id="sso_provider_save",
            summary="Register or change the municipality's OpenID Connect provider (audited)",
            openapi_extra=SSO_BODY)
def sso_provider_save(request: ApiRequest) -> dict[str, Any]:
    user = admin_of_own(request)
    return sso_save_for(request, user, user.municipality_id)


@router.delete("/organisation/sso", response={204: None, **_r(204, None, 404)},
               operation_id="sso_provider_remove",
               summary="Remove the municipality's provider (audited)")
def sso_provider_remove(request: ApiRequest) -> Status:
    user = admin_of_own(request)
    return sso_remove_for(user, user.municipality_id)


class SettingsOut(Schema):
    kitos_url: str
    kitos_email: str
    kitos_password_set: bool = Field(description="A KITOS password is stored (never given "
                                                 "back).")
    kitos_organisation_uuid: str
    sender_email: str
    archive_authority: str
    accessibility_url: str
    effective_sender_email: str = Field(description="The sender used (own or installation's).")
    effective_archive_authority: str
    effective_accessibility_url: str


class SettingsIn(Body):
    line_fields: ClassVar[tuple[str, ...]] = (
        "kitos_url", "kitos_email", "kitos_password", "kitos_organisation_uuid", "sender_email",
        "archive_authority", "accessibility_url")
    max_lengths: ClassVar[dict[str, int]] = {
        "kitos_url": 300, "kitos_email": 254, "kitos_password": 500,
        "kitos_organisation_uuid": 36, "sender_email": 254, "archive_authority": 200,
        "accessibility_url": 500}
    kitos_url: str | None = None
    kitos_email: str | None = None
    kitos_password: str | None = Field(None, description="Stored encrypted; leave out to keep.")
    kitos_password_clear: bool | None = Field(None, description="true: remove the stored "
                                                                "password.")
    kitos_organisation_uuid: str | None = None
    sender_email: str | None = None
    archive_authority: str | None = None
    accessibility_url: str | None = None


def _settings(organisation_id: int) -> dict[str, Any]:
    effective = tenancy.effective_settings(organisation_id)
    return {**tenancy.settings_view(effective.own),
            "effective_sender_email": effective.sender_email,
            "effective_archive_authority": effective.archive_authority,
            "effective_accessibility_url": effective.accessibility_url}


@router.get("/organisation/settings", response=_r(200, SettingsOut),
            operation_id="municipality_settings_get",
            summary="The municipality's own settings and what applies (administrators)")
def municipality_settings_get(request: ApiRequest) -> dict[str, Any]:
    user = admin_of_own(request)
    return _settings(user.municipality_id)


@router.put("/organisation/settings", response=_r(200, SettingsOut, 400, 409),
            operation_id="municipality_settings_save",
            summary="Save the municipality's settings: a field left out keeps its value, an "
                    "empty one means the installation's default (audited)",
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                "schema": SettingsIn.openapi_schema("#/components/schemas/{model}")}}}})
def municipality_settings_save(request: ApiRequest) -> dict[str, Any]:
    user = admin_of_own(request)
    _, sent = params.parse_body(request, SettingsIn)
    current = tenancy.settings_view(tenancy.own_settings(user.municipality_id))
    data = {name: current[name] for name in tenancy.SETTINGS_FIELDS}
    data.update(sent)  # a PUT of the whole settings; the password only when sent
    _as_business_refusal(tenancy.municipality_settings_save, actor=user,
                         organisation_id=user.municipality_id, data=data)
    return _settings(user.municipality_id)
