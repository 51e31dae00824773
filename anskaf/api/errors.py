"""Every error under /api/ is JSON: {"error": code, "message": Danish text[, "fields": {...}]}.

The exception handlers here turn domain errors (NotFound, MoveRefused and its subclasses),
our own ApiError and django-ninja's errors into that shape. ApiErrorMiddleware covers what
never reaches django-ninja (unknown paths, 405, uncaught exceptions).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from anskaf.cases.errors import MoveRefused, NotFound, ValidationFailed
from anskaf.process.errors import NotAGate, OutcomeNotAllowed

logger = logging.getLogger("anskaf.api")

MESSAGES = {
    "unauthenticated": "Du er ikke logget ind. Log ind, eller send et gyldigt API-token i "
    "headeren »Authorization: Bearer <token>« (opret et med »anskaf token create --user "
    "BRUGERNAVN«).",
    "forbidden": "Du har ikke adgang til at gøre dette.",
    "no_organisation": "Din bruger hører ikke til en kommune og kan derfor ikke bruge API'et. "
    "Kontakt en administrator.",
    "csrf": "CSRF-kontrollen fejlede. Send headeren »X-CSRFToken« med værdien fra cookien "
    "»csrftoken«, eller brug et API-token i stedet for sessionen.",
    "not_found": "Adressen findes ikke i API'et. Se /api/v1/openapi.json for de gyldige adresser.",
    "method_not_allowed": "Metoden {method} kan ikke bruges på denne adresse.",
    "validation_error": "Forespørgslen er ugyldig.",
    "server_error": "Der opstod en uventet fejl på serveren. Prøv igen; fortsætter fejlen, så "
    "kontakt support og oplys forespørgsels-id {request_id}.",
    "too_many_requests": "For mange forespørgsler. Vent lidt, og prøv igen.",
    "error": "Forespørgslen kunne ikke gennemføres.",
}

CODE_BY_STATUS = {
    400: "validation_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
}


class ApiError(Exception):
    """An error the API itself raises: a status, a stable code and a Danish message."""

    def __init__(self, status: int, code: str, message: str,
                 fields: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields) if fields else None
        super().__init__(message)


def invalid(fields: Mapping[str, str], message: str | None = None) -> ApiError:
    """A 400 validation_error naming each field and what is wrong with it."""
    return ApiError(400, "validation_error", message or fields_message(fields), fields)


def fields_message(fields: Mapping[str, str]) -> str:
    """One Danish sentence per field, each naming the field."""
    if not fields:
        return MESSAGES["validation_error"]
    return " ".join(text if name == "body" else f"Feltet »{name}«: {text}"
                    for name, text in fields.items())


def code_for_status(status: int) -> str:
    if status >= 500:
        return "server_error"
    return CODE_BY_STATUS.get(status, "error")


def message_for(code: str, request: HttpRequest | None = None) -> str:
    text = MESSAGES.get(code, MESSAGES["error"])
    if request is not None:
        text = text.replace("{method}", request.method or "").replace(
            "{request_id}", getattr(request, "request_id", "") or "-")
    return text


def error_response(status: int, code: str, message: str,
                   fields: Mapping[str, str] | None = None,
                   headers: Mapping[str, str] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if fields:
        body["fields"] = dict(fields)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def unauthenticated_response() -> JsonResponse:
    return error_response(401, "unauthenticated", MESSAGES["unauthenticated"],
                          headers={"WWW-Authenticate": 'Bearer realm="anskaf"'})


def server_error_response(request: HttpRequest, exc: BaseException) -> JsonResponse:
    logger.error("Unhandled exception in API request %s %s (request id %s)",
                 request.method, request.path, getattr(request, "request_id", "-"),
                 exc_info=(type(exc), exc, exc.__traceback__))
    return error_response(500, "server_error", message_for("server_error", request))


# --- pydantic errors in Danish -----------------------------------------------------------------

# A field's own hint wins over the generic message for its error type.
FIELD_HINTS = {
    "version": "Versionen skal være et heltal (trinnets eller sagens »version«).",
    "replaces_system": "Angiv true eller false: erstatter systemet et eksisterende?",
    "estimated_contract_value": "Angiv beløbet som et tal i kroner ekskl. moms, fx 250000.",
    "unit": "Angiv enheden med dens id (et heltal).",
    "checklist": 'Tjeklisten skal være en liste af {"id": tekst, "done": true/false}.',
    "status": "Status kan kun sættes til »in_progress« (i gang).",
    "outcome": "Udfaldet skal være »yes«, »maybe« eller »no«.",
    "step": "Angiv trinnets nummer som et heltal.",
    "it_contacts": "Skal være en liste af tekster.",
    "missing_documentation": "Skal være en liste af tekster.",
}

TYPE_MESSAGES = {
    "missing": "Feltet mangler.",
    "extra_forbidden": "Ukendt felt; se API-beskrivelsen for de gyldige felter.",
    "string_type": "Skal være tekst.",
    "bool_type": "Skal være true eller false.",
    "int_type": "Skal være et heltal.",
    "int_parsing": "Skal være et heltal.",
    "int_from_float": "Skal være et heltal.",
    "float_type": "Skal være et tal.",
    "float_parsing": "Skal være et tal.",
    "list_type": "Skal være en liste.",
    "dict_type": "Skal være et objekt.",
    "model_type": "Skal være et objekt.",
    "model_attributes_type": "Skal være et objekt.",
    "literal_error": "Ugyldig værdi.",
    "enum": "Ugyldig værdi.",
}


def _field_name(loc: Iterable[Any]) -> str:
    """The request field an error belongs to ('body'/'query'/'path' prefixes dropped)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return parts[0] if parts else "body"


