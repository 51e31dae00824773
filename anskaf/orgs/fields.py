"""The field rules of a unit and a person, written once (ADR 0040): the administration's forms
(`forms.UnitForm`, `forms.PersonForm`), the import (each row of a file) and the installation's
forms run them where the input enters. Each rule takes the text as sent and answers the
cleaned value, or raises Django's `ValidationError` with the Danish message.

What needs the database stays in `services.py`: a username already in use
(`services.username_refusal`), a unit of the municipality, a sibling unit of the same name.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from anskaf.validation.text import stripped, text_problem

from .choices import UnitKind

UNIT_NAME_MAX = 200
USERNAME_MAX = 150
NAME_PART_MAX = 150
EMAIL_MAX = 254

Rule = Callable[[str | None], str]


def split_name(full_name: str) -> tuple[str, str]:
    first, _, last = " ".join(full_name.split()).partition(" ")
    return first, last


def unit_name(value: str | None) -> str:
    name = stripped(value)
    if not name:
        raise ValidationError("Skriv enhedens navn.")
    if (problem := text_problem(name, name=True)) is not None:
        raise ValidationError(problem)
    if len(name) > UNIT_NAME_MAX:
        raise ValidationError(f"Navnet må højst være {UNIT_NAME_MAX} tegn.")
    return name


def unit_kind(value: str | None) -> str:
    kind = stripped(value)
    if kind not in UnitKind.values:
        raise ValidationError("Vælg, om enheden er en forvaltning eller en afdeling.")
    return kind


def username(value: str | None) -> str:
    """The shape of a username (whether it is free is `services.username_refusal`)."""
    name = stripped(value)
    if not name:
        raise ValidationError("Skriv et brugernavn.")
    if len(name) > USERNAME_MAX:
        raise ValidationError(f"Brugernavnet må højst være {USERNAME_MAX} tegn.")
    try:
        UnicodeUsernameValidator()(name)
    except ValidationError:
        raise ValidationError("Brugernavnet må kun indeholde bogstaver, tal og tegnene "
                              "@ . + - _ (ingen mellemrum).") from None
    return name


def full_name(value: str | None) -> str:
    name = " ".join(stripped(value).split())
    if not name:
        raise ValidationError("Skriv personens fulde navn.")
    if (problem := text_problem(name, name=True)) is not None:
        raise ValidationError(problem)
    first, last = split_name(name)
    if len(first) > NAME_PART_MAX or len(last) > NAME_PART_MAX:
        raise ValidationError(f"Fornavn og efternavn må hver højst være {NAME_PART_MAX} tegn.")
    return name


def email(value: str | None) -> str:
    """An e-mail address, or "" (a person may have none)."""
    address = stripped(value)
    if not address:
        return address
    if len(address) > EMAIL_MAX:
        raise ValidationError(f"E-mailadressen må højst være {EMAIL_MAX} tegn.")
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError("Skriv en gyldig e-mailadresse, fx navn@kommune.dk.") from None
    return address


def problem_of(rule: Rule, value: str | None) -> tuple[str, str | None]:
    """For a caller that collects every error of a row (the import, the installation's form
    of a new municipality): the cleaned value and None, or the text as sent (stripped) and
    the rule's message."""
    try:
        return rule(value), None
    except ValidationError as exc:
        return stripped(value), " ".join(exc.messages)
