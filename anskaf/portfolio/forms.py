"""Forms for the portfolio: the one validation of a system, contract, DPA, oversight and tender
threshold, for the pages and the API alike. They run at the boundary (the view, the API);
`system_values` and the others give the service the typed values it takes (ADR 0040)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from anskaf.cases.errors import CombinationRefused, ReferenceRefused, ValidationFailed
from anskaf.http.dates import use_danish_dates
from anskaf.orgs.models import OrgUnit, User
from anskaf.validation.amounts import AmountError, parse_amount
from anskaf.validation.text import text_problem

from . import notice
from .inputs import ContractValues, DpaValues, OversightValues, SystemValues, ThresholdValues
from .models import (
    ArchiveDecision,
    Contract,
    DataProcessingAgreement,
    DpaOversight,
    System,
    TenderThreshold,
)

# Danish messages for the checks Django makes itself.
MESSAGES = {"required": "Udfyld feltet.", "invalid": "Værdien er ugyldig.",
            "invalid_choice": "Vælg en af mulighederne.", "max_length": "Teksten er for lang.",
            "min_value": "Værdien er for lille.", "max_value": "Værdien er for stor.",
            "max_digits": "Tallet er for stort.", "max_decimal_places": "Højst to decimaler.",
            "max_whole_digits": "Tallet er for stort."}


class _Danish(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages.update(MESSAGES)
        # Dates typed the Danish way, as DKFDS' date picker; a saved date shown as the field
        # reads it (not "6. februar 2025").
        use_danish_dates(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, value in cleaned.items():
            if not isinstance(value, str) or name not in self.fields:
                continue
            # The text rule; a one-line field (a name, a title) refuses bidi overrides too.
            one_line = isinstance(self.fields[name].widget, forms.TextInput)
            if (problem := text_problem(value, name=one_line)) is not None:
                self.add_error(name, problem)
        return cleaned


class AmountField(forms.CharField):
    """An amount in kroner typed the Danish way (anskaf.validation.amounts), shown the same
    way ("1.893.000,00")."""

    def to_python(self, value: Any) -> Any:
        # A JSON number from the API is a number (1.234 is not 1234); only text is Danish.
        number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        try:
            return parse_amount(value if number else super().to_python(value))
        except AmountError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            whole, _, cents = f"{value:,.2f}".partition(".")
            return f"{whole.replace(',', '.')},{cents}"
        return value


YES_NO = [("False", "Nej"), ("True", "Ja")]


class SystemForm(_Danish):
    personal_data = forms.TypedChoiceField(label="Behandler personoplysninger", choices=YES_NO,
                                           coerce=lambda v: v == "True", initial="False")
    case_records = forms.TypedChoiceField(
        label="Indeholder sagsakter", choices=YES_NO, coerce=lambda v: v == "True",
        initial="False", required=False, empty_value=False,
        help_text="Systemer med personoplysninger eller sagsakter vurderes af den arkivansvarlige.")

    class Meta:
        model = System
        fields = ["name", "supplier", "purpose", "notes", "owner_unit", "system_owner",
                  "hosting", "personal_data", "case_records", "lifecycle", "kitos_system_uuid",
                  "predecessor"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3}),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this municipality's units, people and systems can be chosen.
        self.fields["owner_unit"].queryset = OrgUnit.objects.filter(
            organisation_id=organisation_id)
        self.fields["system_owner"].queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True).order_by("first_name", "username")
        others = System.objects.filter(organisation_id=organisation_id)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["predecessor"].queryset = others
        self.fields["system_owner"].label_from_instance = lambda u: u.display_name()
        self.fields["kitos_system_uuid"].help_text = (
            "Katalogsystemets UUID i KITOS. Tomt: systemet findes i kataloget ud fra navnet.")
        self.fields["name"].error_messages["required"] = "Skriv systemets navn."


class ContractForm(_Danish):
    annual_cost = AmountField(label="Årlig udgift (kr.)", required=False,
                              help_text="Fx 250.000 eller 1.893.000,50.")

    class Meta:
        model = Contract
        fields = ["number", "supplier", "start_date", "duration_months", "option_count",
                  "option_months", "options_used", "notice_months", "notice_to",
                  "terminated_on", "annual_cost"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        used, count = cleaned.get("options_used"), cleaned.get("option_count")
        if used is not None and count is not None and used > count:
            self.add_error("options_used", forms.ValidationError(
                "Der kan ikke være udnyttet flere optioner, end kontrakten har.", code="business"))
        if cleaned.get("duration_months") == 0:
            self.add_error("duration_months", "Løbetiden skal være mindst 1 måned.")
        elif not self.errors and not _contract_dates_fit(cleaned):
            self.add_error("duration_months", forms.ValidationError(
                "Kontraktens løbetid og optioner rækker ud over år 9999. Ret datoen eller "
                "antallet af måneder.", code="business"))
        return cleaned


def _contract_dates_fit(cleaned: dict[str, Any]) -> bool:
    """Whether the contract's computed dates (end, notice) stay within the calendar."""
    terms = notice.Terms(
        start=cleaned["start_date"], duration_months=cleaned["duration_months"],
        option_count=cleaned.get("option_count") or 0,
        option_months=cleaned.get("option_months") or 0,
        options_used=cleaned.get("options_used") or 0,
        notice_months=cleaned.get("notice_months") or 0,
        notice_to=cleaned.get("notice_to") or notice.NONE,
        terminated_on=cleaned.get("terminated_on"))
    try:
        notice.compute(terms, timezone.localdate())
        notice.compute(terms, terms.start)
    except (ValueError, OverflowError):  # a date past year 9999
        return False
    return True


