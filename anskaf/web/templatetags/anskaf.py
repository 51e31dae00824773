from collections.abc import Callable
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from anskaf.cases import step_lines
from anskaf.cases.fragments import cached_fragment, fragment_key
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


@register.simple_tag(takes_context=True)
def step_line(context: template.Context, step: Any) -> SafeString:
    """`{% step_line step %}`: a step as one line, kept rendered for every case (ADR 0046);
    its panels are rendered here, for this case and viewer, and put in their places."""
    panels = step.panels

    def rendered(place: str) -> str:
        return "".join(render_panel(context, panel) for panel in panels.get(place, ()))

    return step_lines.line_html(step, context["case"].pk, rendered("step_meta"),
                                rendered("step_head"))


# What the header shows besides the person (the context processors' values): the key holds how
# the template uses each, as text and as a condition.
_HEADER_SHOWS = ("organisation_name", "nav", "my_task_count", "unread_notifications",
                 "sees_board", "is_org_admin")


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> SafeString:
    """`{% page_header %}`: the header with both menus (base.html), kept rendered under
    everything it shows (ADR 0044): on an empty page its template was most of the CPU. Its
    logout forms carry the CSRF placeholder, replaced by the requesting user's token on the
    way out (cases/fragments.py), so no token is kept."""
    user = context.get("user")
    shown = {name: context.get(name) for name in _HEADER_SHOWS}
    signed_in = bool(user is not None and user.is_authenticated)
    person = (user.get_full_name(), user.username, bool(user.is_operator)) if signed_in else None
    used = tuple((name, str(value), bool(value)) for name, value in shown.items())

    def render(token: str) -> str:
        return render_to_string("web/includes/header.html",
                                {**shown, "user": user, "csrf_token": token})

    return _kept_render(context, "header", (person, used), render)


def _kept_render(context: template.Context, name: str, shown: Any,
                 render: Callable[[str], str]) -> SafeString:
    """A tag's HTML kept under `shown` (everything it shows), with the requesting user's CSRF
    token where `render` put the placeholder (cases/fragments.py)."""
    request = context.get("request")
    if request is None:  # a page rendered without its request: nothing to key the token on
        return mark_safe(render(str(context.get("csrf_token", ""))))
    html, _ = cached_fragment(request, fragment_key(name, shown, ()), render)
    return mark_safe(html)  # the template's own output, escaped there


def _task_row_shows(row: dict[str, Any]) -> tuple[Any, ...]:
    """Everything task_table.html shows of one row."""
    task = row["task"]
    handed = task.handed_over_by.display_name() if task.handed_over_by else None
    return (task.case.pk, task.case.number, task.case.title, task.step.number,
            task.step.title.da, task.why, task.waits_for, handed, row["days"], task.deadline)


_PAGE_SHOWS = ("total", "number", "pages", "first", "last", "previous_url", "next_url")


@register.simple_tag(takes_context=True)
def task_table(context: template.Context, page: dict[str, Any], caption: str, principle: bool,
               empty: str) -> SafeString:
    """`{% task_table page caption principle empty %}`: one page of a Mine opgaver table, kept
    rendered under everything it shows (each row's values, the paging, the texts), so the key
    is its content and can never name stale HTML (ADR 0045). Rendering the rows was most of
    the page's CPU once the list itself was kept."""
    rows = page["rows"]
    shown = (tuple(_task_row_shows(r) for r in rows), tuple(page[k] for k in _PAGE_SHOWS),
             caption, principle, empty)

    def render(token: str) -> str:  # no form: the token is not used
        return render_to_string("cases/includes/task_table.html",
                                {"page": page, "rows": rows, "caption": caption,
                                 "principle": principle, "empty": empty})

    return _kept_render(context, "task_table", shown, render)


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
