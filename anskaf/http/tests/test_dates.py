"""Dates as Danes type them (issue 20): one parser and one field for every typed date."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from anskaf.http.dates import DateField, display_date, iso_date, parse_date, use_danish_dates

DAY = dt.date(2027, 1, 31)


@pytest.mark.parametrize("text", ["31.01.2027", "31.1.2027", " 31-01-2027 ", "31/01/2027",
                                  "2027-01-31"])
def test_the_danish_forms_and_the_iso_form_are_read(text):
    assert parse_date(text) == DAY


@pytest.mark.parametrize("text", ["31.13.2027", "2027-31-01", "i morgen", "31.01.27x"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_empty_is_none_and_a_date_is_itself():
    assert parse_date("  ") is None and parse_date(None) is None and parse_date(DAY) is DAY


def test_a_date_is_shown_the_danish_way_and_given_the_picker_as_iso():
    assert display_date(DAY) == display_date("2027-01-31") == "31.01.2027"
    assert display_date("31.13.2027") == "31.13.2027"  # typed text stays as typed
    assert iso_date("31.01.2027") == "2027-01-31" and iso_date("nej") == "" and iso_date("") == ""


def test_the_field_reads_danish_dates_and_says_how_in_danish():
    class Form(forms.Form):
        day = DateField(label="Dag")

    assert Form({"day": "31.01.2027"}).is_valid()
    bad = Form({"day": "31.13.2027"})
    assert not bad.is_valid()
    assert bad.errors["day"] == ["Datoen er ugyldig. Skriv datoen som dd.mm.åååå, fx 31.01.2027."]
    assert Form().fields["day"].help_text == "Skriv datoen som dd.mm.åååå, fx 31.01.2027."


def test_a_model_forms_dates_become_danish_date_fields():
    class Form(forms.Form):
        day = forms.DateField(label="Dag")

    form = Form(initial={"day": DAY})
    use_danish_dates(form)
    assert form.initial["day"] == "31.01.2027"
    assert form.fields["day"].widget.is_date_picker
    assert form.fields["day"].clean("31.01.2027") == DAY
