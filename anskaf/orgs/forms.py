"""The administration pages' forms: each field parsed and held to its rule (`fields.py`, the
rules the import runs too); what needs the database is the service's (ADR 0040)."""

from __future__ import annotations

from typing import Any

from django import forms

from . import fields
from .choices import Role, UnitKind
from .selectors import UnitRow
from .services import PersonData, UnitData, username_refusal

REQUIRED = "Udfyld feltet."


def unit_choices(rows: list[UnitRow], *, empty: str, exclude: set[int] | None = None
                 ) -> list[tuple[str, str]]:
    """Units in tree order for a select; units below a forvaltning are indented with dashes."""
    exclude = exclude or set()
    return [("", empty)] + [
        (str(r.unit.pk), "\u2014 " * r.depth + r.unit.name)
        for r in rows if r.unit.pk not in exclude
    ]


class UnitForm(forms.Form):
    name = forms.CharField(label="Navn", max_length=200,
                           error_messages={"required": "Skriv enhedens navn.",
                                           "max_length": "Navnet må højst være 200 tegn."})
    kind = forms.ChoiceField(label="Type", choices=[("", "Vælg type"), *UnitKind.choices],
                             error_messages={"required": "Vælg, om enheden er en forvaltning "
                                                         "eller en afdeling."})
    parent = forms.TypedChoiceField(
        label="Overordnet enhed", required=False, coerce=int, empty_value=None,
        help_text="En afdeling ligger typisk under sin forvaltning. Vælg ingen for en enhed "
                  "på øverste niveau.")

    def __init__(self, *args: Any, units: list[UnitRow], exclude: set[int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = unit_choices(
            units, empty="Ingen – enheden ligger øverst", exclude=exclude)
        self.fields["parent"].error_messages["invalid_choice"] = (
            "Vælg en overordnet enhed fra listen. En enhed kan ikke ligge under sig selv eller "
            "en af sine egne underenheder.")

    def clean_name(self) -> str:
        return fields.unit_name(self.cleaned_data["name"])

    def clean_kind(self) -> str:
        return fields.unit_kind(self.cleaned_data["kind"])

    def service_data(self) -> UnitData:
        data = self.cleaned_data
        return {"name": data["name"], "kind": data["kind"], "parent": data["parent"]}


LOGIN_CHOICES = [
    ("sso", "Single sign-on (kommunens fælles login) – ingen adgangskode i anskaf"),
    ("password", "Adgangskode, som du vælger nu"),
]


class PersonForm(forms.Form):
    username = forms.CharField(label="Brugernavn", max_length=150,
                               help_text="Bogstaver, tal og @ . + - _ (ingen mellemrum).",
                               error_messages={"required": "Skriv et brugernavn."})
    full_name = forms.CharField(label="Fulde navn", max_length=300,
                                error_messages={"required": "Skriv personens fulde navn."})
    email = forms.CharField(label="E-mail", max_length=254, required=False)
    unit = forms.TypedChoiceField(label="Enhed", required=False, coerce=int, empty_value=None,
                                  help_text="Den forvaltning eller afdeling, personen hører til.")
    is_active = forms.BooleanField(
        label="Aktiv bruger", required=False,
        help_text="En deaktiveret bruger kan ikke logge ind, og brugerens API-tokens virker ikke.")
    login = forms.ChoiceField(label="Sådan logger personen ind", choices=LOGIN_CHOICES,
                              widget=forms.RadioSelect, initial="sso",
                              error_messages={"required": "Vælg, hvordan personen logger ind."})
    password1 = forms.CharField(label="Adgangskode", required=False, strip=False,
                                widget=forms.PasswordInput,
                                help_text="Mindst 8 tegn, og ikke en almindelig adgangskode.")
    password2 = forms.CharField(label="Gentag adgangskoden", required=False, strip=False,
                                widget=forms.PasswordInput)

    def __init__(self, *args: Any, units: list[UnitRow], creating: bool,
                 person_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating, self.person_pk = creating, person_pk
        self.fields["unit"].choices = unit_choices(units, empty="Ingen enhed")
        self.fields["unit"].error_messages["invalid_choice"] = "Vælg en enhed fra listen."
        if not creating:
            del self.fields["login"]
            self.fields["password1"].label = "Ny adgangskode"
            self.fields["password1"].help_text = (
                "Udfyld kun, hvis du vil give personen en ny adgangskode. Mindst 8 tegn, og "
                "ikke en almindelig adgangskode.")
            self.fields["password2"].label = "Gentag den nye adgangskode"

    def wants_password(self) -> bool:
        if self.creating:
            return self.cleaned_data.get("login") == "password"
        return bool(self.cleaned_data.get("password1"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.wants_password():
            if not data.get("password1"):
                self.add_error("password1", "Skriv en adgangskode, eller vælg single sign-on."
                               if self.creating else "Skriv den nye adgangskode.")
            elif data.get("password1") != data.get("password2"):
                self.add_error("password2", "De to adgangskoder er ikke ens. Skriv dem igen.")
        return data

    def clean_username(self) -> str:
        """The shape, and (so that every field's problem is named at once) whether it is
        free: the service's rule, which the service applies again when it saves."""
        username = fields.username(self.cleaned_data["username"])
        if refusal := username_refusal(username, exclude_pk=self.person_pk):
            raise forms.ValidationError(refusal)
        return username

    def clean_full_name(self) -> str:
        return fields.full_name(self.cleaned_data["full_name"])

    def clean_email(self) -> str:
        return fields.email(self.cleaned_data["email"])

    def service_data(self) -> PersonData:
        data = self.cleaned_data
        return {"username": data["username"], "full_name": data["full_name"],
                "email": data.get("email", ""), "unit": data.get("unit"),
                "is_active": bool(data.get("is_active"))}

    def password(self) -> str | None:
        if not self.wants_password():
            return None
        return self.cleaned_data.get("password1") or None


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Rolle", choices=[("", "Vælg rolle"), *Role.choices],
                             error_messages={"required": "Vælg en rolle.",
                                             "invalid_choice": "Vælg en rolle fra listen."})
    unit = forms.TypedChoiceField(label="Gælder for", required=False, coerce=int,
                                  empty_value=None,
                                  help_text="Hele kommunen, eller kun én forvaltning eller "
                                            "afdeling (og enhederne under den).")

    def __init__(self, *args: Any, units: list[UnitRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units, empty="Hele kommunen")
        self.fields["unit"].error_messages["invalid_choice"] = (
            "Vælg »Hele kommunen« eller en enhed fra listen.")


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Søg efter navn, brugernavn eller e-mail", required=False,
                        max_length=100)


IMPORT_CHOICES = [
    ("units", "Enheder (kolonnerne navn;type;overordnet)"),
    ("people", "Personer (kolonnerne brugernavn;navn;email;enhed;roller)"),
]


class ImportForm(forms.Form):
    what = forms.ChoiceField(label="Hvad indeholder filen?", choices=IMPORT_CHOICES,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Vælg, om filen indeholder enheder "
                                                         "eller personer."})
    file = forms.FileField(
        label="Fil (Excel eller CSV)",
        help_text="En Excel-projektmappe (.xlsx) eller en CSV-fil gemt som »CSV UTF-8« "
                  "(semikolon eller komma som skilletegn), højst 1 MB og 2000 rækker. Du ser "
                  "først, hvad importen vil gøre; intet gemmes, før du importerer.",
        error_messages={"required": "Vælg en Excel- eller CSV-fil.",
                        "empty": "Filen er tom.",
                        "invalid": "Vælg en Excel- eller CSV-fil."})