class DpaForm(_Danish):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        interval = cleaned.get("oversight_interval_months")
        base = cleaned.get("last_oversight_on") or cleaned.get("signed_on")
        if base is not None and interval:
            try:
                notice.next_oversight(base, interval)
            except (ValueError, OverflowError):  # a date past year 9999
                self.add_error("oversight_interval_months", forms.ValidationError(
                    "Næste tilsyn ville ligge efter år 9999. Ret datoen eller intervallet.",
                    code="business"))
        return cleaned

    class Meta:
        model = DataProcessingAgreement
        fields = ["supplier", "signed_on", "sub_processors", "third_countries",
                  "oversight_method", "oversight_interval_months", "last_oversight_on"]
        widgets = {"sub_processors": forms.Textarea(attrs={"rows": 2}),
                   "third_countries": forms.Textarea(attrs={"rows": 2})}


class ThresholdForm(_Danish):
    amount = AmountField(label="Beløb (kr. ekskl. moms)",
                         help_text="Fx 1.893.000 eller 1.893.000,50.")
    source = forms.CharField(
        label="Kilde", max_length=300,
        help_text="Hvor beløbet er offentliggjort, fx »Kommissionens delegerede forordning (EU) "
                  "2025/2152; meddelelse C/2025/7081 af 23. oktober 2025; "
                  "Konkurrence- og Forbrugerstyrelsen«.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].error_messages["required"] = "Skriv, hvor beløbet er offentliggjort."

    class Meta:
        model = TenderThreshold
        fields = ["valid_from", "valid_to", "amount", "kind", "source"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", forms.ValidationError(
                "Slutdatoen skal ligge efter startdatoen.", code="business"))
        if cleaned.get("amount") is not None and cleaned["amount"] <= 0:
            self.add_error("amount", "Beløbet skal være større end 0.")
        return cleaned


