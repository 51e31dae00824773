"""Who is calling: an API token (`Authorization: Bearer <token>`) or a logged-in session.

A request that carries an Authorization header is judged by that header alone: a wrong or
unknown token is 401 even when a session cookie is present. A session may make unsafe
requests only with a valid CSRF token (403 otherwise); a bearer token needs none, since a
browser never sends it by itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from anskaf.http.errors import MESSAGES, ApiError
from anskaf.orgs.permissions import is_operator

from .services import token_authenticate

OPERATOR_PREFIX = "/api/v1/installation/"


def confined(request: HttpRequest, user: Any) -> Any:
    """The installation's operator sees no municipality's data: outside the installation's
    operations the API answers them 404, as the pages do (ADR 0030)."""
    if is_operator(user) and not request.path.startswith(OPERATOR_PREFIX):
        raise ApiError(404, "not_found", MESSAGES["not_found"])
    return user


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header is None:
            return None  # no header: let the session decide
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            raise AuthenticationError()
        return confined(request, user)


class SessionWithCsrf(APIKeyCookie):
    """Django's session, with Django's CSRF check on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # 401 comes before any CSRF complaint
        if check_csrf(request) is not None:
            raise ApiError(403, "forbidden", MESSAGES["csrf"])
        return confined(request, user)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


API_AUTH = [BearerToken(), SessionWithCsrf()]
