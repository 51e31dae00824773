"""The base of every API request body, and the error response every API documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from .openapi import keep, narrow_texts, require, text_rule


class Body(BaseModel):
    """A request body, read by hand in the view (after the object is found and the caller's
    rights are checked) with `params.parse_body`.

    Strict types ("3" is not an integer, "true" not a boolean), unknown fields refused.
    """

    model_config = ConfigDict(strict=True, extra="forbid")

    #: fields the OpenAPI document lists as required (the services enforce them)
    required_fields: ClassVar[tuple[str, ...]] = ()
    #: fields that may be left out but never null or blank (what a case must keep, in PATCH)
    kept_fields: ClassVar[tuple[str, ...]] = ()
    #: one-line texts (a records number): the document's pattern refuses line breaks
    line_fields: ClassVar[tuple[str, ...]] = ()
    #: names and titles: the document's pattern refuses bidi overrides too (ADR 0016)
    name_fields: ClassVar[tuple[str, ...]] = ()
    #: the most characters a text field takes (the services' limits, documented)
    max_lengths: ClassVar[Mapping[str, int]] = {}
    #: True when the operation may be called without a body (all fields optional)
    body_optional: ClassVar[bool] = False
    #: a Danish message per field name for a value of the wrong type or shape (`danish_fields`)
    field_hints: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def openapi_schema(cls, ref_template: str) -> dict[str, Any]:
        schema = cls.model_json_schema(ref_template=ref_template)
        text_rule(schema)
        require(schema, cls.required_fields)
        keep(schema, cls.kept_fields)
        narrow_texts(schema, lines=cls.line_fields, names=cls.name_fields,
                     max_lengths=cls.max_lengths)
        return schema


# Shapes the document states and pydantic checks the same way (400 naming the field).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# An amount in the API: a JSON number of kroner excluding VAT, 0 to 999,999,999,999.99 (the forms
# take Danish text, "1.893.000,50", which no pattern describes exactly; ADR 0022).
Amount = Annotated[float, Field(ge=0, le=999_999_999_999.99)] | None


class ErrorOut(Schema):
    error: str = Field(description="A stable code, e.g. not_found, conflict, step_not_open.")
    message: str = Field(description="What went wrong and what to do, in Danish.")
    fields: dict[str, str] | None = Field(
        None, description="For validation_error: a Danish message per field.")