class OversightForm(_Danish):
    """A completed oversight of a data processor."""

    class Meta:
        model = DpaOversight
        fields = ["done_on", "method", "result", "notes", "document_ref"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"document_ref": "Valgfrit: fx ESDH-nummer eller link til erklæringen."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Intet tilsyn aftalt" is a DPA's setting, not a way an oversight was carried out.
        self.fields["method"].choices = [c for c in self.fields["method"].choices
                                         if c[0] not in ("", "none")]

    def clean_done_on(self) -> Any:
        from django.utils import timezone

        done = self.cleaned_data.get("done_on")
        if done is not None and done > timezone.localdate():
            raise forms.ValidationError("Tilsynet kan ikke registreres, før det er gennemført "
                                        "(datoen ligger i fremtiden).", code="business")
        return done


class ImportForm(forms.Form):
    file = forms.FileField(label="KITOS-eksport (.xlsx eller .csv)",
                           error_messages={"required": "Vælg en fil."})


class ArchiveAssessmentForm(forms.Form):
    """The archive role's assessment of a system (checked again by the service)."""

    decision = forms.ChoiceField(label="Skal systemet arkiveres?",
                                 choices=[("", "Vælg …"), *ArchiveDecision.choices])
    plan = forms.CharField(label="Plan for arkiveringsversionen, eller hvorfor systemet ikke "
                                 "skal arkiveres", widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=20000)


# --- the boundary: a form's values for the service, or its refusal ----------------------------


def _refusal_kind(form: forms.BaseForm) -> type[ValidationFailed]:
    """400 for input that breaks the document's shape; 409 when every problem is a business
    one: a reference to what the municipality does not have (a unit, a person, a system), or
    a rule across fields or against today (`code="business"` in the forms; ADR 0022)."""
    kinds = set()
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        for error in errors:
            if error.code == "invalid_choice" and isinstance(field, forms.ModelChoiceField):
                kinds.add(ReferenceRefused)
            elif error.code == "business":
                kinds.add(CombinationRefused)
            else:
                return ValidationFailed
    return kinds.pop() if len(kinds) == 1 else ReferenceRefused


def values_of(form: forms.ModelForm) -> dict[str, Any]:
    """The valid form's values for its model's fields, or its refusal (ValidationFailed,
    ReferenceRefused or CombinationRefused with the Danish messages per field). A field the
    input left out that has a model default is left out here too, so an edit keeps it (as
    ModelForm.save does)."""
    if not form.is_valid():
        raise _refusal_kind(form)({f: " ".join(e) for f, e in form.errors.items()})
    model_fields = {f.name: f for f in form._meta.model._meta.fields}
    values = {}
    for name, value in form.cleaned_data.items():
        field, widget = model_fields.get(name), form.fields[name].widget
        omitted = widget.value_omitted_from_data(form.data, form.files, form.add_prefix(name))
        if (field is not None and field.has_default() and omitted
                and value in form.fields[name].empty_values):
            continue
        values[name] = value
    return values


def _unchanged(instance: Any) -> Any:
    # A ModelForm writes the values it validates onto its instance; the caller's stays as read.
    return copy.copy(instance) if instance is not None else None


def system_values(data: Mapping[str, Any], *, organisation_id: int | None,
                  instance: System | None = None) -> SystemValues:
    """A system's fields from a page's POST or the API's body; `instance` when editing."""
    return cast(SystemValues, values_of(SystemForm(
        data, instance=_unchanged(instance), organisation_id=organisation_id)))


def contract_values(data: Mapping[str, Any], *, instance: Contract | None = None
                    ) -> ContractValues:
    return cast(ContractValues, values_of(ContractForm(data, instance=_unchanged(instance))))


def dpa_values(data: Mapping[str, Any], *, instance: DataProcessingAgreement | None = None
               ) -> DpaValues:
    return cast(DpaValues, values_of(DpaForm(data, instance=_unchanged(instance))))


def oversight_values(data: Mapping[str, Any]) -> OversightValues:
    return cast(OversightValues, values_of(OversightForm(data)))


def threshold_values(data: Mapping[str, Any]) -> ThresholdValues:
    return cast(ThresholdValues, values_of(ThresholdForm(data)))
