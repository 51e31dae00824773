"""The field rules of a unit and a person, written once (`orgs/fields.py`, ADR 0040): the
page's form and the import say the same thing about the same text, and the service keeps only
what needs the database (a username in use, a unit of the municipality)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from anskaf import testing
from anskaf.orgs import fields, services
from anskaf.orgs.csv_import import import_people, import_units
from anskaf.orgs.errors import ImportRefused, ValidationFailed
from anskaf.orgs.forms import PersonForm, UnitForm
from anskaf.orgs.models import Membership


@pytest.mark.parametrize(("rule", "value", "expected"), [
    (fields.unit_name, "  Jobcenter ", "Jobcenter"),
    (fields.unit_kind, " department", "department"),
    (fields.username, " anne.h ", "anne.h"),
    (fields.full_name, " Anne   Hansen ", "Anne Hansen"),
    (fields.email, "", ""),
    (fields.email, " a@b.dk ", "a@b.dk"),
])
def test_a_rule_answers_the_cleaned_value(rule, value, expected):
    assert rule(value) == expected
    assert fields.problem_of(rule, value) == (expected, None)


@pytest.mark.parametrize(("rule", "value", "message"), [
    (fields.unit_name, " ", "Skriv enhedens navn."),
    (fields.unit_name, "x" * 201, "Navnet må højst være 200 tegn."),
    (fields.unit_kind, "kontor", "Vælg, om enheden er en forvaltning eller en afdeling."),
    (fields.username, "anne hansen", "Brugernavnet må kun indeholde bogstaver, tal og tegnene "
                                     "@ . + - _ (ingen mellemrum)."),
    (fields.full_name, "", "Skriv personens fulde navn."),
    (fields.email, "anne@", "Skriv en gyldig e-mailadresse, fx navn@kommune.dk."),
])
def test_a_rule_refuses_with_its_danish_message(rule, value, message):
    with pytest.raises(ValidationError) as refused:
        rule(value)
    assert refused.value.messages == [message]
    assert fields.problem_of(rule, value)[1] == message


def test_the_page_and_the_import_say_the_same_about_the_same_text(org, unit):
    admin = testing.make_user(org, "chef", password=None)
    Membership.objects.create(organisation=org, person=admin, role="admin", unit=None)
    name = "Jobcenter " * 21  # too long: 210 characters
    form = UnitForm({"name": name, "kind": "department"}, units=[])
    assert not form.is_valid()
    with pytest.raises(ImportRefused) as refused:
        import_units(actor=admin, data=f"navn;type;overordnet\n{name};afdeling;\n".encode(),
                     filename="e.csv")
    assert [e.message for e in refused.value.rows] == form.errors["name"]

    person = PersonForm({"username": "anne hansen", "full_name": "Anne Hansen",
                         "login": "sso"}, units=[], creating=True)
    assert not person.is_valid()
    with pytest.raises(ImportRefused) as refused:
        import_people(actor=admin, data=b"brugernavn;navn;email;enhed;roller\n"
                                         b"anne hansen;Anne Hansen;;;\n", filename="p.csv")
    assert [e.message for e in refused.value.rows] == person.errors["username"]


def test_the_service_keeps_the_rule_that_needs_the_database(org, coordinator):
    admin = testing.make_user(org, "chef", password=None)
    Membership.objects.create(organisation=org, person=admin, role="admin", unit=None)
    assert services.username_refusal("ny-person") is None
    assert services.username_refusal(coordinator.username.upper()) == (
        f"Brugernavnet »{coordinator.username.upper()}« er allerede i brug. Vælg et andet.")
    assert services.username_refusal(coordinator.username, exclude_pk=coordinator.pk) is None
    taken = services.username_refusal(coordinator.username.upper())
    form = PersonForm({"username": coordinator.username.upper(), "full_name": "Anden Person",
                       "login": "sso"}, units=[], creating=True)
    assert not form.is_valid()  # the page names it with the other fields' problems
    assert form.errors["username"] == [taken]
    editing = PersonForm({"username": coordinator.username, "full_name": "Ny Navn",
                          "login": "sso"}, units=[], creating=False, person_pk=coordinator.pk)
    assert editing.is_valid(), editing.errors  # one's own username is not "in use"
    with pytest.raises(ValidationFailed) as refused:  # and the service holds the rule itself
        services.person_create(actor=admin, data={
            "username": coordinator.username.upper(), "full_name": "Anden Person", "email": "",
            "unit": None, "is_active": True})
    assert refused.value.errors == {"username": taken}
