"""One `AccessCache` per request (ADR 0039): the roles, units and deputies a request reads are
read once, kept on the request (`request.access_cache`) and dropped with it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .permissions import access_cache


class AccessCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with access_cache() as cache:
            request.access_cache = cache  # type: ignore[attr-defined]
            return self.get_response(request)
