"""Reading cases: the viewer's organisation first, then filters, in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone

from anskaf.audit.models import AuditEvent
from anskaf.audit.selectors import own_work_version, shared_work_version, work_version
from anskaf.http.kept import keep_here, kept_get, kept_here, kept_set
from anskaf.http.params import form_int
from anskaf.orgs.models import Membership, User
from anskaf.orgs.permissions import memo, memoised
from anskaf.process.attention import Waiting, Why, attention
from anskaf.process.engine import CaseStatus as EngineCaseStatus
from anskaf.process.engine import Snapshot
from anskaf.process.engine import StepStatus as EngineStepStatus
from anskaf.process.model import ProcessModel, StepDef

from . import permissions
from .choices import CaseStatus
from .errors import NotFound, ValidationFailed
from .extensions import held_steps, step_deadlines
from .fragments import TIMEOUT, code_digest
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
    value = form_int(str(raw))  # the one parser of a number sent as text
    if value is None or not low <= value <= high:
        errors[name] = message
        return None
    return value


def visible_cases(viewer: User) -> QuerySet[Case]:
    return Case.objects.filter(permissions.visible_filter(viewer))


# What a list row shows (the page's and the API's): no texts, no search text, of the unit its
# name and of the coordinator whether they are active.
LIST_COLUMNS = ("id", "organisation_id", "model_version_id", "number", "title", "status",
                "phase", "restricted", "updated_at", "created_at", "waiting_steps",
                "waiting_roles", "steps_in_progress", "requesting_unit", "requesting_unit__name",
                "coordinator", "coordinator__is_active")


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
          .only(*LIST_COLUMNS).annotate(last_moved_at=Subquery(moved)))
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
        organisation_id=viewer.municipality_id, is_active=True,
        pk__in=Membership.objects.filter(role="coordinator").values("person_id"),
    ).exclude(pk=case.coordinator_id or 0).order_by("first_name", "last_name", "username"))


@dataclass
class CaseDetail:
    case: Case
    model: ProcessModel
    states: list[StepState]
    decisions: list[Decision]


def case_detail(*, viewer: User, case_id: int) -> CaseDetail:
    case = (
        visible_cases(viewer)
        .select_related("model_version", "requesting_unit", "coordinator", "created_by")
        .defer("model_version__content")
        .prefetch_related(
            Prefetch("step_states",
                     queryset=StepState.objects.select_related("completed_by", "assignee")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return CaseDetail(case, model_for(case), list(case.step_states.all()),
                      list(case.decisions.all()))


def visible_case(*, viewer: User, case_id: int) -> Case:
    """A case the viewer may see, in one query, for a part of its page loaded on its own
    (ADR 0042): what a part's version and signature read; `detail_of` adds the rest."""
    case = (visible_cases(viewer).select_related("model_version")
            .defer("model_version__content").filter(pk=case_id).first())
    if case is None:
        raise NotFound()
    return case


