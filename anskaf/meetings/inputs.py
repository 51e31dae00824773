"""A meeting's fields where they enter (ADR 0040): the board's form (`views._schedule_data`:
date and time joined) and the API's `MeetingIn` hand what they parsed to `schedule_values`,
which holds it to the field rules (the title, the text rule, a place or a link, the length,
the series) and answers the checked values, or `ValidationFailed` naming every field that is
wrong. `services.meeting_schedule` takes `ScheduleValues` and keeps the rules that need the
database or the actor: the board's role, participants who are the municipality's.

The other texts enter the same way: the meeting's page (`views`) and the API's bodies hand
them to the functions below (`agenda_item_values`, `notes_values`, `question_values`,
`answer_value`, `direction_value`, `outcome_value`, `minutes_value`, `correction_values`,
`put_forward_values`), which hold them to the text rule and the length (`text_value`) and
answer them stripped, or `ValidationFailed` naming every field that is wrong. The services
take the checked values and keep the rules that need the database, the actor or the
meeting's state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from anskaf.cases.choices import Outcome
from anskaf.cases.errors import ValidationFailed
from anskaf.cases.services import clean_string_list
from anskaf.validation.text import TextRefused, clean_text

from .choices import Addressee

MAX_SERIES = 26
NOTES_LIMIT = 10000
MINUTES_LIMIT = 100000
MINUTES_EMPTY = "Referatet må ikke være tomt."


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
    try:
        return clean_text(value, field=field, name=name, limit=limit)
    except TextRefused as exc:
        raise ValidationFailed({exc.field: exc.message}) from None


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


def _texts(*fields: tuple[str, str | None, str, int, bool, bool]) -> list[str]:
    """Several text fields at once: (field, value, message when required and empty, limit,
    required, a name); every field that is wrong is named."""
    errors: dict[str, str] = {}
    clean: list[str] = []
    for field, value, message, limit, required, name in fields:
        try:
            clean.append(text_value(value, field, message, limit=limit, required=required,
                                    name=name))
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return clean


def agenda_item_values(title: str | None, notes: str | None) -> tuple[str, str]:
    """An other item's heading (a name: the text rule's stricter form) and its notes."""
    title, notes = _texts(("title", title, "Skriv en overskrift på punktet.", 200, True, True),
                          ("notes", notes, "", NOTES_LIMIT, False, False))
    return title, notes


def notes_values(notes: str | None, supplier_meeting_needed: object = None
                 ) -> tuple[str | None, bool | None]:
    """An item's notes and the supplier-meeting flag; None where not sent (unchanged)."""
    errors: dict[str, str] = {}
    if notes is not None:
        try:
            notes = text_value(notes, "notes", "", limit=NOTES_LIMIT, required=False)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if supplier_meeting_needed is not None and not isinstance(supplier_meeting_needed, bool):
        errors["supplier_meeting_needed"] = "Angiv ja eller nej."
    if errors:
        raise ValidationFailed(errors)
    return notes, cast("bool | None", supplier_meeting_needed)


def direction_value(direction: str | None) -> str:
    """Where an agenda item moves: "up" or "down"."""
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": "Retningen skal være »up« eller »down«."})
    return direction


def question_values(addressed_to: str | None, text: str | None) -> tuple[str, str]:
    """A question: to whom (the coordinator or the supplier) and its text."""
    errors: dict[str, str] = {}
    if addressed_to not in Addressee.values:
        errors["addressed_to"] = "Vælg, om spørgsmålet går til koordinatoren eller leverandøren."
    try:
        text = text_value(text, "text", "Skriv spørgsmålet.", limit=4000)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return cast(str, addressed_to), cast(str, text)


def answer_value(answer: str | None) -> str:
    return text_value(answer, "answer", "Skriv svaret.", limit=NOTES_LIMIT)


def outcome_value(outcome: str | None, missing: str | list[str] | None) -> str:
    """The meeting's own shape rules on top of the decision's: an outcome is chosen, and
    Måske names what is missing. The decision's fields are held to the decision's rules by
    `cases.services.decision_record`."""
    if outcome not in Outcome.values:
        raise ValidationFailed({"outcome": "Vælg udfaldet: Ja, Måske eller Nej."})
    if outcome == Outcome.MAYBE and not clean_string_list(missing, "missing_documentation"):
        raise ValidationFailed({"missing_documentation": "Skriv, hvilken dokumentation der "
                                                         "mangler (ét punkt pr. linje)."})
    return outcome


def minutes_value(text: str | None) -> str:
    """The draft minutes' text."""
    return text_value(text, "text", MINUTES_EMPTY, limit=MINUTES_LIMIT)


def correction_values(text: str | None, reason: str | None) -> tuple[str, str]:
    """A correction of approved minutes: the new text and why."""
    text, reason = _texts(
        ("text", text, MINUTES_EMPTY, MINUTES_LIMIT, True, False),
        ("reason", reason, "Skriv, hvad der rettes og hvorfor.", 2000, True, False))
    return text, reason


def put_forward_values(note: str | None, reason: str | None = None, *,
                       note_limit: int = 4000) -> tuple[str, str]:
    """"Kontakt IT-visitationen": the note to the board and (from the documentation step)
    the reason to go on despite what the board will miss; both may be empty."""
    note, reason = _texts(("note", note, "", note_limit, False, False),
                          ("reason", reason, "", 2000, False, False))
    return note, reason
