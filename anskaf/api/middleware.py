"""Keep every error under /api/ in the API's JSON shape.

django-ninja's exception handlers cover errors inside API views. This middleware covers the
rest: unknown paths (Django's HTML 404), ninja's plain-text 405, any other non-JSON error
response, and exceptions that escape a view.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from anskaf.http.errors import MESSAGES, code_for_status, error_response, message_for

from .errors import server_error_response, unauthenticated_response

API_PREFIX = "/api/"
# Exceptions Django itself answers with a 4xx: keep their status, in JSON.
EXPECTED = ((Http404, 404), (PermissionDenied, 403), (BadRequest, 400), (SuspiciousOperation, 400))


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (not is_api_request(request) or response.status_code < 400
                or response.streaming or _is_json(response)):
            return response
        return self._as_json(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_request(request):
            return None
        for kind, status in EXPECTED:
            if isinstance(exception, kind):
                code = code_for_status(status)
                message = MESSAGES["not_found"] if status == 404 else message_for(code, request)
                return error_response(status, code, message)
        return server_error_response(request, exception)

    @staticmethod
    def _as_json(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        status = response.status_code
        if status == 401:
            return unauthenticated_response()
        code = code_for_status(status)
        message = MESSAGES["not_found"] if status == 404 else message_for(code, request)
        headers = {"Allow": response["Allow"]} if response.has_header("Allow") else None
        return error_response(status, code, message, headers=headers)
