"""The one parser of a number a form or a multipart body posts as text (ADR 0040): services
take `int | None`, so what is no whole number is decided here, once."""

from __future__ import annotations

import pytest

from anskaf.errors import NotFound, ValidationFailed
from anskaf.http import params


@pytest.mark.parametrize(("raw", "expected"), [
    (None, None), ("", None), ("  ", None), ("12", 12), (" 12 ", 12), ("-3", -3), ("0", 0),
    ("1.5", None), ("x1", None), ("1e3", None), ("--1", None), ("1_000", None), ("١٢", None),
    ("9" * 19, int("9" * 19)), ("9" * 20, None),
])
def test_form_int_reads_a_whole_number_or_nothing(raw, expected):
    assert params.form_int(raw) == expected


def test_posted_id_is_a_field_error_for_what_is_no_number():
    assert params.posted_id(None, field="document", message="m") is None
    assert params.posted_id(" ", field="document", message="m") is None
    assert params.posted_id("7", field="document", message="m") == 7
    # A whole number beyond the database's range is still a number (it names nothing).
    assert params.posted_id("9" * 30, field="document", message="m") == int("9" * 30)
    with pytest.raises(ValidationFailed) as caught:
        params.posted_id("syv", field="document", message="Angiv et tal.")
    assert caught.value.errors == {"document": "Angiv et tal."}


def test_posted_ref_is_not_found_for_what_is_no_number():
    assert params.posted_ref("", missing="Systemet findes ikke.") is None
    assert params.posted_ref("7", missing="Systemet findes ikke.") == 7
    with pytest.raises(NotFound) as caught:
        params.posted_ref("7; drop", missing="Systemet findes ikke.")
    assert caught.value.message == "Systemet findes ikke."
