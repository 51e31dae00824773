"""The filled-in guide: a case as the document people know, as PDF (WeasyPrint) and Word.

One table row per step (description, performers, "Gennemført ja/nej", "Egne bemærkninger",
checklist), then the decisions with their rationale and the timeline from the audit trail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from anskaf.cases import selectors
from anskaf.cases.choices import StepStatus
from anskaf.orgs.models import User
from anskaf.validation.text import export_safe

STATUS_TEXT = {
    StepStatus.DONE: "Ja",
    StepStatus.NOT_RELEVANT: "Ikke relevant",
    StepStatus.IN_PROGRESS: "Nej (i gang)",
    StepStatus.NOT_STARTED: "Nej",
}
OUTCOME_TEXT = {"yes": "Ja", "maybe": "Måske", "no": "Nej"}


@dataclass(frozen=True)
class GuideRow:
    number: int
    title: str
    description: str
    performers: str
    done: str
    remarks: str
    checklist: list[tuple[str, bool]]


@dataclass(frozen=True)
class Guide:
    case: Any
    model_name: str
    generated_at: datetime
    rows: list[GuideRow]
    decisions: list[dict[str, str]]
    timeline: list[dict[str, str]]

    @property
    def filename_stem(self) -> str:
        return f"Vejledning {self.case.number}"


def build_guide(*, viewer: User, case_id: Any) -> Guide:
    """Everything the guide shows; 404 (NotFound) when the viewer may not see the case."""
    from anskaf.cases.presenters import timeline  # the case page's wording of audit events
    from anskaf.cases.process_models import texts_then

    detail = selectors.case_detail(viewer=viewer, case_id=case_id)
    states = {s.number: s for s in detail.states}
    then = texts_then(detail.states, detail.model)  # finished under an earlier version
    rows = []
    for model_step in detail.model.steps:
        step = then.get(model_step.number, model_step)
        state = states.get(model_step.number)
        status = state.status if state else StepStatus.NOT_STARTED
        checked = set(state.checked) if state else set()
        text = STATUS_TEXT.get(status, status)
        if status == StepStatus.NOT_RELEVANT and state and state.not_relevant_reason:
            text += f": {state.not_relevant_reason}"
        rows.append(GuideRow(
            number=model_step.number, title=step.title.da, description=step.description.da,
            performers=step.performers_text, done=export_safe(text),
            remarks=export_safe(state.remarks) if state else "",
            checklist=[(i.label.da, i.id in checked) for i in step.checklist]))
    decisions = [_safe({
        "step": str(d.step), "round": str(d.round), "outcome": OUTCOME_TEXT.get(d.outcome, d.outcome),
        "rationale": d.rationale, "recommendations": d.recommendations,
        "by": d.decided_by.display_name() if d.decided_by else "",
        "at": timezone.localtime(d.decided_at).strftime("%d-%m-%Y %H:%M"),
    }) for d in detail.decisions]
    events = selectors.case_events(viewer=viewer, case_id=detail.case.pk, limit=5000)
    entries = [_safe({"at": timezone.localtime(e.at).strftime("%d-%m-%Y %H:%M"),
                      "actor": e.actor, "role": e.role, "text": e.text, "detail": e.detail})
               for e in timeline(detail.model, events)]
    return Guide(detail.case, detail.model.name.da, timezone.localtime(), rows, decisions, entries)


def _safe(values: dict[str, Any]) -> dict[str, str]:
    """Text stored before the text rule (or written past it) must not break an export."""
    return {k: export_safe(str(v or "")) for k, v in values.items()}


def guide_html(guide: Guide) -> str:
    """The guide as HTML for WeasyPrint, with every character no document can carry
    replaced (anskaf.validation.text.export_safe)."""
    return export_safe(render_to_string("documents/guide_pdf.html", {"guide": guide}))


def guide_pdf(guide: Guide) -> bytes:
    """PDF/A-2b when this WeasyPrint can, plain PDF otherwise."""
    from weasyprint import HTML

    document = HTML(string=guide_html(guide))
    try:
        return document.write_pdf(pdf_variant="pdf/a-2b")
    except (TypeError, ValueError):
        return document.write_pdf()


def guide_docx(guide: Guide) -> bytes:
    from docx import Document as Docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    doc = Docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.styles["Normal"].font.size = Pt(9)
    case = guide.case
    doc.add_heading(export_safe(f"Sag {case.number}: {case.title}"), level=1)
    doc.add_paragraph(f"{guide.model_name}. Udskrevet {guide.generated_at:%d-%m-%Y %H:%M}.")
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Trin", "Beskrivelse", "Udfører/interessenter",
                                               "Gennemført ja/nej", "Egne bemærkninger",
                                               "Tjekliste"), strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in guide.rows:
        cells = table.add_row().cells
        cells[0].text = f"{row.number}. {row.title}"
        cells[1].text = row.description
        cells[2].text = row.performers
        cells[3].text = row.done
        cells[4].text = row.remarks
        cells[5].text = "\n".join(f"{'☒' if done else '☐'} {label}" for label, done in row.checklist)
    doc.add_heading("Beslutninger", level=2)
    if not guide.decisions:
        doc.add_paragraph("Ingen beslutninger endnu.")
    for d in guide.decisions:
        doc.add_paragraph(f"Trin {d['step']}, runde {d['round']}: {d['outcome']} "
                          f"({d['by']}, {d['at']})", style="List Bullet")
        doc.add_paragraph(f"Begrundelse: {d['rationale']}")
        if d["recommendations"]:
            doc.add_paragraph(f"Anbefalinger: {d['recommendations']}")
    doc.add_heading("Tidslinje", level=2)
    for e in guide.timeline:
        role = f" ({e['role']})" if e["role"] else ""
        detail = f": {e['detail']}" if e["detail"] else ""
        doc.add_paragraph(f"{e['at']} {e['actor']}{role} {e['text']}{detail}", style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
