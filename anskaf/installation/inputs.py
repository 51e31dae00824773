"""A new municipality's fields where they enter (ADR 0040): the operator's page
(`forms.OrgCreateForm.clean`), the API's `MunicipalityIn` and the command `anskaf org create`
hand what they parsed to `org_values`, which holds it to the field rules (the name, the
slug's shape, the CVR number's modulus 11, the forvaltninger, the administrator's name and
e-mail, which becomes the username) and answers `OrgValues`, or `ValidationFailed` naming
every field that is wrong. `services.org_create` takes `OrgValues` and keeps the rules that
need the database: a slug, a CVR number or an e-mail already in use.
"""

from __future__ import annotations

import re
from typing import TypedDict

from anskaf.orgs import fields
from anskaf.orgs.fields import problem_of
from anskaf.validation.text import stripped, text_problem

from .errors import ValidationFailed

NAME_MAX = 200
SLUG_MAX = 50
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def cvr_problem(value: str) -> str | None:
    """None for a valid CVR number (8 digits, modulus 11 with weights 2 7 6 5 4 3 2 1)."""
    if not re.fullmatch(r"[0-9]{8}", value):
        return "Skriv CVR-nummeret som 8 cifre, fx 29189587."
    if value[0] == "0":
        return "Et CVR-nummer begynder ikke med 0."
    if sum(int(d) * w for d, w in zip(value, CVR_WEIGHTS, strict=True)) % 11:
        return f"»{value}« er ikke et gyldigt CVR-nummer (kontrolcifferet passer ikke)."
    return None


class OrgData(TypedDict, total=False):
    """A new municipality as the boundary parsed it (the operator's form, the API's body, the
    command's arguments); `org_values` judges it."""

    name: str | None
    slug: str | None
    cvr: str | None
    units: str | list[str] | None
    admin_name: str | None
    admin_email: str | None


class OrgValues(TypedDict):
    """A new municipality checked: what `services.org_create` takes."""

    name: str
    slug: str
    cvr: str
    units: list[str]
    admin_name: str
    admin_email: str


def _units(value: str | list[str] | None) -> tuple[list[str], str | None]:
    """The forvaltninger (a list, or one text with a name per line), empty ones dropped."""
    raws = value.splitlines() if isinstance(value, str) else (value or [])
    units: list[str] = []
    for raw in raws:
        unit, problem = problem_of(fields.unit_name, raw)
        if not unit:
            continue
        if problem:
            return units, f"»{unit[:60]}«: {problem}"
        if unit.casefold() in {u.casefold() for u in units}:
            return units, f"Forvaltningen »{unit}« står der to gange."
        units.append(unit)
    return units, None


def _admin_email(value: str | None) -> tuple[str, str | None]:
    admin_email, problem = problem_of(fields.email, value)
    if not admin_email:
        return "", "Skriv administratorens e-mailadresse: invitationen sendes dertil."
    if problem is None:
        _username, problem = problem_of(fields.username, admin_email.lower())
        if problem:
            problem = f"E-mailadressen bliver administratorens brugernavn. {problem}"
    return admin_email, problem


def org_values(data: OrgData) -> OrgValues:
    errors: dict[str, str] = {}
    name = " ".join(stripped(data.get("name")).split())
    if not name:
        errors["name"] = "Skriv kommunens navn, fx Haderslev Kommune."
    elif (problem := text_problem(name, name=True)) is not None:
        errors["name"] = problem
    elif len(name) > NAME_MAX:
        errors["name"] = f"Navnet må højst være {NAME_MAX} tegn."
    slug = stripped(data.get("slug")).lower()
    if not slug:
        errors["slug"] = "Skriv kommunens kortnavn til adresser, fx haderslev."
    elif len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        errors["slug"] = (f"Kortnavnet må kun have små bogstaver a-z, tal og bindestreg "
                          f"(højst {SLUG_MAX} tegn), fx aabenraa.")
    cvr = re.sub(r"\s", "", stripped(data.get("cvr")))
    if (problem := cvr_problem(cvr)) is not None:
        errors["cvr"] = problem
    units, problem = _units(data.get("units"))
    if problem:
        errors["units"] = problem
    admin_name, problem = problem_of(fields.full_name, data.get("admin_name"))
    if problem:
        errors["admin_name"] = problem
    admin_email, problem = _admin_email(data.get("admin_email"))
    if problem:
        errors["admin_email"] = problem
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "slug": slug, "cvr": cvr, "units": units, "admin_name": admin_name,
            "admin_email": admin_email}
