from __future__ import annotations

from typing import Any

from django import forms

from .services import MAX_LENGTH

BODY_HINT = ("Skriv @brugernavn for at give en kollega besked, fx @koordinator. Kun personer, "
             "der kan se sagen, kan nævnes.")


class CommentForm(forms.Form):
    body = forms.CharField(label="Kommentar", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=BODY_HINT, strip=False,
                           error_messages={"required": "Skriv en kommentar."})
    step = forms.TypedChoiceField(label="Om trin", required=False, coerce=int,
                                  empty_value=None, choices=())

    def __init__(self, *args: Any, steps: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", "Hele sagen"),
                                       *((n, f"{n}. {t}") for n, t in steps or [])]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if len(body.strip()) > MAX_LENGTH:
            raise forms.ValidationError(f"Kommentaren må højst være {MAX_LENGTH} tegn.")
        return body


class EditForm(forms.Form):
    body = forms.CharField(label="Kommentar", widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=BODY_HINT, strip=False,
                           error_messages={"required": "Skriv en kommentar."})
