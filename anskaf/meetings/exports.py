"""Agenda and minutes as PDF (WeasyPrint, PDF/A-2b for journalising) and the meeting as .ics."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from anskaf.validation.text import export_safe

from .models import Meeting, MinutesRevision

PDF_VARIANT = "pdf/a-2b"


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    # Imported here: WeasyPrint loads Pango at import time, which only exports need.
    from weasyprint import HTML

    # Text stored before the text rule (or written past it) must not break the PDF.
    html = export_safe(render_to_string(template, context))
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def agenda_pdf(meeting: Meeting, items: list[Any]) -> bytes:
    return _pdf("meetings/pdf/agenda.html", {"meeting": meeting, "items": items})


def minutes_pdf(meeting: Meeting, revision: MinutesRevision) -> bytes:
    return _pdf("meetings/pdf/minutes.html", {"meeting": meeting, "revision": revision})


def meeting_ics(meeting: Meeting, items: list[Any], *, domain: str = "anskaf.local") -> bytes:
    """An iCalendar invitation (RFC 5545) with the agenda in the description."""
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//anskaf//IT-visitationen//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{domain}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", export_safe(meeting.title))
    event.add("sequence", meeting.version)
    if meeting.place:
        event.add("location", export_safe(meeting.place))
    if meeting.online_link:
        event.add("url", export_safe(meeting.online_link))
    lines = ["Dagsorden:"]
    for item in items:
        lines.append(f"{item.order}. {item.title}")
        if item.decision is not None:
            lines.append(f"   Udfald: {item.decision.get_outcome_display()} - "
                         f"{item.decision.rationale}")
    event.add("description", export_safe("\n".join(lines)))
    for person in meeting.participants.all():
        if person.email:
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(export_safe(person.display_name()))
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
