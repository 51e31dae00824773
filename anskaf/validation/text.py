"""The text rule: what a text typed into anskaf (form, API body, command line) may contain,
what an imported file's text is turned into, and what an export writes.

- Refused as input: C0 and C1 control characters and DEL, except tab and newline (and a
  carriage return directly before a newline); NUL and lone surrogates (which no database
  stores); in names and titles also the Unicode bidi overrides and isolates
  (U+202A-U+202E, U+2066-U+2069), which can make `invoice\\u202efdp.exe` read as `invoice.pdf`.
- Imported files (CSV, XLSX): the same characters are replaced by a space, and the import
  says so (`sanitize_imported`).
- Exports (PDF, Word, iCalendar, journal packages): characters XML 1.0 cannot carry are
  replaced by a space, so text stored before the rule, or written past it, never breaks an
  export (`export_safe`).
"""

from __future__ import annotations

import re

NUL_MESSAGE = "Teksten indeholder et ugyldigt tegn (NUL). Fjern det og prøv igen."
CONTROL_MESSAGE = ("Teksten indeholder et usynligt kontroltegn ({code}), som ikke kan bruges. "
                   "Fjern det og prøv igen.")
SURROGATE_MESSAGE = "Teksten indeholder et ugyldigt tegn ({code}). Fjern det og prøv igen."
BIDI_MESSAGE = ("Navnet indeholder et usynligt tegn, der vender skriveretningen ({code}). "
                "Fjern det og prøv igen.")
NEWLINE_MESSAGE = "Skriv teksten på én linje (uden linjeskift)."

# C0 except tab, newline and carriage return; DEL; C1. Lone CR is found separately.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_NEWLINE = re.compile("[\r\n]")
# What XML 1.0 cannot carry (python-docx, WeasyPrint's parser), plus C1 and DEL, which no
# document wants.
_NOT_EXPORTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class TextRefused(ValueError):
    """A text the rule refuses: `field` and a Danish `message` saying what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def text_problem(value: str, *, name: bool = False, multiline: bool = True) -> str | None:
    """The Danish message for the first thing the rule refuses in `value`, or None."""
    if "\x00" in value:
        return NUL_MESSAGE
    if (found := _SURROGATE.search(value)) is not None:
        return SURROGATE_MESSAGE.format(code=_code(found.group()))
    if (found := _CONTROL.search(value)) is not None:
        return CONTROL_MESSAGE.format(code=_code(found.group()))
    if name and (found := _BIDI.search(value)) is not None:
        return BIDI_MESSAGE.format(code=_code(found.group()))
    if not multiline and _NEWLINE.search(value):
        return NEWLINE_MESSAGE
    return None


def stripped(value: object) -> str:
    """A field as typed, without surrounding space; "" when it was not sent."""
    return "" if value is None else str(value).strip()


def is_bad_text(value: str) -> bool:
    """True when the rule refuses `value` in any text (bidi characters aside: they are
    refused in names and titles only, which the services know)."""
    return text_problem(value) is not None


def clean_text(value: str, *, field: str, multiline: bool = True, name: bool = False,
               limit: int | None = None) -> str:
    """`value` stripped, or TextRefused(field, Danish message)."""
    value = value.strip()
    if (message := text_problem(value, name=name, multiline=multiline)) is not None:
        raise TextRefused(field, message)
    if limit is not None and len(value) > limit:
        raise TextRefused(field, f"Højst {limit} tegn.")
    return value


def sanitize_imported(value: str) -> tuple[str, bool]:
    """An imported file's text with every refused character (controls, bidi, NUL, lone
    surrogates) replaced by a space; and whether anything was replaced."""
    cleaned = _BIDI.sub(" ", _SURROGATE.sub(" ", _CONTROL.sub(" ", value)))
    return cleaned, cleaned != value


def export_safe(value: str) -> str:
    """`value` with the characters no export format can carry replaced by a space."""
    return _NOT_EXPORTABLE.sub(" ", value)
