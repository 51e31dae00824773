"""Every error under /api/ is JSON: {"error": code, "message": Danish text[, "fields": {...}]}.

This module holds the neutral parts: ApiError (an error an endpoint raises itself), the
standard codes and their Danish messages, the JSON response, and pydantic's validation errors
in Danish. Which domain error becomes which answer is the API shell's business
(anskaf/api/errors.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, JsonResponse

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


# --- pydantic errors in Danish -----------------------------------------------------------------

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


def danish_fields(errors: Iterable[Mapping[str, Any]],
                  hints: Mapping[str, str] | None = None) -> dict[str, str]:
    """pydantic/ninja error dicts -> {field: Danish message}, one message per field.

    `hints` are the caller's own messages by field name ("Angiv beløbet som et tal ..."); a
    field's hint wins over the generic message for its error type, except for a missing or an
    unknown field."""
    hints = hints or {}
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        if name in fields:
            continue
        kind = str(error.get("type", ""))
        if kind in {"missing", "extra_forbidden"}:
            fields[name] = TYPE_MESSAGES[kind]
        else:
            fields[name] = hints.get(name) or TYPE_MESSAGES.get(kind, "Ugyldig værdi.")
    return fields
