"""Form shapes for the shell's own pages; the rules themselves live in the services."""

from __future__ import annotations

from django import forms

from anskaf.http.dates import DateField
from anskaf.orgs.models import User


class DeputyForm(forms.Form):
    deputy = forms.ChoiceField(label="Stedfortræder")
    starts_on = DateField(label="Fra")
    ends_on = DateField(label="Til og med")

    def __init__(self, *args, person, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        colleagues = User.objects.filter(organisation_id=person.organisation_id,
                                         is_active=True).exclude(pk=person.pk)
        self.fields["deputy"].choices = [("", "Vælg en kollega")] + [
            (u.username, u.display_name()) for u in colleagues.order_by("first_name", "username")]
