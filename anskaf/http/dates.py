"""Dates as Danes type them (issue 20, DKFDS): "31.01.2027" (also with - or /, and the ISO form
"2027-01-31" that DKFDS' date picker sends and the API uses). One parser and one form field for
every date a person types, so the hint, the error and what is accepted agree everywhere.

The field renders as DKFDS' date picker (web/includes/field.html): a plain text field with the
hint "dd.mm.åååå" that works without JavaScript; with it, DKFDS adds the calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

DATE_INPUT_FORMATS = ("%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")
DISPLAY_FORMAT = "%d.%m.%Y"
DATE_HINT = "Skriv datoen som dd.mm.åååå, fx 31.01.2027."
DATE_INVALID = "Datoen er ugyldig. " + DATE_HINT


def parse_date(value: Any) -> dt.date | None:
    """A date from a date or a typed text in one of DATE_INPUT_FORMATS; None for an empty
    value; ValueError for anything else."""
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _shown(value: dt.date) -> str:
    # strftime's %Y writes year 355 as "355", which %Y cannot read back: four digits always
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def display_date(value: Any) -> str:
    """A date (or an ISO text) as the field shows it: "31.01.2027"; other text unchanged."""
    if isinstance(value, dt.date):
        return _shown(value)
    if isinstance(value, str) and len(value.strip()) == 10 and value.strip()[4] == "-":
        try:
            return _shown(dt.date.fromisoformat(value.strip()))
        except ValueError:
            return value
    return "" if value is None else str(value)


def iso_date(value: Any) -> str:
    """The date as YYYY-MM-DD (DKFDS' date picker's default value), or "" if it is none."""
    try:
        parsed = parse_date(value)
    except ValueError:
        return ""
    return parsed.isoformat() if parsed else ""


class DateInput(forms.DateInput):
    """A text field the templates render as DKFDS' date picker."""

    input_type = "text"
    is_date_picker = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DISPLAY_FORMAT)

    def format_value(self, value: Any) -> str | None:
        return _shown(value) if isinstance(value, dt.date) else super().format_value(value)


class DateField(forms.DateField):
    """A date typed the Danish way (or ISO), with the hint and error in Danish."""

    widget = DateInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {"invalid": DATE_INVALID}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)


def use_danish_dates(form: forms.BaseForm) -> None:
    """Make every DateField of a (model) form a Danish date field: formats, widget, hint and
    error; a saved date is shown as "31.01.2027"."""
    for name, field in form.fields.items():
        if isinstance(field, forms.DateField):
            field.input_formats = list(DATE_INPUT_FORMATS)
            field.widget = DateInput()
            field.error_messages["invalid"] = DATE_INVALID
            field.help_text = field.help_text or DATE_HINT
            if isinstance(form.initial.get(name), dt.date):
                form.initial[name] = _shown(form.initial[name])
