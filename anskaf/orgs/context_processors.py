"""What the login page (and the header) need to know about how people log in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def login_options(request: HttpRequest) -> dict[str, Any]:
    return {
        "sso_enabled": bool(getattr(settings, "ANSKAF_OIDC_ENABLED", False)),
        "sso_button_label": getattr(settings, "ANSKAF_OIDC_BUTTON_LABEL", "Log ind med kommunens login"),
        "local_login_enabled": bool(getattr(settings, "ANSKAF_LOCAL_LOGIN", True)),
    }


ORGANISATION_NAME_SECONDS = 600


def organisation_name(request: HttpRequest) -> dict[str, Any]:
    """The municipality's name for the header, cached so a page costs no extra query (a
    renamed municipality shows within ten minutes)."""
    user = getattr(request, "user", None)
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return {}
    from django.core.cache import cache

    from .models import Organisation

    name = cache.get_or_set(
        f"anskaf:orgname:{org_id}",
        lambda: Organisation.objects.filter(pk=org_id).values_list("name", flat=True).first(),
        ORGANISATION_NAME_SECONDS)
    return {"organisation_name": name or ""}
