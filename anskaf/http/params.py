"""Reading a request: JSON bodies, query parameters, page size and cursors. Errors are 400s
(ApiError validation_error naming the field)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import pydantic
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from anskaf.errors import NotFound, ValidationFailed
from anskaf.validation.text import is_bad_text

from .errors import ApiError, danish_fields, invalid
from .schemas import Body

B = TypeVar("B", bound=Body)

BAD_TEXT_MESSAGE = ("Teksten indeholder tegn, der ikke kan gemmes (kontroltegn, fx NUL-tegn). "
                    "Fjern dem og prøv igen.")
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")
# A posted id the schema calls an integer may be any whole number; one beyond the database's
# range names nothing, so the service answers it as such (404, or a stale version's 409),
# never as "no number" (the cap keeps int() cheap).
ANY_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,100}")
LIMIT_MESSAGE = "Angiv »limit« som et heltal fra 1 til {max} (standard {default})."


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_number(text: str) -> float | int:
    """A JSON number with a fraction or exponent: 6.0 and 1e3 are integers to JSON Schema
    (OpenAPI's `integer`), so they are ints here too; other numbers stay floats."""
    number = float(text)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _bad_text(value: str) -> bool:
    """The text rule (anskaf.validation.text): control characters other than tab and newline,
    NUL and lone surrogates are refused in every string of a body or query. (Bidi overrides
    are refused by the services, in the names and titles where they deceive.)"""
    return is_bad_text(value)


def _find_bad_text(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _bad_text(value) else None
    if isinstance(value, list):
        for item in value:
            if (found := _find_bad_text(item, path)) is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            where = path or str(key)
            if _bad_text(str(key)):
                return where
            if (found := _find_bad_text(item, where)) is not None:
                return found
    return None


def _raw_body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise invalid({"body": "Forespørgslen er for stor."}) from None


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is {}."""
    raw = _raw_body(request)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_reject_constant, parse_float=_json_number)
    except (ValueError, RecursionError):
        raise invalid({"body": "Indholdet er ikke gyldig JSON. Send et JSON-objekt, fx "
                               '{"reason": "..."}, med Content-Type: application/json.'}) from None
    if not isinstance(data, dict):
        raise invalid({"body": "Indholdet skal være et JSON-objekt ({...})."})
    if (field := _find_bad_text(data, "")) is not None:
        raise invalid({field: BAD_TEXT_MESSAGE})
    return data


def parse_body(request: HttpRequest, model: type[B],
               required: Mapping[str, str] | None = None) -> tuple[B, dict[str, Any]]:
    """Validate the body's types (and, if given, that `required` fields are present and not
    null); return the model and the fields actually sent. All problems are reported at once,
    in Danish, with the model's `field_hints` for values of the wrong type."""
    if not model.body_optional and not _raw_body(request).strip():
        # the document says the body is required: a missing one is not "{}"
        raise invalid({"body": "Send et JSON-objekt med Content-Type: application/json."})
    data = json_body(request)
    fields: dict[str, str] = {}
    parsed = None
    try:
        parsed = model.model_validate(data)
    except pydantic.ValidationError as exc:
        fields = danish_fields(exc.errors(include_url=False), model.field_hints)
    for name, message in (required or {}).items():
        if data.get(name) is None and name not in fields:
            fields[name] = message
    if fields or parsed is None:
        raise invalid(fields)
    return parsed, parsed.model_dump(exclude_unset=True)


def check_query_text(request: HttpRequest) -> None:
    for key, values in request.GET.lists():
        for value in values:
            if _bad_text(key) or _bad_text(value):
                raise invalid({key if not _bad_text(key) else "query":
                               "Parameteren indeholder tegn, der ikke kan bruges "
                               "(kontroltegn, fx NUL-tegn)."})


def page_size(request: HttpRequest) -> int:
    """`limit`: default 50; 1 to 200, larger values are capped at 200; anything else (an empty
    `limit=` too: the OpenAPI document says integer) is 400."""
    default = settings.ANSKAF_API_PAGE_SIZE
    maximum = settings.ANSKAF_API_MAX_PAGE_SIZE
    raw = request.GET.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise invalid({"limit": LIMIT_MESSAGE.format(max=maximum, default=default)})
    return min(value, maximum)


def next_path(request: HttpRequest, cursor: str | None, limit: int) -> str | None:
    """The path of the next page: this request's path and query, with a new cursor."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    query["limit"] = str(limit)
    return f"{request.path}?{query.urlencode()}"


CURSOR_MESSAGE = "Angiv »cursor« som stien i »next« fra det forrige svar (den må ikke være tom)."
NO_PAGE_MESSAGE = ("Siden findes ikke: »cursor« peger ikke på en side. Følg stien i »next« fra "
                   "det forrige svar, eller start forfra uden »cursor«.")


def cursor_param(request: HttpRequest) -> str | None:
    """The request's `cursor`: None when absent; an empty one is 400 (the OpenAPI document
    says a non-empty string)."""
    raw = request.GET.get("cursor")
    if raw == "":
        raise invalid({"cursor": CURSOR_MESSAGE})
    return raw


def offset_cursor(request: HttpRequest) -> int:
    """An offset cursor (`next` of a list paged by position): the next row's position, 0
    without one; a string that names no position is 404, as for any cursor."""
    raw = cursor_param(request) or "0"
    if not raw.isdigit() or len(raw) > 9:
        raise no_such_page()  # a string, as the document says, naming no page
    return int(raw)


def no_such_page() -> ApiError:
    """A cursor that is a string, as the document says, but names no page: 404, not 400."""
    return ApiError(404, "not_found", NO_PAGE_MESSAGE)


def encode_case_cursor(updated_at: datetime, pk: int) -> str:
    """A cursor for a list ordered by (updated_at, id), as the case list is."""
    raw = json.dumps([updated_at.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_case_cursor(raw: str) -> tuple[datetime, int] | None:
    """A cursor made by encode_case_cursor, or None when it is not one."""
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        stamp, pk = json.loads(decoded)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or isinstance(pk, bool) or not isinstance(pk, int):
            return None
        if not 0 < pk < 2**62:
            return None
        return when.astimezone(UTC), pk  # astimezone also refuses dates that overflow in UTC
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError,
            RecursionError):
        return None


def decode_case_cursor(request: HttpRequest) -> tuple[datetime, int] | None:
    """The request's `cursor` made by encode_case_cursor, or None; one that names no page is
    404 (no_such_page)."""
    raw = cursor_param(request)
    if raw is None:
        return None
    cursor = parse_case_cursor(raw)
    if cursor is None:
        raise no_such_page()
    return cursor


def decode_seq_cursor(request: HttpRequest) -> int | None:
    """The request's `cursor` as a sequence number (the audit events' seq), or None; one that
    names no page is 404 (no_such_page)."""
    raw = cursor_param(request)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise no_such_page() from None
    if value < 0 or value > 2**62:
        raise no_such_page()
    return value


def form_int(value: str | None) -> int | None:
    """A form's optional whole number as the page or a multipart body sends it (the `version`
    an edit form carries, an id in a hidden field, a chosen step): None when empty or not a
    whole number, so the service treats it as not sent (an id it needs is then its 404 or
    its form error, as for an id that names nothing). The one parser of a posted number:
    services take `int | None`, never the text (ADR 0040)."""
    if value is None:
        return None
    text = value.strip()
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


def posted_ref(value: str | None, *, missing: str) -> int | None:
    """An optional id a form posts that must name something (a hidden field, a select): None
    when empty, the number, or for anything else NotFound(missing), as for an id that names
    nothing (404)."""
    if value is None or not value.strip():
        return None
    number = form_int(value)
    if number is None:
        raise NotFound(missing)
    return number


def posted_id(value: str | None, *, field: str, message: str) -> int | None:
    """An optional id a form or multipart body names as text: None when empty, the number
    (also one too large for the database: it names nothing), or for anything else a field
    error (`ValidationFailed`: 400 validation_error from the API, the form's message on a
    page)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not ANY_WHOLE_NUMBER.fullmatch(text):
        raise ValidationFailed({field: message})
    return int(text)
