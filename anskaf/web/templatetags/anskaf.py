from typing import Any

from django import template

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
