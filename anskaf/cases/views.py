"""The cases' pages: the list, create/edit/withdraw, the case page with its steps and the step
actions, and "Mine opgaver". Thin views: parse input, call one service or selector, render (htmx
gets the partial). The apps' parts of the case page come from their panels (`panels.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from anskaf.errors import DomainError
from anskaf.http import params
from anskaf.http.refusals import html_refusal
from anskaf.orgs.request_types import AuthenticatedRequest
from anskaf.orgs.selectors import unit_list

from . import permissions, presenters, saved_filters, selectors, services, step_lines
from .choices import CaseStatus
from .errors import Conflict, MoveRefused, NotFound, ValidationFailed
from .extensions import step_deadlines
from .forms import CaseFilterForm, CaseForm, HandoverForm, ReasonForm, apply_service_errors
from .fragments import cached_fragment, fragment_key, kept_renders
from .panels import (
    ALL_PLACES,
    CASE_PLACES,
    STEP_PLACES,
    Panel,
    PanelContext,
    PartStep,
    Place,
    bound_numbers,
    build_panels,
    lazy_panel,
)
from .process_models import current_model, model_for, texts_then

PAGE_SIZE = 25
TASK_PAGE_SIZE = 50


@login_required
def my_tasks(request: AuthenticatedRequest) -> HttpResponse:
    """What the viewer can act on now, grouped by case; the steps open only in principle in a
    folded list below (ADR 0020). Each table is paged; only the rows shown are rendered and
    their deadlines read (one query for the three pages together)."""
    tasks = selectors.task_order(viewer=request.user)
    actionable = _grouped([t for t in tasks if t.actionable])
    pages = {"decisions": _task_page(request, "beslutninger",
                                     [t for t in actionable if t.kind == "decision"]),
             "steps": _task_page(request, "trin", [t for t in actionable if t.kind == "step"]),
             "in_principle": _task_page(request, "i-princippet",
                                        _grouped([t for t in tasks if not t.actionable]))}
    shown = selectors.with_deadlines([t for page in pages.values() for t in page["rows"]])
    now, at = timezone.now(), 0
    for page in pages.values():
        count = len(page["rows"])
        page["rows"] = [{"task": t, "days": (now - t.since).days if t.since else None}
                        for t in shown[at:at + count]]
        at += count
    return render(request, "cases/my_tasks.html", {"nav": "tasks", **pages})


def _grouped(tasks: list[selectors.Task]) -> list[selectors.Task]:
    """Tasks of the same case together, the case waiting longest first (stable otherwise)."""
    first: dict[int, int] = {}
    for index, task in enumerate(tasks):
        first.setdefault(task.case.pk, index)
    return sorted(tasks, key=lambda t: first[t.case.pk])


def _task_page(request: AuthenticatedRequest, param: str, rows: list[Any]) -> dict[str, Any]:
    """One page of a task table; the page number is `?<param>=N`, a bad one shows page 1."""
    pages = max(1, -(-len(rows) // TASK_PAGE_SIZE))
    page = min(max(1, params.form_int(request.GET.get(param)) or 1), pages)
    start = (page - 1) * TASK_PAGE_SIZE

    def link(n: int) -> str | None:
        if not 1 <= n <= pages or n == page:
            return None
        query = request.GET.copy()
        query[param] = str(n)
        return f"?{query.urlencode()}#{param}"

    return {"rows": rows[start:start + TASK_PAGE_SIZE], "total": len(rows), "number": page,
            "pages": pages, "first": start + 1, "last": min(start + TASK_PAGE_SIZE, len(rows)),
            "previous_url": link(page - 1), "next_url": link(page + 1)}


# --- case list --------------------------------------------------------------------------------


@login_required
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    return _case_list_page(request)


def _case_list_page(request: AuthenticatedRequest, save_errors: dict[str, str] | None = None,
                    posted_name: str = "") -> HttpResponse:
    """The case list with the viewer's saved filters (and, after a refused save, its errors and
    the name typed, on a 400)."""
    model = current_model(request.user.municipality_id)
    units = unit_list(organisation_id=request.user.municipality_id)
    form = CaseFilterForm(request.GET or None, phases=model.phases, units=units)
    error = None
    cases: list[Any] = []
    sort = selectors.DEFAULT_SORT
    offset = params.form_int(request.GET.get("fra")) or 0
    try:
        filters = selectors.parse_filters(request.GET, model.phase_numbers)
        sort = filters.sort
        # A page link's cursor; a bad or outdated one shows the first page.
        after = params.parse_case_cursor(request.GET.get("efter", ""))
        cases = selectors.case_list(viewer=request.user, filters=filters, after=after,
                                    limit=PAGE_SIZE + 1, offset=offset)
    except ValidationFailed as exc:
        error = exc.message
    next_url = None
    if len(cases) > PAGE_SIZE:
        cases = cases[:PAGE_SIZE]
        query = request.GET.copy()
        if sort == selectors.DEFAULT_SORT:
            query["efter"] = params.encode_case_cursor(cases[-1].updated_at, cases[-1].pk)
        else:
            query["fra"] = str(max(0, offset) + PAGE_SIZE)
        next_url = f"?{query.urlencode()}"
    now = timezone.now()
    deadlines = _case_deadlines(cases)
    # Each row is kept rendered under all it shows (ADR 0046): lists overlap, so most rows of
    # a page were rendered for an earlier one.
    rows = kept_renders("case_row", "cases/includes/case_row.html", [(
        ("pk", c.pk), ("number", c.number), ("title", c.title),
        ("without_coordinator", not (c.coordinator and c.coordinator.is_active)),
        ("unit", c.requesting_unit.name if c.requesting_unit else ""),
        ("status", c.status),
        ("status_label", presenters.CASE_STATUS_LABELS.get(c.status, c.status)),
        ("phase_name", model.phase(c.phase).name.da if c.phase else "–"),
        ("in_progress", ", ".join(map(str, c.steps_in_progress)) or "–"),
        ("waiting", ", ".join(model.role_label(r) for r in c.waiting_roles) or "–"),
        ("days_in_step", (now - (c.last_moved_at or c.created_at)).days),
        ("days", (now - c.updated_at).days),
        ("deadline", deadlines.get(c.pk)),
    ) for c in cases])
    current = request.GET.copy()
    for paging in ("efter", "fra"):
        current.pop(paging, None)
    return render(request, "cases/case_list.html", {
        "nav": "cases", "form": form, "rows": rows, "error": error, "next_url": next_url,
        "columns": _sort_columns(request, sort),
        "filtered": any(request.GET.get(k) for k in ("q", "status", "phase", "unit",
                                                      "without_coordinator", "mine")),
        "saved_filters": saved_filters.saved_filters(viewer=request.user),
        "current_query": current.urlencode(), "save_errors": save_errors or {},
        "posted_name": posted_name,
    }, status=400 if error or save_errors else 200)


def _case_deadlines(cases: list[Any]) -> dict[int, Any]:
    """Per case: the earliest deadline of the steps it waits for or has in progress (one query
    through the deadline finders)."""
    pairs = [(c.pk, n) for c in cases
             for n in sorted(set(c.waiting_steps or []) | set(c.steps_in_progress or []))]
    found: dict[int, Any] = {}
    for (case_pk, _n), due in step_deadlines(cases, pairs).items():
        if case_pk not in found or due < found[case_pk]:
            found[case_pk] = due
    return found


@login_required
@require_POST
def saved_filter_save(request: AuthenticatedRequest) -> HttpResponse:
    """"Gem filteret": the case list's current filter and sort (hidden fields) under a name."""
    name = request.POST.get("name", "")
    query = request.POST.get("query", "")
    try:
        record = saved_filters.saved_filter_save(actor=request.user, name=name, query=query)
    except ValidationFailed as exc:
        request.GET = QueryDict(query if isinstance(query, str) else "")
        return _case_list_page(request, save_errors=exc.errors, posted_name=name)
    messages.success(request, f"Filteret »{record.name}« er gemt.")
    return redirect(reverse("cases:case_list") + (f"?{record.query}" if record.query else ""))


