"""Make the OpenAPI document say exactly what the server accepts (issue 21, item 3; ADR 0022).

The request bodies are read by hand (`params.parse_body`) and their rules live in the
services, so the schemas pydantic and django-ninja write are looser than the server. This
tightens them, for every router at once:

- every string a client sends (body fields, query and path parameters, form fields) carries
  the text rule as a `pattern` (no C0/C1 control characters but tab and newline, CR only
  before LF, no lone surrogates): `anskaf.validation.text`;
- a body's `required_fields` are non-null, and a required text must hold a non-blank
  character (the services refuse "" and "  " with a Danish message);
- query parameters that name an opaque value (`cursor`) may not be empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The characters the text rule refuses, as a regular expression class body (ECMA-262, Rust's
# regex and Python read these escapes alike; written escaped so the document stays plain
# text). Lone surrogates are refused too, but no regex engine outside JavaScript can name
# them and UTF-8 JSON cannot carry them, so the pattern leaves them out.
_REFUSED = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
TEXT_PATTERN = rf"^(?:[^{_REFUSED}]|\r\n)*$"
REQUIRED_TEXT_PATTERN = rf"^(?:[^{_REFUSED}]|\r\n)*[^{_REFUSED}\s](?:[^{_REFUSED}]|\r\n)*$"
# The bidi overrides and isolates names may not hold (U+202A-U+202E, U+2066-U+2069).
_BIDI = r"\u202a-\u202e\u2066-\u2069"


#: query parameters whose empty value is refused (an empty cursor is no page)
OPAQUE_PARAMETERS = frozenset({"cursor"})


def _is_plain_string(schema: dict[str, Any]) -> bool:
    return (schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema
            and "format" not in schema and "const" not in schema)


def text_rule(schema: Any) -> None:
    """Add the text rule's pattern to every free-text string in `schema`, in place."""
    if isinstance(schema, dict):
        if _is_plain_string(schema):
            schema["pattern"] = TEXT_PATTERN
        for value in schema.values():
            text_rule(value)
    elif isinstance(schema, list):
        for item in schema:
            text_rule(item)


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """`prop` with `null` taken out of its anyOf/type (pydantic's `X | None`)."""
    options = prop.get("anyOf")
    if options is not None:
        kept = [o for o in options if o.get("type") != "null"]
        rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
    if isinstance(prop.get("type"), list):
        types = [t for t in prop["type"] if t != "null"]
        return {**prop, "type": types[0] if len(types) == 1 else types}
    return prop


def keep(schema: dict[str, Any], names: Iterable[str]) -> None:
    """`names` in an object schema may be left out, but not null, and a text not blank."""
    props = schema.get("properties", {})
    for name in names:
        prop = _without_null(props[name])
        if prop.get("type") == "string" and "enum" not in prop:
            prop["pattern"] = REQUIRED_TEXT_PATTERN
            prop["minLength"] = max(prop.get("minLength", 0), 1)
        props[name] = prop


def require(schema: dict[str, Any], names: Iterable[str]) -> None:
    """Mark `names` required in an object schema: present, not null, and a text not blank."""
    names = list(names)
    keep(schema, names)
    if names:
        schema["required"] = names


def _string_of(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The string schema inside `prop` (itself, or the string branch of an anyOf)."""
    if prop.get("type") == "string":
        return prop
    return next((o for o in prop.get("anyOf", []) if o.get("type") == "string"), None)


def narrow_texts(schema: dict[str, Any], *, lines: Iterable[str] = (), names: Iterable[str] = (),
                 max_lengths: Mapping[str, int] | None = None) -> None:
    """One-line texts lose line breaks, names lose bidi overrides (ADR 0016), and texts get
    the services' maximum length, in the document as in the services."""
    props = schema.get("properties", {})
    for name in set(lines) | set(names):
        string = _string_of(props[name])
        if string is None:
            continue
        refused = _REFUSED + (r"\n" if name in lines else "") + (_BIDI if name in names else "")
        char = f"[^{refused}]" if name in lines else rf"(?:[^{refused}]|\r\n)"
        if string.get("pattern") == REQUIRED_TEXT_PATTERN or string.get("minLength"):
            string["pattern"] = rf"^{char}*[^{refused}\s]{char}*$"
        else:
            string["pattern"] = rf"^{char}*$"
    for name, limit in (max_lengths or {}).items():
        string = _string_of(props[name])
        if string is not None:
            string["maxLength"] = limit


def tighten(document: dict[str, Any]) -> dict[str, Any]:
    """The text rule on every parameter and request body of `document`, in place."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("name") in OPAQUE_PARAMETERS and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
                text_rule(schema)
            text_rule(operation.get("requestBody", {}))
    return document


# --- links: where one operation's answer feeds another (the stateful phase follows them) -------

#: (operationId, status) -> {link name: (target operationId, {parameter: runtime expression})}
Links = dict[tuple[str, int], dict[str, tuple[str, dict[str, str]]]]


def add_links(document: dict[str, Any], links: Links) -> dict[str, Any]:
    """OpenAPI `links` on the responses named in `links`; a link to or from an operation the
    document does not have is left out (routers come and go)."""
    operations = {op.get("operationId"): op for ops in document.get("paths", {}).values()
                  for op in ops.values() if isinstance(op, dict)}
    for (source, status), targets in links.items():
        responses = operations.get(source, {}).get("responses", {})
        response = responses.get(str(status), responses.get(status))
        if response is None:
            continue
        found = {name: {"operationId": target, "parameters": parameters}
                 for name, (target, parameters) in targets.items() if target in operations}
        if found:
            response.setdefault("links", {}).update(found)
    return document
