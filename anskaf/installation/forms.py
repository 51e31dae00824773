"""Form shapes for the operator's pages; the rules live in services.py (ADR 0030)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm


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

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


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