@login_required
@require_POST
def saved_filter_delete(request: AuthenticatedRequest, filter_pk: int) -> HttpResponse:
    try:
        saved_filters.saved_filter_delete(actor=request.user, filter_id=filter_pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    messages.success(request, "Filteret er slettet.")
    return redirect("cases:case_list")


# The sortable columns: (sort key, heading, whether the column shows days since the field, so
# that the most recent date is the fewest days).
SORT_COLUMNS = (("number", "Nummer", False), ("title", "Titel", False),
                ("moved", "Dage i trinnet", True), ("updated", "Dage siden ændring", True))


def _sort_columns(request: AuthenticatedRequest, sort: str) -> dict[str, dict[str, str]]:
    """Per column: its heading, the link that sorts by it (again: the other way) and its
    aria-sort ("ascending", "descending" or "none")."""
    columns = {}
    for key, label, days in SORT_COLUMNS:
        active = sort.lstrip("-") == key
        field_descending = sort.startswith("-")
        query = request.GET.copy()
        for stale in ("efter", "fra"):
            query.pop(stale, None)
        # A first click shows the smallest values first (for days: the most recent date).
        query["sort"] = ((key if field_descending else f"-{key}") if active
                         else (f"-{key}" if days else key))
        shown_ascending = field_descending == days
        columns[key] = {"label": label, "url": f"?{query.urlencode()}",
                        "aria": ("ascending" if shown_ascending else "descending")
                        if active else "none"}
    return columns


# --- create / edit / withdraw -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    org_id = request.user.municipality_id
    model = current_model(org_id)
    form = CaseForm(request.POST or None, organisation_id=org_id, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(actor=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            first = model.first_step.number
            messages.success(request, f"Sagen {case.number} er oprettet. Trin {first} venter på jer.")
            return redirect("cases:case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/case_form.html", {
        "nav": "new", "form": form, "case": None, "first_step": model.first_step,
        "may_import": permissions.coordinates_or_administers(request.user)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    detail = _detail_or_404(request, pk)
    case = detail.case
    if refusal := permissions.edit_refusal(request.user, case):
        return render(request, "403.html", {"reason": refusal}, status=403)
    initial = {**services.case_fields(case), "unit": case.requesting_unit_id,
               "replaces_system": "true" if case.replaces_system else "false",
               "restricted": "true" if case.restricted else "false"}
    form = CaseForm(request.POST or None, initial=initial, organisation_id=case.organisation_id,
                    model=detail.model)
    error, newer = None, None
    if request.method == "POST" and form.is_valid():
        data = form.service_data()  # without a chosen unit, the case keeps its own
        try:
            services.case_update(actor=request.user, case_id=case.pk, data=data,
                                 version=params.form_int(request.POST.get("version")))
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except MoveRefused as exc:
            error = exc.message
            if isinstance(exc, Conflict):  # the newer state beside what was typed
                newer = [(form[name].label, value) for name, value in initial.items()
                         if name in form.fields and _shown(value) != request.POST.get(name, "")]
        else:
            messages.success(request, "Sagens oplysninger er gemt.")
            return redirect("cases:case_detail", pk=case.pk)
    status = 400 if request.method == "POST" and not error else (409 if error else 200)
    return render(request, "cases/case_form.html",
                  {"nav": "cases", "form": form, "case": case, "error": error, "newer": newer},
                  status=status)


def _shown(value: Any) -> str:
    """A stored field as a form would post it (to compare with what was typed)."""
    return "" if value is None else str(value)


@login_required
@require_http_methods(["GET", "POST"])
def case_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    detail = _detail_or_404(request, pk)
    if refusal := permissions.edit_refusal(request.user, detail.case):
        return render(request, "403.html", {"reason": refusal}, status=403)
    form = ReasonForm(request.POST or None, initial={"version": detail.case.version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_withdraw(actor=request.user, case_id=pk,
                                   reason=form.cleaned_data["reason"],
                                   version=form.cleaned_data.get("version"))
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except MoveRefused as exc:
            error = exc.message
        else:
            messages.success(request, f"Sagen {detail.case.number} er trukket tilbage.")
            return redirect("cases:case_detail", pk=pk)
    status = 200 if request.method == "GET" else (409 if error else 400)
    return render(request, "cases/case_withdraw.html",
                  {"nav": "cases", "form": form, "case": detail.case, "error": error},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_handover(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Hand the case over to another coordinator (a page of its own: works without JS)."""
    detail = _detail_or_404(request, pk)
    if refusal := permissions.edit_refusal(request.user, detail.case):
        return render(request, "403.html", {"reason": refusal}, status=403)
    people = selectors.coordinator_candidates(viewer=request.user, case=detail.case)
    form = HandoverForm(request.POST or None, people=people,
                        initial={"version": detail.case.version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_handover(actor=request.user, case_id=pk,
                                          coordinator=form.cleaned_data["coordinator"],
                                          reason=form.cleaned_data["reason"],
                                          version=form.cleaned_data.get("version"))
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except MoveRefused as exc:
            error = exc.message
        else:
            assert case.coordinator is not None  # a handover always leaves one
            messages.success(request, f"Sagen {case.number} er overdraget til "
                                      f"{case.coordinator.display_name()}.")
            return redirect("cases:case_detail", pk=pk)
    status = 200 if request.method == "GET" else (409 if error else 400)
    return render(request, "cases/case_handover.html",
                  {"nav": "cases", "form": form, "case": detail.case, "error": error},
                  status=status)


# --- case page and step actions ------------------------------------------------------------------


def _detail_or_404(request: AuthenticatedRequest, pk: int) -> selectors.CaseDetail:
    try:
        return selectors.case_detail(viewer=request.user, case_id=pk)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None


def _step_views(request: AuthenticatedRequest, detail: selectors.CaseDetail, acted: int | None,
                now: tuple[int, ...] | None = None,
                people: dict[int, list[tuple[str, str]]] | None = None,
                ) -> list[presenters.StepView]:
    """The steps as the case page and the step page show them; `open` marks those whose body
    is rendered with the page: the steps the case waits on now (`now`, from process.attention)
    that the viewer may act on, and the one just acted on. Every other step is one line that
    fetches its body on demand (`step_detail`; ADR 0013, 0020)."""
    steps = presenters.step_views(detail, request.user)
    if people is None:
        people = presenters.assignable_people(detail, request.user)
    waiting_now = set(now or ())
    then = texts_then(detail.states, detail.model)  # no query unless the case was migrated
    for step in steps:
        step.then = then.get(step.number)
        step.assignable = people[step.number]
        step.now = step.number in waiting_now
        step.open = step.number == acted or (step.now and _may_act(step))
    return steps


def _coordinates(person: Any, case: Any) -> bool:
    """The case's coordinator, their deputy or the coordinating function of its unit: who
    hands the case over (puts it forward to the board)."""
    return permissions.coordinates(person, case)


def _may_act(step: presenters.StepView) -> bool:
    if step.access_refusal is not None:
        return False
    if step.is_gate:
        return step.decide_access_refusal is None
    return step.complete_access_refusal is None


def _with_panels(request: AuthenticatedRequest, detail: selectors.CaseDetail,
                 steps: list[presenters.StepView], places: tuple[str, ...] = ALL_PLACES,
                 placeholders: bool = True) -> list[Any]:
    """Ask the apps' panels (cases.panels) for their parts of the page, each once for all its
    steps; hang the step panels on their steps and return the case-level ones. The case's
    visibility was checked by case_detail. A lazy panel is a placeholder that loads it
    (`placeholders`; the one-step page and fragment render it at once)."""
    page = build_panels(PanelContext(viewer=request.user, case=detail.case, model=detail.model,
                                     steps=steps, params=request.GET,
                                     inline_parts=not placeholders), places,
                        placeholders=placeholders)
    for step in steps:
        step.panels = {place: page.at(place, step.number) for place in STEP_PLACES}
    return page.at(Place.CASE)


def case_page_context(request: AuthenticatedRequest, pk: int, *, acted: int | None = None,
                  feedback: dict[str, Any] | None = None) -> dict[str, Any]:
    detail = _detail_or_404(request, pk)
    found = selectors.case_attention(detail)
    holders = presenters.role_holders(detail, request.user)
    people = presenters.assignable_people(detail, request.user, holders)
    steps = _step_views(request, detail, acted, tuple(w.number for w in found.now), people)
    # The timeline is a part of its own (ADR 0042); a withdrawn case's status panel names who
    # withdrew it from the trail.
    events = (selectors.detail_events(detail, limit=1000)
              if detail.case.status == CaseStatus.WITHDRAWN else [])
    edit_refusal = permissions.edit_refusal(request.user, detail.case)
    case_panels = _with_panels(request, detail, steps)
    step_lines.prefetch(steps)
    return {
        "case_panels": case_panels,
        "nav": "cases",
        "case": detail.case,
        "model": detail.model,
        "steps": steps,
        "status": presenters.status_panel(
            detail, found, steps, holders, selectors.waiting_deadlines(detail.case, found),
            events, may_hand_over=_coordinates(request.user, detail.case), now=timezone.now()),
        "phases": presenters.phase_views(detail.model, detail.case, steps),
        "status_label": presenters.CASE_STATUS_LABELS.get(detail.case.status),
        "phase_name": detail.model.phase(detail.case.phase).name.da if detail.case.phase else "",
        "acted": acted,
        "feedback": feedback or {},
        "edit_refusal": edit_refusal,
    }


@login_required
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # `?aaben=N`: the step just acted on is open after a redirect (an upload), also without JS.
    acted = params.form_int(request.GET.get(OPEN_PARAM))
    return render(request, "cases/case_detail.html", case_page_context(request, pk, acted=acted))


OPEN_PARAM = "aaben"


def case_step_url(pk: int, number: int) -> str:
    """The case page with the step open and in view: where an action on a step comes back to."""
    return reverse("cases:case_detail", args=[pk]) + f"?{OPEN_PARAM}={number}#trin-{number}"


@login_required
@require_http_methods(["GET", "HEAD"])
def step_detail(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    """One step of a case, fully rendered and open: a page of its own (the no-JS way to a closed
    step's forms) or, with `?del=indhold`, only the step's body, which the case page fetches with
    htmx when a closed step is opened."""
    detail = _detail_or_404(request, pk)
    if not detail.model.has_step(number):
        raise Http404("Trinnet findes ikke.")
    steps = _step_views(request, detail, None)
    step = next(s for s in steps if s.number == number)
    step.open = True
    fragment = request.GET.get("del") == "indhold"
    # The fragment is a closed step opened on the case page: its head panels come with it,
    # unless the line shows them already (a search answered there, `hoved=0`).
    places = (Place.STEP_HEAD, Place.STEP_BODY) if request.GET.get("hoved") != "0" \
        else (Place.STEP_BODY,)
    _with_panels(request, detail, [step], places if fragment else STEP_PLACES,
                 placeholders=False)
    context = {"nav": "cases", "case": detail.case, "model": detail.model, "steps": steps,
               "step": step, "acted": None, "feedback": {},
               "phase_name": detail.model.phase(step.definition.phase).name.da}
    if fragment:
        return render(request, "cases/includes/closed_step_body.html", context)
    return render(request, "cases/step_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def case_part(request: AuthenticatedRequest, pk: int, part: str) -> HttpResponse:
    """A read-only part of the case page loaded after the first response (ADR 0042): the
    fragment for htmx, a page of its own without JavaScript. `?trin=N`: a step panel's part on
    that step alone. The same visibility check as the case page (404 for a case the viewer may
    not see), in one query; the fragment comes from the cache under its version and the
    viewer's permission signature, and only on a miss are the case's steps read."""
    panel = lazy_panel(part)
    if panel is None or panel.lazy is None:
        raise Http404("Delen findes ikke.")
    try:
        case = selectors.visible_case(viewer=request.user, case_id=pk)
    except NotFound:
        raise Http404("Sagen findes ikke.") from None
    model = model_for(case)
    numbers = _part_numbers(panel, model, request.GET.get("trin"))
    context = PanelContext(viewer=request.user, case=case, model=model, steps=(),
                           params=request.GET)
    searched = any(request.GET.get(k) for k in panel.lazy.params)
    key = None if searched else fragment_key(
        f"{panel.name}:{case.pk}:{case.model_version_id}:{numbers}",
        panel.lazy.version(context), panel.lazy.signature(context))
    html, hit = cached_fragment(
        request, key, lambda token: _render_part(request, panel, case, model, numbers, token))
    if request.htmx:
        response = HttpResponse(html)
    else:
        response = render(request, "cases/case_part.html", {
            "nav": "cases", "case": case, "label": panel.lazy.label, "title": panel.lazy.title,
            "part": mark_safe(html)})  # our templates rendered it, escaping what they show
    # For the benchmark's hit rate and the tests: whether the fragment came from the cache.
    response[FRAGMENT_HEADER] = "hit" if hit else ("miss" if key else "uncached")
    return response


FRAGMENT_HEADER = "X-Anskaf-Fragment"


def _part_numbers(panel: Panel, model: Any, trin: str | None) -> list[int]:
    """The steps a step panel's part shows: the one asked for (404 where the panel is not), or
    all it shows on; a case-level part has none."""
    if panel.place in CASE_PLACES:
        return []
    bound = bound_numbers(panel, model)
    if trin in (None, ""):
        return sorted(bound)
    number = params.form_int(trin)
    if number not in bound:
        raise Http404("Delen findes ikke på det trin.")
    return [number]


def _render_part(request: AuthenticatedRequest, panel: Panel, case: Any, model: Any,
                 numbers: list[int], token: str) -> str:
    """The part's HTML (a cache miss): the case's steps as the page sees them, the panel's data
    for its steps, its template without the request (so nothing of the viewer but what the
    signature holds can enter it) and `token` where a form's CSRF token goes."""
    steps: list[Any] = []
    if panel.lazy is not None and panel.lazy.needs_steps:
        detail = selectors.detail_of(case, model)
        steps = presenters.step_views(detail, request.user) if numbers else []
    else:
        steps = [PartStep(n, model.step(n)) for n in numbers]
    for step in steps:
        step.open = True  # a lazy part's step is one the page shows it on
    page = build_panels(PanelContext(viewer=request.user, case=case, model=model,
                                     steps=steps, params=request.GET),
                        (panel.place,), placeholders=False, only=panel.name)
    views = {s.number: s for s in steps}
    html = []
    for number in numbers or [0]:
        for rendered in page.at(panel.place, number):
            shown = views.get(number)
            # the part as a page of its own: all its steps, headed
            if len(numbers) > 1 and shown is not None:
                html.append(format_html('<h2 class="h3">Trin {}. {}</h2>', number,
                                        shown.definition.title.da))
            html.append(render_to_string(rendered.template, {
                **rendered.context, "case": case, "model": model, "step": shown,
                "n": number or None, "csrf_token": token}))
    return "".join(html)



def _save_step(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    services.step_update(actor=request.user, case_id=pk, number=number,
                         remarks=request.POST.get("remarks", ""),
                         ticked=request.POST.getlist("checked"), version=version)
    return f"Trin {number} er gemt."


def _complete_step(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    # One service call, one transaction: the remarks and ticks are saved with the move.
    services.step_complete(actor=request.user, case_id=pk, number=number,
                           remarks=request.POST.get("remarks", ""),
                           ticked=request.POST.getlist("checked"), version=version)
    return f"Trin {number} er gennemført."


def _start_step(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    services.step_update(actor=request.user, case_id=pk, number=number, status="in_progress",
                         version=version)
    return f"Trin {number} er markeret som i gang."


def _not_relevant_step(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    services.step_mark_not_relevant(actor=request.user, case_id=pk, number=number,
                                    reason=request.POST.get("reason", ""), version=version)
    return f"Trin {number} er markeret som ikke relevant."


def _assign_step(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    services.step_assign(actor=request.user, case_id=pk, number=number,
                         assignee=request.POST.get("assignee") or None, version=version)
    return f"Tildelingen af trin {number} er gemt."


def _set_requirement(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    post = request.POST
    relevant = post.get("relevant") == "1"
    services.step_requirement_set(actor=request.user, case_id=pk, number=number,
                                  item=post.get("item", ""), relevant=relevant,
                                  reason=post.get("reason", ""), version=version)
    return (f"Kravet i trin {number} gælder igen." if relevant
            else f"Kravet i trin {number} er markeret som ikke relevant.")


def _reopen_step(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    services.step_reopen(actor=request.user, case_id=pk, number=number,
                         reason=request.POST.get("reason", ""), version=version)
    return f"Trin {number} er genåbnet."


def _decide(request: AuthenticatedRequest, pk: int, number: int, version: int | None) -> str:
    post = request.POST
    decision = services.decision_record(
        actor=request.user, case_id=pk, step=number, outcome=post.get("outcome") or None,
        rationale=post.get("rationale", ""), recommendations=post.get("recommendations", ""),
        it_contacts=post.get("it_contacts", ""),
        missing_documentation=post.get("missing_documentation", ""), version=version)
    label = presenters.OUTCOME_LABELS.get(decision.outcome, decision.outcome)
    return f"Beslutningen i trin {number} (runde {decision.round}) er registreret: {label}."


# The step's actions by their slug in the URL: each calls one service and returns the Danish
# success message. A refusal is a domain error, answered in one place (step_action).
StepAction = Callable[[AuthenticatedRequest, int, int, "int | None"], str]
STEP_ACTIONS: dict[str, StepAction] = {
    "gem": _save_step, "gennemfoer": _complete_step, "paabegynd": _start_step,
    "ikke-relevant": _not_relevant_step, "genaabn": _reopen_step, "beslut": _decide,
    "tildel": _assign_step, "krav": _set_requirement,
}


@login_required
@require_POST
def step_action(request: AuthenticatedRequest, pk: int, number: int, action: str) -> HttpResponse:
    run = STEP_ACTIONS.get(action)
    if run is None:
        raise Http404("Ukendt handling.")
    status = 200
    feedback: dict[str, Any] = {}
    try:
        message = run(request, pk, number, params.form_int(request.POST.get("version")))
        feedback = {"kind": "success", "message": message}
    except DomainError as exc:
        refusal = html_refusal(exc, not_found="Sagen eller trinnet findes ikke.")
        status, feedback = refusal.status, refusal.feedback()
    if not request.htmx and status == 200:
        messages.success(request, feedback["message"])
        return redirect(reverse("cases:case_detail", kwargs={"pk": pk}) + f"#trin-{number}")
    context = case_page_context(request, pk, acted=number, feedback=feedback)
    if status != 200:
        context["posted"] = request.POST
        context["posted_checked"] = request.POST.getlist("checked")
    template = "cases/_case_body.html" if request.htmx else "cases/case_detail.html"
    return render(request, template, context, status=status)
