"""Reading cases: the viewer's organisation first, then filters, in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from anskaf.audit.models import AuditEvent
from anskaf.audit.selectors import chain_version
from anskaf.orgs.models import Membership, User
from anskaf.process.model import ProcessModel

from . import permissions
from .choices import CaseStatus
from .errors import NotFound, ValidationFailed
from .models import Case, Decision, StepState
from .process_models import model_for, models_for


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    phase: int | None = None
    unit: int | None = None
    q: str | None = None
    without_coordinator: bool = False  # cases whose coordinator is deactivated (or none)
    mine: bool = False  # cases the viewer coordinates or has a step assigned on
    sort: str = "-updated"  # a key of SORTS, "-" first for descending


# The case list's sortable columns: the sort key (in ?sort=) and its ordering. The default,
# most recently changed first, pages by keyset; the others by offset.
SORTS = {"number": ("number",), "title": ("title",), "updated": ("updated_at",),
         "moved": ("last_moved_at",)}
DEFAULT_SORT = "-updated"


def _ordering(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    fields = SORTS[sort.lstrip("-")]
    if descending:
        return [F(f).desc(nulls_last=True) for f in fields] + ["-id"]
    return [F(f).asc(nulls_first=True) for f in fields] + ["id"]


def parse_filters(params: Any, phases: tuple[int, ...]) -> CaseFilters:
    """Turn query parameters into filters, or a ValidationFailed naming the bad ones. `phases`:
    the phase numbers of the model new cases start on (the viewer's municipality's)."""
    errors: dict[str, str] = {}
    status = params.get("status") or None
    if status and status not in CaseStatus.values:
        errors["status"] = f"Ukendt status {status!r}; brug en af: {', '.join(CaseStatus.values)}."
    phase = _int_param(params, "phase", errors, "Fasen skal være en af procesmodellens faser: "
                       f"{', '.join(map(str, phases))}.", min(phases), max(phases))
    unit = _int_param(params, "unit", errors, "Enheden skal angives med sit id.", 1, 2**63 - 1)
    q = (params.get("q") or "").strip() or None
    without = (params.get("without_coordinator") or "").strip().lower()
    if without not in ("", "0", "1", "true", "false", "on"):
        errors["without_coordinator"] = "Angiv 1 eller true for sager uden koordinator."
    mine = (params.get("mine") or "").strip().lower()
    if mine not in ("", "0", "1", "true", "false", "on"):
        errors["mine"] = "Angiv 1 eller true for kun dine egne sager."
    sort = (params.get("sort") or "").strip() or DEFAULT_SORT
    if sort.lstrip("-") not in SORTS:
        errors["sort"] = ("Sortér efter en af: "
                          f"{', '.join(SORTS)} (med - foran for faldende rækkefølge).")
    if errors:
        raise ValidationFailed(errors)
    return CaseFilters(sort=sort, status=status, phase=phase, unit=unit, q=q,
                       without_coordinator=without in ("1", "true", "on"),
                       mine=mine in ("1", "true", "on"))


def _int_param(params: Any, name: str, errors: dict[str, str], message: str,
               low: int, high: int) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        errors[name] = message
        return None
    return value


def visible_cases(viewer: User) -> QuerySet[Case]:
    return Case.objects.filter(permissions.visible_filter(viewer))


def case_list(*, viewer: User, filters: CaseFilters, after: tuple[datetime, int] | None = None,
              limit: int = 50, offset: int = 0) -> list[Case]:
    """Most recently changed first, keyset pagination on (updated_at, id); another sort
    (`filters.sort`) pages by `offset`."""
    limit = max(1, min(limit, 1000))
    # When the case last moved on (its latest completed step): the list's "days in the step",
    # in the same query.
    moved = (StepState.objects.filter(case=OuterRef("pk"), completed_at__isnull=False)
             .order_by("-completed_at").values("completed_at")[:1])
    qs = (visible_cases(viewer).select_related("requesting_unit", "coordinator")
          .annotate(last_moved_at=Subquery(moved)))
    if filters.without_coordinator:
        qs = qs.filter(Q(coordinator__isnull=True) | Q(coordinator__is_active=False))
    if filters.mine:
        qs = qs.filter(Q(coordinator=viewer) | Q(pk__in=StepState.objects.filter(
            assignee=viewer).values("case_id")))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.phase is not None:
        qs = qs.filter(phase=filters.phase)
    if filters.unit is not None:
        qs = qs.filter(requesting_unit_id=filters.unit)
    if filters.q:
        # search_text is casefolded in Python, so "økonomi" finds "Økonomi" on SQLite too.
        qs = qs.filter(search_text__contains=filters.q.casefold())
    if filters.sort != DEFAULT_SORT:
        offset = max(0, offset)
        return list(qs.order_by(*_ordering(filters.sort))[offset:offset + limit])
    if after is not None:
        updated_at, pk = after
        qs = qs.filter(Q(updated_at__lt=updated_at) | Q(updated_at=updated_at, id__lt=pk))
    return list(qs.order_by("-updated_at", "-id")[:limit])


def coordinator_candidates(*, viewer: User, case: Case) -> list[User]:
    """Active people of the viewer's municipality with the coordinator role, the case's own
    coordinator left out: whom the case may be handed over to."""
    return list(User.objects.filter(
        organisation_id=viewer.organisation_id, is_active=True,
        pk__in=Membership.objects.filter(role="coordinator").values("person_id"),
    ).exclude(pk=case.coordinator_id or 0).order_by("first_name", "last_name", "username"))


@dataclass
class CaseDetail:
    case: Case
    model: ProcessModel
    states: list[StepState]
    decisions: list[Decision]


def case_detail(*, viewer: User, case_id: Any) -> CaseDetail:
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case = (
        visible_cases(viewer)
        .select_related("model_version", "requesting_unit", "coordinator", "created_by")
        .defer("model_version__content")
        .prefetch_related(
            Prefetch("step_states",
                     queryset=StepState.objects.select_related("completed_by", "assignee")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound()
    return CaseDetail(case, model_for(case), list(case.step_states.all()),
                      list(case.decisions.all()))


def case_events(*, viewer: User, case_id: Any, after_seq: int | None = None,
                limit: int = 200) -> list[AuditEvent]:
    """The case's timeline, oldest first, from the audit trail."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not visible_cases(viewer).filter(pk=pk).exists():
        raise NotFound()
    return _events(viewer.organisation_id, pk, after_seq, limit)


