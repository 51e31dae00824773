"""pydantic's errors in Danish, one message per field; the caller's hints for wrong values."""

from __future__ import annotations

from typing import ClassVar

import pydantic
import pytest
from django.test import RequestFactory

from anskaf.http import params
from anskaf.http.errors import ApiError, danish_fields, fields_message
from anskaf.http.schemas import Body


class PriceIn(Body):
    field_hints: ClassVar[dict[str, str]] = {"price": "Angiv prisen som et tal."}
    price: float | None = None
    name: str | None = None


def _errors(data: dict[str, object]) -> list[dict[str, object]]:
    with pytest.raises(pydantic.ValidationError) as info:
        PriceIn.model_validate(data)
    return info.value.errors(include_url=False)


def test_a_wrong_value_gets_the_generic_message_without_a_hint() -> None:
    assert danish_fields(_errors({"price": "ti", "name": 3})) == {
        "price": "Skal være et tal.", "name": "Skal være tekst."}


def test_a_hint_wins_for_a_wrong_value_but_not_for_an_unknown_field() -> None:
    fields = danish_fields(_errors({"price": "ti", "colour": "rød"}), PriceIn.field_hints)
    assert fields == {"price": "Angiv prisen som et tal.",
                      "colour": "Ukendt felt; se API-beskrivelsen for de gyldige felter."}


def test_parse_body_uses_the_models_hints_and_names_each_field() -> None:
    request = RequestFactory().post("/", data=b'{"price": "ti"}', content_type="application/json")
    with pytest.raises(ApiError) as info:
        params.parse_body(request, PriceIn, {"name": "Giv den et navn."})
    assert info.value.status == 400 and info.value.code == "validation_error"
    assert info.value.fields == {"price": "Angiv prisen som et tal.", "name": "Giv den et navn."}
    assert info.value.message == fields_message(info.value.fields)
    assert info.value.message == "Feltet »price«: Angiv prisen som et tal. Feltet »name«: Giv den et navn."
