"""The cases' forms. The case form's fields are held to the case's field rules
(`inputs.case_values`, the API's too) in `clean`; the services keep what needs the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from anskaf.orgs.models import OrgUnit, User
from anskaf.process.model import PhaseDef, ProcessModel

from .choices import CaseStatus
from .errors import ValidationFailed
from .inputs import CaseData, CaseValues, case_values


def apply_service_errors(form: forms.Form, exc: Any) -> None:
    """A service's ValidationFailed (field -> Danish message) onto the form's fields."""
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


YES_NO = [("false", "Nej"), ("true", "Ja")]


class CaseForm(forms.Form):
    title = forms.CharField(label="Titel", max_length=200,
                            help_text="Et kort navn på anskaffelsen, fx »Nyt omsorgssystem«.")
    need = forms.CharField(label="Hvilket behov skal et nyt IT-system opfylde?",
                           widget=forms.Textarea(attrs={"rows": 4}))
    strategic_fit = forms.CharField(
        label="Passer det ind i organisationen – mission, værdier, strategier?",
        widget=forms.Textarea(attrs={"rows": 3}))
    user_impact = forms.CharField(label="Hvordan påvirker det slutbrugerne/borgerne?",
                                  widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label="Afdeling eller forvaltning", queryset=OrgUnit.objects.none(),
                                  required=False, empty_label="Din egen enhed")
    replaces_system = forms.TypedChoiceField(
        label="Erstatter det nye system et eksisterende system?", choices=YES_NO,
        coerce=lambda v: v == "true", widget=forms.RadioSelect, initial="false",
        help_text="Hvis ja, gælder trinnene for nedlukning af det tidligere system.")
    replaced_system_name = forms.CharField(label="Navn på det system, der erstattes",
                                           max_length=200, required=False)
    candidate_system = forms.CharField(label="Kandidatsystem (hvis kendt)", max_length=200,
                                       required=False)
    supplier_name = forms.CharField(label="Leverandør (hvis kendt)", max_length=200,
                                    required=False)
    estimated_contract_value = forms.CharField(
        label="Anslået kontraktværdi i kr. ekskl. moms (alle år)", required=False,
        help_text="Bruges til at vurdere udbudspligt. Skriv fx 250000.")
    records_case_number = forms.CharField(label="ESDH-sagsnummer (Acadre)", max_length=60,
                                          required=False)
    restricted = forms.TypedChoiceField(
        label="Skal adgangen til sagen begrænses?", choices=YES_NO, required=False,
        # Django takes any empty value; django-stubs types it as a string only.
        coerce=lambda v: v == "true", empty_value=False,  # type: ignore[arg-type]
        widget=forms.RadioSelect,
        initial="false",
        help_text="Sager er åbne for alle i kommunen. En begrænset sag kan kun ses af sagens "
                  "enhed, koordinator, trinnenes udførende og administratorer.")

    def __init__(self, *args: Any, organisation_id: int, model: ProcessModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = OrgUnit.objects.filter(organisation_id=organisation_id)
        replacing = [s.number for s in model.steps if s.only_when_replacing]
        if replacing:
            self.fields["replaces_system"].help_text = (
                f"Hvis ja, gælder {_steps_da(replacing)} (nedlukning af det tidligere system).")

    def clean(self) -> dict[str, Any]:
        """The fields that parsed, held to the case's field rules (`case_values`): each
        message on its field."""
        data = super().clean() or {}
        parsed = {k: v for k, v in data.items() if k != "unit"}
        if data.get("unit") is not None:
            parsed["unit"] = data["unit"].pk
        try:
            self.values = case_values(cast(CaseData, parsed), creating=False)
        except ValidationFailed as exc:
            apply_service_errors(self, exc)
        return data

    def service_data(self) -> CaseValues:
        """The checked values as the service takes them (the unit by its id; none chosen: the
        actor's own unit on a new case, the case's own on an edit)."""
        return self.values


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Begrundelse", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Skriv en begrundelse."})
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HandoverForm(forms.Form):
    coordinator = forms.ChoiceField(label="Ny koordinator", choices=[],
                                    error_messages={"required": "Vælg den nye koordinator."})
    reason = forms.CharField(label="Bemærkning (valgfri)", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coordinator = self.fields["coordinator"]
        assert isinstance(coordinator, forms.ChoiceField)
        coordinator.choices = [("", "Vælg en person")] + [
            (p.username, p.display_name()) for p in people]


class CaseFilterForm(forms.Form):
    mine = forms.ChoiceField(label="Vis", required=False, choices=[
        ("", "Alle sager"), ("1", "Mine sager (koordinator eller tildelt et trin)")])
    q = forms.CharField(label="Søg i titel og sagsnummer", required=False)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Alle"), *CaseStatus.choices])
    phase = forms.ChoiceField(label="Fase", required=False, choices=[("", "Alle")])
    unit = forms.ChoiceField(label="Enhed", required=False, choices=[("", "Alle")])
    without_coordinator = forms.ChoiceField(
        label="Koordinator", required=False,
        choices=[("", "Alle"), ("1", "Kun sager uden koordinator (deaktiveret)")])

    def __init__(self, *args: Any, phases: Iterable[PhaseDef], units: Iterable[OrgUnit],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase, unit = self.fields["phase"], self.fields["unit"]
        assert isinstance(phase, forms.ChoiceField) and isinstance(unit, forms.ChoiceField)
        phase.choices = [("", "Alle")] + [
            (str(p.number), f"{p.number}. {p.name.da}") for p in phases]
        unit.choices = [("", "Alle")] + [(str(u.pk), u.name) for u in units]


def _steps_da(numbers: list[int]) -> str:
    """The step numbers as Danish prose: "trin", then the numbers joined by commas and "og"."""
    words = [str(n) for n in numbers]
    return "trin " + (" og ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " og " + words[-1])