def detail_events(detail: CaseDetail, *, limit: int = 200) -> list[AuditEvent]:
    """The timeline of a case the viewer already opened through case_detail (no second check)."""
    return _events(detail.case.organisation_id, detail.case.pk, None, limit)


def _events(organisation_id: int, case_id: int, after_seq: int | None,
            limit: int) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(organisation_id=organisation_id,
                                   case_id=case_id).select_related("actor")
    if after_seq is not None:
        qs = qs.filter(seq__gt=after_seq)
    return list(qs.order_by("seq")[:limit])


# --- "Mine opgaver" --------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    case: Case
    step: Any  # StepDef
    kind: str  # "decision" or "step"
    why: str  # Danish: why it waits for this person
    since: datetime | None


def _task_reason(access: permissions.Access, case: Case, step: Any,
                 assignee_id: int | None, names: dict[int, str]) -> str | None:
    """Why the step waits for the person, or None when it does not."""
    if assignee_id is not None:
        if assignee_id == access.person.pk:
            return "Tildelt dig"
        if assignee_id in access.deputising_for:
            return f"Stedfortræder for {names.get(assignee_id, 'en kollega')}"
        return None
    unit = case.requesting_unit_id
    if step.gate is not None:
        return "Din rolle træffer beslutningen" if access.holds_any(
            step.gate.deciding_roles, unit) else None
    required = [r.role for r in step.roles if not r.optional]
    return "Din rolle udfører trinnet" if access.holds_any(required, unit) else None


