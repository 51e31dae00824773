"""The case page's one-line steps, kept rendered and shared between cases (ADR 0046).

Most steps of a case are one line each (number, title, state, who, date; ADR 0013, 0020), and
rendering those lines was the largest part of the case page's template time. A line's HTML is
kept under everything it shows except what belongs to one case: its links and its panels (the
deadline) stand as placeholders, filled in for the case and the viewer on the way out. So a
step not started, with its roles, is rendered once for every case of the model, and a step
finished by one person on one day once for all the cases it was so on. The key is the
content itself: there is no version to miss and nothing to invalidate.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .fragments import Shown, kept_renders
from .models import StepStatus
from .panels import Place
from .presenters import StepView

# Stand for the case's parts in kept HTML. Marked safe and with angle brackets, so that no
# text a user typed (escaped on its way into the line) can ever read as one.
URL = mark_safe("<anskaf-step-url>")
META = mark_safe("<anskaf-step-meta>")
HEAD = mark_safe("<anskaf-step-head>")
TEMPLATE = "cases/includes/step_line.html"


def shows(step: StepView) -> Shown:
    """Everything the line shows of the step, and nothing of its case."""
    state = step.state
    done_by = state.completed_by if state.status == StepStatus.DONE else None
    not_relevant = state.status == StepStatus.NOT_RELEVANT
    return (
        ("n", step.number), ("title", step.definition.title.da), ("status", state.status),
        ("status_label", step.status_label), ("now", step.now),
        ("done_by", done_by.display_name() if done_by else None),
        ("done_on", timezone.localdate(state.completed_at)
         if done_by and state.completed_at else None),
        ("assignee", step.assignee.display_name() if step.assignee else None),
        ("roles", None if step.finished else ", ".join(step.role_labels)),
        ("not_relevant", not_relevant),
        ("reason", state.not_relevant_reason if not_relevant else ""),
        ("has_meta", bool(step.panels.get(Place.STEP_META))),
        ("has_head", bool(step.panels.get(Place.STEP_HEAD))),
    )


def prefetch(steps: list[StepView]) -> None:
    """Give every step the page shows as a line its kept HTML, all in one go (the panels must
    hang on the steps already: whether a line has any is part of what it shows)."""
    lines = [step for step in steps if not step.open]
    kept = kept_renders("step_line", TEMPLATE, [shows(step) for step in lines],
                        {"url": URL, "meta": META, "head": HEAD})
    for step, html in zip(lines, kept, strict=True):
        step.line = html


def line_html(step: StepView, case_pk: int, meta: str, head: str) -> SafeString:
    """The step's line for this case, with its panels' HTML (`meta`, `head`) rendered for the
    viewer."""
    if step.line is None:  # a page that did not prefetch its lines
        prefetch([step])
    assert step.line is not None
    url = reverse("cases:step_detail", args=(case_pk, step.number))
    # The template's own output, escaped there; the panels' HTML is their templates' output.
    return mark_safe(step.line.replace(URL, url).replace(META, meta).replace(HEAD, head))