def danish_fields(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """pydantic/ninja error dicts -> {field: Danish message}, one message per field."""
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        if name in fields:
            continue
        kind = str(error.get("type", ""))
        if kind in {"missing", "extra_forbidden"}:
            fields[name] = TYPE_MESSAGES[kind]
        else:
            fields[name] = FIELD_HINTS.get(name) or TYPE_MESSAGES.get(kind, "Ugyldig værdi.")
    return fields


# --- handlers ----------------------------------------------------------------------------------


def _on_api_error(request: HttpRequest, exc: ApiError) -> JsonResponse:
    if exc.status == 401:
        return unauthenticated_response()
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def _on_not_found(request: HttpRequest, exc: NotFound) -> JsonResponse:
    return error_response(404, "not_found", exc.message)


def _on_refused(request: HttpRequest, exc: MoveRefused) -> JsonResponse:
    fields: dict[str, str] | None = None
    message = exc.message
    if isinstance(exc, ValidationFailed):
        fields = dict(exc.errors)
        message = fields_message(fields)
    elif isinstance(exc, NotAGate):
        fields = {"step": exc.message}
    elif isinstance(exc, OutcomeNotAllowed):
        fields = {"outcome": exc.message}
    return error_response(exc.status, exc.code, message, fields)


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> JsonResponse:
    return unauthenticated_response()


def _on_http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    code = code_for_status(exc.status_code)
    return error_response(exc.status_code, code, message_for(code, request))


def _on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> JsonResponse:
    fields = danish_fields(exc.errors)
    return error_response(400, "validation_error", fields_message(fields), fields)


def _on_http404(request: HttpRequest, exc: Http404) -> JsonResponse:
    return error_response(404, "not_found", MESSAGES["not_found"])


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> JsonResponse:
    return error_response(403, "forbidden", MESSAGES["forbidden"])


def _on_exception(request: HttpRequest, exc: Exception) -> JsonResponse:
    return server_error_response(request, exc)


def install_exception_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(Exception, _on_exception)
    api.add_exception_handler(ApiError, _on_api_error)
    api.add_exception_handler(NotFound, _on_not_found)
    api.add_exception_handler(MoveRefused, _on_refused)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(AuthenticationError, _on_authentication)
    api.add_exception_handler(NinjaValidationError, _on_ninja_validation)
    api.add_exception_handler(Http404, _on_http404)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
