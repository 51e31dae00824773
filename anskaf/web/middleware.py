"""Request id (for the audit trail and logs), request metrics and a strict Content Security
Policy."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from anskaf.observability.context import (
    is_safe_request_id,
    new_request_id,
    reset_request_id,
    set_request_id,
)
from anskaf.observability.metrics import LATENCY, REQUESTS

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if is_safe_request_id(given) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class RequestMetricsMiddleware:
    """Counts every answer by view, method and status and times it (/metrics). Static files
    never reach it (WhiteNoise answers them first). The view is the URL pattern's name, never
    the path: the number of label values stays that of the views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unmatched"
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        LATENCY.labels(view=view).observe(time.perf_counter() - started)
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Referrer-Policy", "same-origin")
        return response


NO_STORE = "private, no-store"


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a logged-in user or an API
    caller (a token, a session, or any request under /api/): pages, JSON and document
    downloads stay out of browser and proxy caches. Static files never reach this middleware
    (WhiteNoise answers them first, cacheable)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if ("Authorization" in request.headers or request.path.startswith("/api/")
                or (user is not None and user.is_authenticated)):
            response["Cache-Control"] = NO_STORE
            response.setdefault("Pragma", "no-cache")
        return response
