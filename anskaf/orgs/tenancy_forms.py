"""Form shapes for the municipality's sign-on and settings pages; the rules live in tenancy.py."""

from __future__ import annotations

from typing import Any

from django import forms

from .choices import Role

ROLE_KEYS = ", ".join(Role.values)


class SsoProviderForm(forms.Form):
    issuer = forms.CharField(
        label="Udsteder (issuer)", max_length=500, required=False,
        help_text="Udbyderens adresse, fx https://login.microsoftonline.com/<tenant-id>/v2.0. "
                  "anskaf henter selv resten fra udbyderens discovery-dokument.")
    client_id = forms.CharField(label="Klient-id (client id)", max_length=255, required=False)
    client_secret = forms.CharField(
        label="Klienthemmelighed (client secret)", max_length=1000, required=False,
        widget=forms.PasswordInput,
        help_text="Gemmes krypteret og vises aldrig igen. Lad feltet stå tomt for at beholde "
                  "den gemte.")
    role_claim = forms.CharField(
        label="Rolle-claim", max_length=100, required=False, initial="roles",
        help_text="Det claim, der bærer personens roller: roles (app-roller i Entra ID) eller "
                  "groups.")
    username_claim = forms.CharField(
        label="Brugernavns-claim", max_length=100, required=False,
        initial="preferred_username",
        help_text="Brugernavnet i anskaf; mangler det, bruges email og derefter sub.")
    role_map = forms.CharField(
        label="Roller", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Én linje pr. værdi: »claimværdi = rolle« giver rollen i hele kommunen, "
                  "»claimværdi = rolle @ enhedens navn« giver den i enheden. Roller: "
                  f"{ROLE_KEYS}. Tomt: claimværdier, der er rollenøgler, bliver roller.")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class MunicipalitySettingsForm(forms.Form):
    kitos_url = forms.CharField(
        label="KITOS-adresse", max_length=300, required=False,
        help_text="Fx https://kitos.dk/. Tom: installationens KITOS-adresse.")
    kitos_email = forms.CharField(label="KITOS-brugerens e-mail", max_length=254,
                                  required=False,
                                  help_text="Den API-bruger, anskaf logger ind i KITOS som.")
    kitos_password = forms.CharField(
        label="KITOS-brugerens adgangskode", max_length=500, required=False,
        widget=forms.PasswordInput,
        help_text="Gemmes krypteret og vises aldrig igen. Lad feltet stå tomt for at beholde "
                  "den gemte.")
    kitos_password_clear = forms.BooleanField(label="Slet den gemte KITOS-adgangskode",
                                              required=False)
    kitos_organisation_uuid = forms.CharField(label="Kommunens UUID i KITOS", max_length=36,
                                              required=False)
    sender_email = forms.CharField(
        label="Afsenderadresse for e-mails", max_length=254, required=False,
        help_text="Fx anskaf@kommune.dk. Tom: installationens afsender.")
    archive_authority = forms.CharField(
        label="Arkivmyndighed", max_length=200, required=False,
        help_text="Hvem kommunen afleverer arkivversioner til, fx Rigsarkivet eller et "
                  "kommunalt arkiv.")
    accessibility_url = forms.CharField(
        label="Adresse på kommunens tilgængelighedserklæring", max_length=500, required=False,
        help_text="Fx https://www.was.digst.dk/... Sidefodens link peger dertil. Tom: anskafs "
                  "egen erklæring.")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
