from typing import Any

from django import template

from anskaf.http.dates import display_date, iso_date

register = template.Library()

_BADGES = {
    "not_started": "badge status-badge status-badge--not-started",
    "in_progress": "badge badge-info status-badge status-badge--in-progress",
    "done": "badge badge-success status-badge status-badge--done",
    "not_relevant": "badge status-badge status-badge--skipped",
    "active": "badge badge-info status-badge status-badge--in-progress",
    "in_operation": "badge badge-success status-badge status-badge--done",
    "completed": "badge badge-success status-badge status-badge--done",
    "rejected": "badge badge-error status-badge status-badge--blocked",
    "withdrawn": "badge status-badge status-badge--skipped",
}


@register.filter
def badge_class(status: str) -> str:
    """DKFDS badge classes for a step or case status (text and symbol, never colour alone)."""
    return _BADGES.get(status, "badge status-badge")


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Any) -> str:
    """`{% render_panel panel %}`: an app's panel (`cases.panels`) with the data its view-side
    data function built; the page's context (case, step, csrf_token, ...) stays visible."""
    with context.push(**panel.context):
        return context.template.engine.get_template(panel.template).render(context)


@register.filter
def danish_date(value: Any) -> str:
    """A date field's value as it is shown and typed: "31.01.2027" (typed text unchanged)."""
    return display_date(value)


@register.filter
def iso_date_value(value: Any) -> str:
    """A date field's value as YYYY-MM-DD for DKFDS' date picker ("" when it is none)."""
    return iso_date(value)


@register.filter
def rows_for(value: Any, minimum: Any = 3) -> int:
    """A textarea's rows sized to its content: its lines (long lines count as several), at
    least `minimum`, at most 20."""
    text = "" if value is None else str(value)
    lines = sum(1 + len(line) // 90 for line in text.splitlines()) if text else 0
    try:
        low = int(minimum)
    except (TypeError, ValueError):
        low = 4
    return max(low, min(20, lines + 1))
