"""The text rule, without a database: what is refused, what an import and an export make of it."""

from __future__ import annotations

import pytest

from anskaf.validation.text import (
    TextRefused,
    clean_text,
    export_safe,
    is_bad_text,
    sanitize_imported,
    text_problem,
)

CONTROLS = ["\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85",
            "\x9f", "a\rb"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", CONTROLS)
def test_it_refuses_control_characters_in_any_text_with_a_danish_message(char):
    message = text_problem(f"Nyt {char}system")
    assert message is not None and "kontroltegn" in message and "U+" in message
    with pytest.raises(TextRefused) as refused:
        clean_text(f"x{char}y", field="title")
    assert refused.value.field == "title"


@pytest.mark.parametrize("text", ["Linje 1\nLinje 2", "a\tb", "Linje 1\r\nLinje 2", "æøå ÆØÅ €",
                                  "\u202egnavn", "😀"])
def test_it_accepts_tab_newline_crlf_and_ordinary_unicode_in_free_text(text):
    assert text_problem(text) is None and not is_bad_text(text)


@pytest.mark.parametrize("char", BIDI)
def test_it_refuses_bidi_overrides_and_isolates_in_names(char):
    message = text_problem(f"faktura{char}fdp.exe", name=True)
    assert message is not None and "skriveretningen" in message


def test_nul_and_lone_surrogates_are_refused_as_before():
    assert "NUL" in (text_problem("a\x00b") or "")
    assert text_problem("a\ud800b") is not None


def test_one_line_fields_may_refuse_newlines_and_limits_are_counted():
    with pytest.raises(TextRefused):
        clean_text("a\nb", field="name", multiline=False)
    with pytest.raises(TextRefused, match="Højst 3 tegn"):
        clean_text("abcd", field="name", limit=3)
    assert clean_text("  Navn  ", field="name") == "Navn"


def test_imported_text_gets_a_space_for_every_refused_character():
    assert sanitize_imported("Navn\x1bmed\u202eESC") == ("Navn med ESC", True)
    assert sanitize_imported("Almindelig tekst\tmed tab") == ("Almindelig tekst\tmed tab", False)


def test_exports_replace_what_xml_cannot_carry_and_keep_the_rest():
    assert export_safe("a\x00b\x01c\x1bd\x7fe\ufffef") == "a b c d e f"
    assert export_safe("Linje 1\nLinje 2\ttab æøå") == "Linje 1\nLinje 2\ttab æøå"