def _may_wait_for(access: permissions.Access, people: set[int]) -> Q:
    """Narrow in SQL to cases that wait for one of the person's roles, or where a step is
    assigned to them or to someone they stand in for; _task_reason decides exactly."""
    condition = Q(pk__in=StepState.objects.filter(assignee_id__in=people).values("case_id"))
    for role in access.org_roles:
        condition |= Q(waiting_roles_key__contains=f"|{role}|")
    for role, units in access.unit_roles.items():
        condition |= Q(waiting_roles_key__contains=f"|{role}|", requesting_unit_id__in=units)
    return condition


def my_tasks(*, viewer: User, limit: int | None = None) -> list[Task]:
    """Open steps waiting for the person, their deputy-for colleagues, or one of their roles.

    Longest waiting first. Bounded: the open cases of the municipality (one query) and the
    open steps assigned to the person or those they stand in for (one query).
    """
    tasks = getattr(viewer, "_my_tasks", None)
    if tasks is None:  # the menu's count and the page share one computation
        tasks = _compute_tasks(viewer)
        viewer._my_tasks = tasks  # type: ignore[attr-defined]
    return tasks if limit is None else tasks[:limit]


def my_task_count(*, viewer: User) -> int:
    """The number beside "Mine opgaver" on every page, without building the list each time.

    Cached per person under the head of the organisation's audit chain, which moves with every
    audited write (case moves, roles, deputies), and today's date (deputy periods start and end
    by date). A stale key is never read again, so per-process caches stay correct behind a
    load balancer.
    """
    if (tasks := getattr(viewer, "_my_tasks", None)) is not None:
        return len(tasks)
    key = (f"anskaf:tasks:{viewer.pk}:{chain_version(viewer.organisation_id)}:"
           f"{timezone.localdate().isoformat()}")
    count = cache.get(key)
    if count is None:
        count = len(my_tasks(viewer=viewer))
        cache.set(key, count, timeout=24 * 3600)
    return count


def _compute_tasks(viewer: User) -> list[Task]:
    access = permissions.access_of(viewer)
    people = {viewer.pk, *access.deputising_for}
    open_statuses = [CaseStatus.ACTIVE, CaseStatus.IN_OPERATION]
    cases = {c.pk: c for c in visible_cases(viewer).filter(status__in=open_statuses)
             .filter(_may_wait_for(access, people))
             .only("id", "number", "title", "organisation_id", "model_version_id",
                   "requesting_unit_id", "coordinator_id", "waiting_steps", "waiting_since")
             .order_by("waiting_since", "id")[:5000]}
    models = models_for(c.model_version_id for c in cases.values())
    assigned = {(s.case_id, s.number): s for s in StepState.objects.filter(
        case_id__in=list(cases)).exclude(assignee=None).select_related("assignee")}
    names = {s.assignee_id: s.assignee.display_name() for s in assigned.values()}
    tasks: list[Task] = []
    for case in cases.values():
        model = models[case.model_version_id]
        candidates = dict.fromkeys(case.waiting_steps)
        candidates.update({n: None for (cid, n), s in assigned.items()
                           if cid == case.pk and s.assignee_id in people
                           and s.status not in ("done", "not_relevant")})
        for number in candidates:
            state = assigned.get((case.pk, number))
            step = model.step(number)
            why = _task_reason(access, case, step, state.assignee_id if state else None, names)
            if why:
                since = case.waiting_since if number in case.waiting_steps else (
                    state.updated_at if state else None)
                tasks.append(Task(case, step, "decision" if step.gate else "step", why, since))
    tasks.sort(key=lambda t: (t.since is None, t.since.timestamp() if t.since else 0.0))
    return tasks
