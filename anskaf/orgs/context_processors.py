"""What the login page (and the header) need to know about how people log in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def login_options(request: HttpRequest) -> dict[str, Any]:
    """Only the login page asks for the municipalities with single sign-on (lazily: a query
    there, none on any other page)."""
    from django.utils.functional import SimpleLazyObject

    from .tenancy import sso_choices, sso_config_by_id

    choices = SimpleLazyObject(sso_choices)
    user = getattr(request, "user", None)
    org_id = getattr(user, "organisation_id", None) if getattr(
        user, "is_authenticated", False) else None

    def enabled() -> bool:
        """For a logged-in person: their municipality has single sign-on; else any has."""
        if org_id is not None:
            return sso_config_by_id(org_id) is not None
        return bool(len(choices))

    return {
        "sso_enabled": SimpleLazyObject(enabled),
        "sso_choices": choices,
        "sso_button_label": getattr(settings, "ANSKAF_OIDC_BUTTON_LABEL", "Log ind med kommunens login"),
        "local_login_enabled": bool(getattr(settings, "ANSKAF_LOCAL_LOGIN", True)),
    }


ORGANISATION_NAME_SECONDS = 600


def organisation_name(request: HttpRequest) -> dict[str, Any]:
    """The municipality's name for the header and its accessibility statement's address for
    the footer (its own, else the installation's, else anskaf's page), cached so a page costs
    no extra query (a renamed municipality shows within ten minutes)."""
    user = getattr(request, "user", None)
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return {"accessibility_url": settings.ANSKAF_ACCESSIBILITY_URL}
    from django.core.cache import cache

    from .models import Organisation
    from .tenancy import org_cache_key

    row = cache.get_or_set(
        org_cache_key(org_id),
        lambda: Organisation.objects.filter(pk=org_id).values_list(
            "name", "own_settings__accessibility_url").first(),
        ORGANISATION_NAME_SECONDS)
    name, accessibility_url = row or ("", "")
    return {"organisation_name": name or "",
            "accessibility_url": accessibility_url or settings.ANSKAF_ACCESSIBILITY_URL}