def detail_of(case: Case, model: ProcessModel) -> CaseDetail:
    """The detail of a case visible_case returned (no second check) under its model: its step
    states and decisions in two queries, as case_detail reads them."""
    prefetch_related_objects(
        [case], Prefetch("step_states",
                         queryset=StepState.objects.select_related("completed_by", "assignee")),
        Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")))
    return CaseDetail(case, model, list(case.step_states.all()), list(case.decisions.all()))


def case_audit_seq(case: Case) -> int:
    """The sequence number of the case's latest audit event: it moves in the transaction of
    every write on the case, so it versions what is derived from the case's own trail (one
    index-only query on audit_case_idx)."""
    return (AuditEvent.objects.filter(case_id=case.pk, organisation_id=case.organisation_id)
            .aggregate(seq=Max("seq"))["seq"] or 0)


def case_events(*, viewer: User, case_id: int, after_seq: int | None = None,
                limit: int = 200) -> list[AuditEvent]:
    """The case's timeline, oldest first, from the audit trail."""
    if not visible_cases(viewer).filter(pk=case_id).exists():
        raise NotFound()
    return _events(viewer.municipality_id, case_id, after_seq, limit)


def detail_events(detail: CaseDetail, *, limit: int = 200) -> list[AuditEvent]:
    """The timeline of a case the viewer already opened through case_detail (no second check)."""
    return _events(detail.case.organisation_id, detail.case.pk, None, limit)


def case_timeline_events(case: Case, *, limit: int = 200) -> list[AuditEvent]:
    """The timeline of a case visible_case returned (no second check)."""
    return _events(case.organisation_id, case.pk, None, limit)


def _events(organisation_id: int, case_id: int, after_seq: int | None,
            limit: int) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(organisation_id=organisation_id,
                                   case_id=case_id).select_related("actor")
    if after_seq is not None:
        qs = qs.filter(seq__gt=after_seq)
    return list(qs.order_by("seq")[:limit])


# --- what a case waits for now (ADR 0020) ---------------------------------------------------


def _snapshot(case: Case, states: list[StepState] | list[TaskState]) -> Snapshot:
    """What the attention rules read: the case's status and its steps (no decisions needed:
    they look only at the open segment, whose gates are behind it)."""
    return Snapshot(status=EngineCaseStatus(case.status), replaces_system=case.replaces_system,
                    steps={s.number: EngineStepStatus(s.status) for s in states},
                    checked={s.number: frozenset(s.checked) for s in states})


@dataclass(frozen=True)
class WaitingFor:
    """One step the case waits on, with the people and dates the page and the task list show."""

    waiting: Waiting
    # the page reads model instances, the task list plain rows (TaskState, TaskPerson)
    state: StepState | TaskState | None
    since: datetime | None  # when it became actionable: its required or earlier steps done
    handed_over_by: User | TaskPerson | None  # who finished the step before it (the hand-over)
    hold: str = ""  # for a held step: the hand-over it waits for (Danish)

    @property
    def step(self) -> StepDef:
        return self.waiting.step

    @property
    def number(self) -> int:
        return self.waiting.step.number

    @property
    def actionable(self) -> bool:
        return self.waiting.actionable


def _handed_over(case: Case, states: Mapping[int, StepState | TaskState], number: int
                 ) -> tuple[datetime | None, User | TaskPerson | None]:
    """When a step became actionable and from whom: the latest completion among the steps
    before it (the case's creation for the first), as the guide hands work along in order."""
    earlier = [(s.completed_at, s) for n, s in states.items()
               if n < number and s.completed_at is not None]
    if not earlier:
        return case.created_at, None
    completed_at, last = max(earlier, key=lambda pair: pair[0])
    return completed_at, last.completed_by


@dataclass(frozen=True)
class CaseAttention:
    now: list[WaitingFor]
    in_principle: list[WaitingFor]

    @property
    def handover(self) -> list[WaitingFor]:
        """Held steps when nothing else can move: the case waits for its hand-over."""
        return [] if self.now else [w for w in self.in_principle if w.waiting.why == Why.HELD]


def attention_of(case: Case, model: ProcessModel, states: list[StepState] | list[TaskState],
                 held: dict[int, str]) -> CaseAttention:
    """The case's waiting steps split by process.attention, with their dates and people."""
    found = attention(model, _snapshot(case, states), held=held)
    by_number = {s.number: s for s in states}

    def wrap(w: Waiting) -> WaitingFor:
        since, by = _handed_over(case, by_number, w.number)
        return WaitingFor(w, by_number.get(w.number), since, by, held.get(w.number, ""))

    return CaseAttention([wrap(w) for w in found.now], [wrap(w) for w in found.in_principle])


def waiting_deadlines(case: Case, found: CaseAttention) -> dict[int, Any]:
    """The deadlines of the steps the case waits on now (one query, where an app keeps them)."""
    numbers = [w.number for w in (*found.now, *found.handover)]
    found_dates = step_deadlines([case], [(case.pk, n) for n in numbers])
    return {n: found_dates[(case.pk, n)] for n in numbers if (case.pk, n) in found_dates}


def case_attention(detail: CaseDetail) -> CaseAttention:
    """What the case of an opened case page waits for now (one query: the hold finders')."""
    case = detail.case
    held = held_steps([case], {case.model_version_id: detail.model}).get(case.pk, {})
    return attention_of(case, detail.model, detail.states, held)


# --- "Mine opgaver" --------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    case: Case | TaskCase  # TaskCase once kept (the list shows its number and title)
    step: Any  # StepDef
    kind: str  # "decision" or "step"
    why: str  # Danish: why it is yours (assigned, deputy, role)
    since: datetime | None  # when it became actionable (or was assigned, outside the segment)
    actionable: bool = True  # False: open only in principle (the folded list)
    waits_for: str = ""  # Danish, for a step open only in principle: what it waits for
    handed_over_by: Any = None  # who finished the step before it
    deadline: Any = None  # a date, where the step has one


def _task_reason(access: permissions.Access, case: Case, step: Any,
                 assignee_id: int | None, names: dict[int, str], model: ProcessModel) -> str | None:
    """Why the step is the person's (assigned / deputy / role), or None when it is not. A task
    is listed only when the person may perform it: a decision when the decide check passes, a
    step when the work check does (the same checks the services run, so the inbox never offers
    a 403)."""
    viewer = access.person
    if viewer is None:
        return None
    if step.gate is not None:
        if permissions.decide_refusal(viewer, case, model, step, assignee_id) is not None:
            return None
    elif permissions.work_refusal(viewer, case, model, step, assignee_id) is not None:
        return None
    if assignee_id is not None:
        if access.person is not None and assignee_id == access.person.pk:
            return "Tildelt dig"
        if assignee_id in access.deputising_for:
            return f"Stedfortræder for {names.get(assignee_id, 'en kollega')}"
        return None
    unit = case.requesting_unit_id
    roles = step.gate.deciding_roles if step.gate is not None else [
        r.role for r in step.roles if not r.optional]
    held = [r for r in roles if access.holds(r, unit)]
    if not held:
        return None
    return "Din rolle: " + ", ".join(model.role_label(r) for r in held)


def waits_for_text(model: ProcessModel, item: WaitingFor) -> str:
    """Why a step is open only in principle, in Danish."""
    why = item.waiting.why
    if why == Why.BLOCKED:
        return "Venter på " + ", ".join(
            f"trin {n} ({model.step(n).title.da})" for n in item.waiting.blocked_by)
    if why == Why.HELD:
        return item.hold or "Venter på, at sagen overdrages."
    return "Ingen har påbegyndt trinnet; det kan gøres nu, men sagen venter ikke på det."


def _may_wait_for(access: permissions.Access, people: set[int]) -> Q:
    """Narrow in SQL to cases that wait for one of the person's roles, or where a step is
    assigned to them or to someone they stand in for; _task_reason decides exactly."""
    condition = Q(pk__in=StepState.objects.filter(assignee_id__in=people).values("case_id"))
    for role in access.org_roles:
        condition |= Q(waiting_roles_key__contains=f"|{role}|")
    for role, units in access.unit_roles.items():
        condition |= Q(waiting_roles_key__contains=f"|{role}|", requesting_unit_id__in=units)
    return condition


def my_tasks(*, viewer: User, limit: int | None = None, offset: int = 0) -> list[Task]:
    """Steps of the person's cases that are theirs (assigned, as a deputy, or by role):
    actionable now (`Task.actionable`) or open only in principle. Longest waiting first.
    `offset`/`limit`: one page, whose deadlines are read (one query, for the page only)."""
    tasks = task_order(viewer=viewer)
    return with_deadlines(tasks[offset:] if limit is None else tasks[offset:offset + limit])


def task_order(*, viewer: User, version: str | None = None) -> list[Task]:
    """The viewer's tasks in their order, without deadlines: what the page splits and pages
    and the menu counts (once per request, and across requests while nobody's work moves).
    `version`: the municipality's work version when the caller has read it already."""
    return memo("tasks", viewer.pk, lambda: _kept_tasks(viewer, version))


# A kept task list: its cases and steps as plain values, rebuilt without a query.
TaskRow = tuple[tuple[int, str, str, int], int, str, str, "datetime | None", bool, str,
                "TaskPerson | None"]


def _tasks_key(viewer: User, kind: str, version: str | None) -> str:
    """A person's task list (or count) under the municipality's work version (ADR 0044), the
    day (deputy periods start and end by date) and the code that computed it."""
    version = version or work_version(viewer.municipality_id)
    return (f"anskaf:{kind}:{code_digest()}:{viewer.pk}:{version}:"
            f"{timezone.localdate().isoformat()}")


def _kept_tasks(viewer: User, version: str | None) -> list[Task]:
    """The task list: built in this process before, else its rows from Django's cache, else
    computed and kept for the next request (its cases as TaskCase either way)."""
    key = _tasks_key(viewer, "tasks", version)  # read before the parts: see _assembled_tasks
    # The tasks built from the rows, in this process only (they hold the model's steps):
    # building thousands of them again on each page was most of an IT person's Mine opgaver.
    # Task is frozen and TaskCase never changed, so requests can share them.
    built: tuple[Task, ...] | None = kept_here(f"{key}:built")
    if built is None:
        rows: tuple[TaskRow, ...] | None = kept_get(key)
        if rows is None:
            rows = _assembled_tasks(viewer)
            kept_set(key, rows, timeout=TIMEOUT)
        built = tuple(_tasks_from_rows(rows))  # the same shape, computed or kept
        keep_here(f"{key}:built", built)
    return list(built)


def _task_row(task: Task) -> TaskRow:
    case = task.case
    return ((case.pk, case.number, case.title, case.model_version_id), task.step.number,
            task.kind, task.why, task.since, task.actionable, task.waits_for,
            task.handed_over_by)  # a TaskPerson: the list reads plain rows (TaskState)


def _tasks_from_rows(rows: tuple[TaskRow, ...]) -> list[Task]:
    models = models_for({case[3] for case, *_ in rows})  # the models are kept in the process
    cases: dict[int, TaskCase] = {}
    tasks = []
    for case, number, kind, why, since, actionable, waits_for, handed_over_by in rows:
        shown = cases.setdefault(case[0], TaskCase(*case))
        tasks.append(Task(shown, models[shown.model_version_id].step(number), kind, why, since,
                          actionable, waits_for, handed_over_by))
    return tasks


def with_deadlines(tasks: list[Task]) -> list[Task]:
    """The shown tasks with their steps' deadlines, in one query (the deadline finders')."""
    if not tasks:
        return tasks
    # Copies: a finder may note what it read on a case (notifications.case_deadlines), and
    # the kept tasks' cases are shared by every request of the process (_kept_tasks).
    cases = [copy(c) for c in {t.case.pk: t.case for t in tasks}.values()]
    deadlines = step_deadlines(cases, [(t.case.pk, t.step.number) for t in tasks])
    return [replace(t, deadline=deadlines.get((t.case.pk, t.step.number))) for t in tasks]


def my_task_count(*, viewer: User, version: str | None = None) -> int:
    """The number beside "Mine opgaver" on every page, without building the list each time.

    Cached per person under the municipality's work version (audit.selectors.work_version,
    ADR 0044): the hash of the newest audited write that can change anyone's tasks (a case or
    step moved, an assignee, a tick that starts a step, a referral, a role, a deputy; not a
    remark, a comment or a document), and today's date (deputy periods start and end by
    date). A stale key is never read again, so per-process caches stay correct behind a load
    balancer. `version`: the work version when the caller has read it already.
    """
    if (tasks := memoised("tasks", viewer.pk)) is not None:
        return sum(1 for t in tasks if t.actionable)
    version = version or work_version(viewer.municipality_id)
    key = _tasks_key(viewer, "task-count", version)
    count = kept_get(key)
    if count is None:
        count = sum(1 for t in task_order(viewer=viewer, version=version) if t.actionable)
        kept_set(key, count, timeout=TIMEOUT)
    return count


@dataclass
class TaskCase:
    """The case of a kept task: what the list shows of it, without a model instance. (Not
    frozen: a deadline finder may note what it read on it, as on a case; it is given a copy,
    since the kept tasks share their cases between requests.)"""

    pk: int
    number: str
    title: str
    model_version_id: int


@dataclass(frozen=True, slots=True)
class TaskPerson:
    """A person named in the task list (an assignee, who handed a step over): a name only."""

    pk: int
    first_name: str
    last_name: str
    username: str

    def display_name(self) -> str:  # as User.display_name
        return f"{self.first_name} {self.last_name}".strip() or self.username


@dataclass(frozen=True, slots=True)
class TaskState:
    """The columns of a step state the task list reads, without a model instance per row (a
    coordinator's candidate cases have thousands of step states: building model instances
    was most of the page's CPU)."""

    case_id: int
    number: int
    status: str
    checked: list[str]
    assignee: TaskPerson | None
    completed_at: datetime | None
    completed_by: TaskPerson | None
    updated_at: datetime

    @property
    def assignee_id(self) -> int | None:
        return self.assignee.pk if self.assignee is not None else None


_PERSON = ("id", "first_name", "last_name", "username")
_TASK_STATE = ("case_id", "number", "status", "checked", "completed_at", "updated_at",
               *(f"assignee__{f}" for f in _PERSON), *(f"completed_by__{f}" for f in _PERSON))


def _person(values: tuple[Any, ...]) -> TaskPerson | None:
    return TaskPerson(*values) if values[0] is not None else None


def _task_states(case_ids: list[int]) -> dict[int, list[TaskState]]:
    """The step states of these cases, in one query, as plain rows."""
    states: dict[int, list[TaskState]] = {}
    for row in StepState.objects.filter(case_id__in=case_ids).values_list(*_TASK_STATE):
        state = TaskState(case_id=row[0], number=row[1], status=row[2], checked=row[3],
                          completed_at=row[4], updated_at=row[5], assignee=_person(row[6:10]),
                          completed_by=_person(row[10:14]))
        states.setdefault(state.case_id, []).append(state)
    return states


def _candidates(viewer: User, access: permissions.Access, people: set[int]) -> QuerySet[Case]:
    """The open cases that may hold one of the viewer's tasks, longest waiting first (narrowed
    in SQL, `_may_wait_for`; `_case_tasks` decides exactly)."""
    open_statuses = [CaseStatus.ACTIVE, CaseStatus.IN_OPERATION]
    return (visible_cases(viewer).filter(status__in=open_statuses)
            .filter(_may_wait_for(access, people)).order_by("waiting_since", "id"))


def _assembled_tasks(viewer: User) -> tuple[TaskRow, ...]:
    """The viewer's task list from per-case parts (ADR 0045). Each candidate case's part is
    kept under the case's own work version and the shared one (audit.selectors), so after a
    completion only that case's part is computed again for each person whose list is read. Two
    queries when every part is kept (the shared version; the candidates with their own) and
    three more for the parts missing, computed together.

    The versions are read before the parts are computed, and the list's own key before the
    candidates: a write that lands in between is computed under an older key, which the next
    request no longer reads."""
    access = permissions.access_of(viewer)
    people = {viewer.pk, *access.deputising_for}
    shared = shared_work_version(viewer.municipality_id)
    candidates = list(_candidates(viewer, access, people)
                      .annotate(own_work=own_work_version(OuterRef("pk")))
                      .values_list("id", "own_work")[:5000])
    prefix = f"anskaf:case-tasks:{code_digest()}:{viewer.pk}:{shared}:{timezone.localdate()}"
    keys = {pk: f"{prefix}:{pk}:{own or ''}" for pk, own in candidates}
    ids = list(keys)
    # The parts this process read or computed last for this person under this shared version:
    # each under its full key, so one whose case moved is simply not found. For a person of
    # the IT department (a part in thousands of cases) reading them all from Redis and
    # unpickling them was most of a request after each completion in the municipality.
    here: dict[str, tuple[TaskRow, ...]] = kept_here(prefix) or {}
    parts = {key: here[key] for key in keys.values() if key in here}
    if len(parts) < len(keys):
        parts.update(cache.get_many([key for key in keys.values() if key not in parts]))
    missing = [pk for pk in ids if keys[pk] not in parts]
    if missing:
        computed = _computed_parts(viewer, access, people, missing)
        fresh = {keys[pk]: computed.get(pk, ()) for pk in missing}
        cache.set_many(fresh, timeout=TIMEOUT)
        parts.update(fresh)
    keep_here(prefix, parts)  # a new mapping: one a request may be reading is never changed
    rows = [row for pk in ids for row in parts[keys[pk]]]
    rows.sort(key=lambda r: (r[4] is None, r[4].timestamp() if r[4] else 0.0))  # since
    return tuple(rows)


def _computed_parts(viewer: User, access: permissions.Access, people: set[int],
                    case_ids: list[int]) -> dict[int, tuple[TaskRow, ...]]:
    """The viewer's tasks in these cases, by case: the steps the cases wait on now
    (process.attention) that are theirs, and, not actionable, those open only in principle or
    assigned ahead. Three queries: the cases, their step states, the hold finders'. The
    deadlines are read for the page shown only (`with_deadlines`)."""
    cases = {c.pk: c for c in visible_cases(viewer).filter(pk__in=case_ids)
             .only("id", "number", "title", "organisation_id", "model_version_id", "status",
                   "replaces_system", "requesting_unit_id", "coordinator_id", "waiting_steps",
                   "waiting_since", "created_at")}
    models = models_for(c.model_version_id for c in cases.values())
    states = _task_states(list(cases))
    held = held_steps(list(cases.values()), models)
    names = {s.assignee.pk: s.assignee.display_name()
             for case_states in states.values() for s in case_states if s.assignee is not None}
    parts = {}
    for case in cases.values():
        model = models[case.model_version_id]
        found = attention_of(case, model, states.get(case.pk, []), held.get(case.pk, {}))
        parts[case.pk] = tuple(_task_row(t) for t in _case_tasks(
            access, people, case, model, found, states.get(case.pk, []), names))
    return parts


def _case_tasks(access: permissions.Access, people: set[int], case: Case, model: ProcessModel,
                found: CaseAttention, states: list[TaskState], names: dict[int, str]
                ) -> list[Task]:
    by_number = {s.number: s for s in states}
    tasks = []
    listed = set()
    for item in (*found.now, *found.in_principle):
        state = by_number.get(item.number)
        why = _task_reason(access, case, item.step, state.assignee_id if state else None, names,
                           model)
        if why:
            listed.add(item.number)
            tasks.append(Task(case, item.step, "decision" if item.step.gate else "step", why,
                              item.since, item.actionable,
                              "" if item.actionable else waits_for_text(model, item),
                              item.handed_over_by))
    for state in states:  # assigned ahead, outside the open segment
        if (state.number in listed or state.assignee_id not in people
                or state.status in ("done", "not_relevant")):
            continue
        step = model.step(state.number)
        why = _task_reason(access, case, step, state.assignee_id, names, model)
        if why:
            tasks.append(Task(case, step, "decision" if step.gate else "step", why,
                              state.updated_at, False,
                              "Trinnet er tildelt; sagen er ikke nået dertil endnu."))
    return tasks


def actionable_tasks(*, viewer: User) -> list[Task]:
    """The tasks the viewer can act on now (the menu's count), without deadlines."""
    return [t for t in task_order(viewer=viewer) if t.actionable]
