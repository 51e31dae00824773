from __future__ import annotations

from django import forms

from anskaf.http.dates import DateInput

from .choices import Kind, MailMode


class PreferencesForm(forms.Form):
    """One radio group per kind of notice: immediately, daily digest or not by e-mail."""

    def __init__(self, *args: object, initial_modes: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=MailMode.choices, initial=initial_modes.get(kind),
                error_messages={"required": "Vælg, hvordan du vil have denne slags besked.",
                                "invalid_choice": "Vælg en af mulighederne."})


class DeadlineForm(forms.Form):
    due_date = forms.CharField(
        label="Frist", required=False, max_length=10, widget=DateInput(),
        help_text="Skriv datoen som dd.mm.åååå, fx 31.12.2026. Tom fjerner fristen.")
