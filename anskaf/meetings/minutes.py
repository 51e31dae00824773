"""Minutes made from the meeting: a structured snapshot (kept with each revision) and its text."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from anskaf.cases.choices import Outcome

from .choices import Addressee, QuestionStatus
from .models import Meeting

OUTCOME_LABELS = dict(Outcome.choices)
ADDRESSEE_LABELS = dict(Addressee.choices)


def _name(user: Any) -> str:
    return user.display_name() if user is not None else ""


def snapshot_of(meeting: Meeting) -> dict[str, Any]:
    """Everything the minutes say, as plain data: attendance, items, outcomes, follow-ups."""
    items = []
    for item in meeting.items.select_related("case", "decision").prefetch_related("questions"):
        decision = item.decision
        items.append({
            "order": item.order,
            "title": item.title,
            "case_number": item.case.number if item.case else None,
            "notes": item.notes,
            "supplier_meeting_needed": item.supplier_meeting_needed,
            "outcome": decision.outcome if decision else None,
            "outcome_label": str(OUTCOME_LABELS[decision.outcome]) if decision else None,
            "round": decision.round if decision else None,
            "rationale": decision.rationale if decision else "",
            "recommendations": decision.recommendations if decision else "",
            "it_contacts": list(decision.it_contacts) if decision else [],
            "missing_documentation": list(decision.missing_documentation) if decision else [],
            "questions": [{"to": str(ADDRESSEE_LABELS[q.addressed_to]), "text": q.text,
                           "answer": q.answer, "open": q.status == QuestionStatus.OPEN}
                          for q in item.questions.all()],
        })
    local = timezone.localtime(meeting.starts_at)
    return {
        "title": meeting.title,
        "date": f"{local:%d.%m.%Y}",
        "time": f"{local:%H:%M}-{timezone.localtime(meeting.ends_at):%H:%M}",
        "place": meeting.place,
        "online_link": meeting.online_link,
        "attendance": sorted(_name(p) for p in meeting.participants.all()),
        "items": items,
    }


def follow_ups(snapshot: dict[str, Any]) -> list[str]:
    """What is still to be done after the meeting: open questions, documents, supplier meetings."""
    lines = []
    for item in snapshot["items"]:
        label = item["case_number"] or item["title"]
        for q in item["questions"]:
            if q["open"]:
                lines.append(f"{label}: åbent spørgsmål til {q['to'].lower()}: {q['text']}")
        for doc in item["missing_documentation"]:
            lines.append(f"{label}: mangler dokumentation: {doc}")
        if item["supplier_meeting_needed"]:
            lines.append(f"{label}: møde med leverandøren planlægges")
    return lines


def render_text(snapshot: dict[str, Any]) -> str:
    """The minutes as plain text: what the board approves and what is journalised."""
    out = [f"Referat: {snapshot['title']}",
           f"Dato: {snapshot['date']} kl. {snapshot['time']}"]
    if snapshot["place"]:
        out.append(f"Sted: {snapshot['place']}")
    if snapshot["online_link"]:
        out.append(f"Online: {snapshot['online_link']}")
    out += ["", "Deltagere: " + (", ".join(snapshot["attendance"]) or "ingen registreret"), ""]
    for item in snapshot["items"]:
        out.append(f"{item['order']}. {item['title']}")
        if item["notes"]:
            out.append(f"   Noter: {item['notes']}")
        for q in item["questions"]:
            state = f"svar: {q['answer']}" if not q["open"] else "åbent"
            out.append(f"   Spørgsmål til {q['to'].lower()}: {q['text']} ({state})")
        if item["outcome"]:
            out.append(f"   Udfald: {item['outcome_label']} (runde {item['round']})")
            out.append(f"   Begrundelse: {item['rationale']}")
            if item["recommendations"]:
                out.append(f"   Anbefalinger: {item['recommendations']}")
            if item["it_contacts"]:
                out.append(f"   Kontaktpersoner i IT: {', '.join(item['it_contacts'])}")
            if item["missing_documentation"]:
                out.append("   Manglende dokumentation: "
                           + "; ".join(item["missing_documentation"]))
        elif item["case_number"]:
            out.append("   Udfald: ikke registreret")
        out.append("")
    follow = follow_ups(snapshot)
    out.append("Opfølgning:")
    out += [f" - {line}" for line in follow] or [" - ingen"]
    return "\n".join(out).strip() + "\n"


def case_extracts(detail: Any, viewer: Any) -> list[tuple[str, bytes]]:
    """For the whole case's journal package: each approved minutes' items about the case, as
    text (the latest approved revision of every meeting that dealt with it)."""
    from .models import MinutesRevision

    number = detail.case.number
    latest: dict[int, MinutesRevision] = {}
    for revision in (MinutesRevision.objects.filter(
            approved=True, meeting__organisation_id=detail.case.organisation_id,
            meeting__items__case=detail.case).distinct().order_by("meeting_id", "number")):
        latest[revision.meeting_id] = revision
    out = []
    for revision in latest.values():
        snapshot = dict(revision.snapshot)
        snapshot["items"] = [i for i in snapshot.get("items", []) if i.get("case_number") == number]
        if not snapshot["items"]:
            continue
        text = (f"Uddrag af referat (version {revision.number}, godkendt) for sag {number}\n\n"
                + render_text(snapshot))
        day = str(snapshot.get("date", "")).replace(".", "-")
        out.append((f"referatuddrag/{day}-møde-{revision.meeting_id}.txt", text.encode("utf-8")))
    return out
