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
