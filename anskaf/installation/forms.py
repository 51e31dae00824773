"""Form shapes for the operator's pages (ADR 0030). A new municipality's field rules are
`inputs.org_values` (ADR 0040), which `OrgCreateForm.clean` runs; the service keeps the rules
that need the database."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from .errors import ValidationFailed
from .inputs import OrgData, OrgValues, org_values


class OrgCreateForm(forms.Form):
    name = forms.CharField(label="Kommunens navn", max_length=200,
                           help_text="Fx Aabenraa Kommune.",
                           error_messages={"required": "Skriv kommunens navn."})
    slug = forms.CharField(label="Kortnavn", max_length=50,
                           help_text="Til adresser og kommandoer: små bogstaver, tal og "
                                     "bindestreg, fx aabenraa.",
                           error_messages={"required": "Skriv kommunens kortnavn."})
    cvr = forms.CharField(label="CVR-nummer", max_length=20,
                          help_text="8 cifre. Kontrolleres med modulus 11.",
                          error_messages={"required": "Skriv kommunens CVR-nummer."})
    units = forms.CharField(label="Forvaltninger", required=False,
                            widget=forms.Textarea(attrs={"rows": 6}),
                            help_text="Én forvaltning pr. linje. Kommunens administrator kan "
                                      "tilføje afdelinger og flere forvaltninger bagefter.")
    admin_name = forms.CharField(label="Første administrators fulde navn", max_length=300,
                                 error_messages={"required": "Skriv administratorens navn."})
    admin_email = forms.CharField(label="Første administrators e-mail", max_length=254,
                                  help_text="Invitationen sendes hertil. Adressen bliver også "
                                            "administratorens brugernavn.",
                                  error_messages={"required": "Skriv administratorens e-mail."})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.values = org_values(OrgData(
                    name=cleaned.get("name"), slug=cleaned.get("slug"), cvr=cleaned.get("cvr"),
                    units=cleaned.get("units"), admin_name=cleaned.get("admin_name"),
                    admin_email=cleaned.get("admin_email")))
            except ValidationFailed as exc:
                for field, message in exc.errors.items():
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def service_data(self) -> OrgValues:
        """The checked values (after `is_valid()`)."""
        return self.values


class SuspendForm(forms.Form):
    reason = forms.CharField(label="Begrundelse", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Gemmes i installationens og kommunens revisionsspor.",
                             error_messages={"required": "Skriv hvorfor kommunen suspenderes.",
                                             "max_length": "Begrundelsen må højst være 500 tegn."})


class OffboardForm(forms.Form):
    reason = forms.CharField(label="Begrundelse", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Gemmes i installationens revisionsspor.",
                             error_messages={"required": "Skriv hvorfor kommunen udfases.",
                                             "max_length": "Begrundelsen må højst være 500 tegn."})
    confirm = forms.CharField(label="Bekræft med kommunens kortnavn", max_length=50,
                              help_text="Skriv kortnavnet for at bekræfte, at alle kommunens "
                                        "data skal eksporteres og derefter slettes.",
                              error_messages={"required": "Skriv kommunens kortnavn for at "
                                                          "bekræfte udfasningen."})


class InvitationPasswordForm(SetPasswordForm):
    """Django's set-password form with Danish labels and hints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Vælg en adgangskode"
        self.fields["new_password1"].help_text = ("Mindst 8 tegn, ikke kun tal og ikke en "
                                                  "almindelig adgangskode.")
        self.fields["new_password2"].label = "Gentag adgangskoden"
        self.fields["new_password2"].help_text = ""
