"""The API's error contract: every error under /api/ is JSON {"error", "message"[, "fields"]}.

The shapes, codes and messages are neutral and live in anskaf.http.errors. Here the API shell
turns errors into that shape: every domain error (`anskaf.errors.DomainError`, ADR 0037) by the
code, status and fields its class carries, in one handler; our own ApiError and django-ninja's
errors by theirs. ApiErrorMiddleware covers what never reaches
django-ninja (unknown paths, 405, uncaught exceptions).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from anskaf.cases.schemas import FIELD_HINTS
from anskaf.errors import DomainError
from anskaf.http.errors import (
    MESSAGES,
    ApiError,
    code_for_status,
    danish_fields,
    error_response,
    fields_message,
    message_for,
)

logger = logging.getLogger("anskaf.api")


def unauthenticated_response() -> JsonResponse:
    return error_response(401, "unauthenticated", MESSAGES["unauthenticated"],
                          headers={"WWW-Authenticate": 'Bearer realm="anskaf"'})


def server_error_response(request: HttpRequest, exc: BaseException) -> JsonResponse:
    logger.error("Unhandled exception in API request %s %s (request id %s)",
                 request.method, request.path, getattr(request, "request_id", "-"),
                 exc_info=(type(exc), exc, exc.__traceback__))
    return error_response(500, "server_error", message_for("server_error", request))


# --- handlers ----------------------------------------------------------------------------------


def _on_api_error(request: HttpRequest, exc: ApiError) -> JsonResponse:
    if exc.status == 401:
        return unauthenticated_response()
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def domain_error_response(exc: DomainError) -> JsonResponse:
    """Every domain error's answer: its class's status and code, its message (built from its
    fields where the class says so) and its fields."""
    message = fields_message(exc.errors) if exc.message_names_fields else exc.message
    return error_response(exc.status, exc.code, message, exc.fields)


def _on_domain_error(request: HttpRequest, exc: DomainError) -> JsonResponse:
    return domain_error_response(exc)


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> JsonResponse:
    return unauthenticated_response()


def _on_http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    code = code_for_status(exc.status_code)
    return error_response(exc.status_code, code, message_for(code, request))


def _on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> JsonResponse:
    # A path that does not parse (`/steps/x/documents`) names no resource: 404, as an unknown
    # address is, and as the OpenAPI document says (issue 21, item 3).
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
        return error_response(404, "not_found", MESSAGES["not_found"])
    # Query parameters of every router; the cases' hints name e.g. a step's number.
    fields = danish_fields(exc.errors, FIELD_HINTS)
    return error_response(400, "validation_error", fields_message(fields), fields)


def _on_http404(request: HttpRequest, exc: Http404) -> JsonResponse:
    return error_response(404, "not_found", MESSAGES["not_found"])


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> JsonResponse:
    return error_response(403, "forbidden", MESSAGES["forbidden"])


def _on_multipart(request: HttpRequest, exc: MultiPartParserError) -> JsonResponse:
    # A multipart body without a boundary, or broken: the client's fault, not a 500.
    fields = {"body": "Indholdet er ikke gyldig multipart/form-data (mangler »boundary«?)."}
    return error_response(400, "validation_error", fields_message(fields), fields)


def _on_exception(request: HttpRequest, exc: Exception) -> JsonResponse:
    return server_error_response(request, exc)


def install_exception_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(Exception, _on_exception)
    api.add_exception_handler(ApiError, _on_api_error)
    api.add_exception_handler(MultiPartParserError, _on_multipart)
    api.add_exception_handler(DomainError, _on_domain_error)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(AuthenticationError, _on_authentication)
    api.add_exception_handler(NinjaValidationError, _on_ninja_validation)
    api.add_exception_handler(Http404, _on_http404)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
