"""A case's fields where they enter (ADR 0040): the page's form (`forms.CaseForm`), the API's
bodies (`CaseCreateIn`, `CaseUpdateIn`), the guide import and the tests hand what they parsed
to `case_values`, which holds it to the field rules (required texts, the text rule, lengths,
yes/no, the Danish amount) and answers the checked values, or `ValidationFailed` naming every
field that is wrong (400 validation_error). The services take `CaseValues` and keep the rule
that needs the database: the unit is one of the municipality's (409 invalid_reference).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict, cast

from anskaf.validation.amounts import AmountError, parse_amount
from anskaf.validation.text import text_problem

from .errors import ValidationFailed

EDITABLE_FIELDS = (
    "title", "need", "strategic_fit", "user_impact", "candidate_system", "supplier_name",
    "replaces_system", "replaced_system_name", "estimated_contract_value",
    "records_case_number", "unit", "restricted",
)
TEXT_FIELDS = {"title": 200, "candidate_system": 200, "supplier_name": 200,
               "replaced_system_name": 200, "records_case_number": 60}
REQUIRED_TEXT = {
    "title": "Skriv en titel på sagen.",
    "need": "Beskriv, hvilket behov et nyt IT-system skal opfylde.",
    "strategic_fit": "Beskriv, hvordan det passer ind i organisationen (mission, værdier, strategier).",
    "user_impact": "Beskriv, hvordan det påvirker slutbrugerne/borgerne.",
}


class CaseData(TypedDict, total=False):
    """A case's editable fields as the boundary parsed them (the case form's cleaned data, the
    API's CaseCreateIn / CaseUpdateIn): typed, not yet judged (`case_values` judges them)."""

    title: str | None
    need: str | None
    strategic_fit: str | None
    user_impact: str | None
    candidate_system: str | None
    supplier_name: str | None
    replaces_system: bool | None
    replaced_system_name: str | None
    estimated_contract_value: Decimal | float | str | None
    records_case_number: str | None
    unit: int | None
    restricted: bool | None


class CaseValues(TypedDict, total=False):
    """The fields `case_values` checked: what a service takes (only the fields sent, for an
    update). `unit` is still an id: whether it is the municipality's is the service's rule."""

    title: str
    need: str
    strategic_fit: str
    user_impact: str
    candidate_system: str
    supplier_name: str
    replaces_system: bool
    replaced_system_name: str
    estimated_contract_value: Decimal | None
    records_case_number: str
    unit: int
    restricted: bool


def case_values(data: CaseData, *, creating: bool) -> CaseValues:
    """The fields sent (every required one when `creating`), checked; ValidationFailed with a
    Danish message per field that is wrong, all at once."""
    errors: dict[str, str] = {f: "Feltet kan ikke ændres."
                              for f in sorted(set(data) - set(EDITABLE_FIELDS))}
    clean: dict[str, Any] = {}
    for field, message in REQUIRED_TEXT.items():
        if field in data or creating:
            value = data.get(field)
            if not isinstance(value, str) or not value.strip():
                errors[field] = message
            elif (problem := text_problem(value, name=field in TEXT_FIELDS)) is not None:
                errors[field] = problem
            else:
                clean[field] = value.strip()
    for field, limit in TEXT_FIELDS.items():
        if field in data and field not in REQUIRED_TEXT:
            value = data.get(field)
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors[field] = "Skal være tekst."
            elif (problem := text_problem(value, name=True,
                                          multiline=field != "records_case_number")) is not None:
                errors[field] = problem
            else:
                clean[field] = value.strip()
        # the length as sent (the document's maxLength), not after stripping (a cleaned field
        # was sent as text)
        sent = data.get(field)
        if field in clean and isinstance(sent, str) and len(sent) > limit:
            errors[field] = f"Højst {limit} tegn."
    if "replaces_system" in data or creating:
        value = data.get("replaces_system", False)
        if not isinstance(value, bool):
            errors["replaces_system"] = "Angiv ja eller nej: erstatter systemet et eksisterende?"
        else:
            clean["replaces_system"] = value
    if "restricted" in data:
        if not isinstance(data["restricted"], bool):
            errors["restricted"] = "Angiv ja eller nej: skal adgangen til sagen begrænses?"
        else:
            clean["restricted"] = data["restricted"]
    if "estimated_contract_value" in data:
        try:
            clean["estimated_contract_value"] = parse_amount(data["estimated_contract_value"])
        except AmountError as exc:
            errors["estimated_contract_value"] = exc.message
    unit = data.get("unit")  # None: the actor's own unit (creating), or unchanged
    if isinstance(unit, bool) or not isinstance(unit, int | None):
        errors["unit"] = "Vælg en enhed i din kommune."
    elif unit is not None:
        clean["unit"] = unit
    if errors:
        raise ValidationFailed(errors)
    return cast(CaseValues, clean)
