"""A meeting's fields where they enter (ADR 0040): the board's form (`views._schedule_data`:
date and time joined) and the API's `MeetingIn` hand what they parsed to `schedule_values`,
which holds it to the field rules (the title, the text rule, a place or a link, the length,
the series) and answers the checked values, or `ValidationFailed` naming every field that is
wrong. `services.meeting_schedule` takes `ScheduleValues` and keeps the rules that need the
database or the actor: the board's role, participants who are the municipality's.

`text_value` is the meetings' text rule for one field; the services still call it for the
texts of the agenda, the questions and the minutes (ADR 0040, "Not yet one style").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from anskaf.cases.errors import ValidationFailed
from anskaf.validation.text import text_problem

MAX_SERIES = 26


def text_value(value: str | None, field: str, message: str, *, limit: int | None = None,
               required: bool = True, name: bool = False) -> str:
    """One text field, stripped: `message` when required and empty, the text rule, the
    length; ValidationFailed naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed({field: "Skal være tekst."})
    value = value.strip()
    if required and not value:
        raise ValidationFailed({field: message})
    if (problem := text_problem(value, name=name)) is not None:
        raise ValidationFailed({field: problem})
    if limit is not None and len(value) > limit:
        raise ValidationFailed({field: f"Højst {limit} tegn."})
    return value


class ScheduleData(TypedDict, total=False):
    """A meeting (or a series) as the boundary parsed it: the board's form (date and time
    joined, numbers as typed) or the API's MeetingIn. `schedule_values` judges it."""

    title: str | None
    starts_at: datetime | str | None
    duration_minutes: int | str | None
    place: str | None
    online_link: str | None
    participants: list[str] | str | None
    repeat_weeks: int | str | None
    count: int | str | None


class ScheduleValues(TypedDict):
    """A meeting (or a series) checked: what `services.meeting_schedule` takes."""

    title: str
    starts_at: datetime
    duration: timedelta
    place: str
    online_link: str
    participants: list[str]
    repeat_weeks: int
    count: int


def _when(value: datetime | str | None, field: str, message: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed({field: message}) from None
    if not isinstance(value, datetime):
        raise ValidationFailed({field: message})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _whole(value: int | str | None) -> int | None:
    """A whole number, as a number or as the digits a form sends; None when it is not one."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _usernames(value: list[str] | str | None) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValidationFailed({"participants": "Angiv deltagerne med brugernavn."})
    return [str(v) for v in value]


def schedule_values(data: ScheduleData) -> ScheduleValues:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for field, given, message, limit in (
            ("title", data.get("title"), "Skriv en titel på mødet.", 200),
            ("place", data.get("place"), "", 200)):
        try:
            clean[field] = text_value(given, field, message, limit=limit,
                                      required=field == "title", name=True)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    try:
        clean["starts_at"] = _when(data.get("starts_at"), "starts_at",
                                   "Angiv dato og klokkeslæt for mødets start.")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    duration = _whole(data.get("duration_minutes", 60))
    if duration is None or not 15 <= duration <= 600:
        errors["duration_minutes"] = "Mødets varighed skal være mellem 15 og 600 minutter."
    else:
        clean["duration"] = timedelta(minutes=duration)
    link = data.get("online_link") or ""
    clean["online_link"] = ""
    if not isinstance(link, str):
        errors["online_link"] = "Skal være tekst."
    elif link.strip():
        try:
            URLValidator(schemes=["https", "http"])(link.strip())
            clean["online_link"] = link.strip()
        except DjangoValidationError:
            errors["online_link"] = "Angiv linket til onlinemødet som en fuld adresse (https://...)."
    if not clean.get("place") and not clean["online_link"] and "online_link" not in errors:
        errors["place"] = "Angiv et sted eller et link til onlinemødet."
    for field, raw in (("repeat_weeks", data.get("repeat_weeks") or 0),
                       ("count", data.get("count") or 1)):
        number = _whole(raw)
        if number is None or number < 0:
            errors[field] = "Skal være et helt tal."
        clean[field] = number
    if "count" not in errors and not 1 <= clean["count"] <= MAX_SERIES:
        errors["count"] = f"Antal møder skal være mellem 1 og {MAX_SERIES}."
    if "repeat_weeks" not in errors and clean["repeat_weeks"] > 52:
        errors["repeat_weeks"] = "Gentag højst med 52 ugers mellemrum."
    if not errors and clean["count"] > 1 and not clean["repeat_weeks"]:
        errors["repeat_weeks"] = "Angiv, hvor mange uger der skal gå mellem møderne."
    try:
        clean["participants"] = _usernames(data.get("participants"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return cast(ScheduleValues, clean)
