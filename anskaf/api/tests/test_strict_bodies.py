"""Every JSON body of every API router is strictly typed (issue 21.2): a value of the wrong
JSON type in any field is a 400 validation_error naming the field, never a 500 and never
stored.

Generated from the OpenAPI document: for every operation with a JSON request body, every
property of its schema gets every JSON value that its schema does not allow (a string, an
integer, a fraction, a boolean, a list, an object). A new endpoint or field is covered
without being listed here."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.web.tests.test_access_matrix import API_RULES, _expected, api_url, world

__all__ = ["world"]

CANDIDATES: list[Any] = ["x", 7, 1.5, True, [None, None], {"a": 1}]
# The first of these whom the access matrix lets past 401/403/404 sends the bodies.
SENDERS = ("admin", "board", "coordinator", "it", "procurement", "archive", "operator")


def _schemas(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a property's schema allows (anyOf flattened, $ref resolved)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _schemas(spec, spec["components"]["schemas"][name])
    if "anyOf" in schema or "oneOf" in schema:
        return [s for alt in schema.get("anyOf", schema.get("oneOf", []))
                for s in _schemas(spec, alt)]
    return [schema]


def _fits(spec: dict[str, Any], schema: dict[str, Any], value: Any) -> bool:
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema.get("type")
    if kind is None:
        return True  # anything goes: no wrong type to send
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
        "array": lambda v: isinstance(v, list) and all(
            any(_fits(spec, s, item) for s in _schemas(spec, schema.get("items", {})))
            for item in v),
    }
    return checks[kind](value)


def _json_bodies(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = _schemas(spec, content["application/json"]["schema"])[0]
                out.append((method, path, schema.get("properties", {})))
    return sorted(out)


def _sender(method: str, path: str) -> str:
    rule = API_RULES[(method, path)]
    return next(p for p in SENDERS if _expected(rule, p) not in (401, 403, 404))


def test_a_wrong_json_type_in_any_field_of_any_body_is_a_400(world):
    client = Client()
    spec = client.get("/api/v1/openapi.json").json()
    bodies = _json_bodies(spec)
    routers = {next(iter(spec["paths"][p].values()))["tags"][0] for _, p, _ in bodies}
    assert {"portfolio", "meetings"} <= routers, routers
    tokens = {p: token_create(user=world["people"][p], name="strict") for p in SENDERS}
    events = AuditEvent.objects.count()
    sent, failures = 0, []
    for method, path, properties in bodies:
        assert properties, f"{method} {path}: a JSON body without properties"
        sender = _sender(method, path)
        case = testing.new_case(world["people"]["coordinator"], title="Typer")
        url = api_url(path, case, world)
        events = AuditEvent.objects.count()
        for field, schema in properties.items():
            alternatives = _schemas(spec, schema)
            for value in CANDIDATES:
                if any(_fits(spec, alt, value) for alt in alternatives):
                    continue
                sent += 1
                response = getattr(client, method)(
                    url, data=json.dumps({field: value}), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {tokens[sender]}")
                body = response.json() if response["Content-Type"].startswith(
                    "application/json") else {}
                if (response.status_code != 400 or body.get("error") != "validation_error"
                        or field not in (body.get("fields") or {})):
                    failures.append(f"{method.upper()} {path} {{{field!r}: {value!r}}} as "
                                    f"{sender}: {response.status_code} {body}")
        if AuditEvent.objects.count() != events:
            failures.append(f"{method.upper()} {path}: something was written")
    print(f"{sent} wrong-type requests to {len(bodies)} bodies")
    assert sent >= 150, sent
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:60])
