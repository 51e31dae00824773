"""Moving open cases to the current model version (issue 17 item 2, ADR 0032).

A case runs on the version it started on. An administrator may move the open cases to the
version new cases of their unit start on now: a dry run (`migration_plan`) lists per case what
maps by step key, which steps are new, and what would be refused; `case_migrate` moves one case
in one transaction (the case row locked as every step move locks it, so a racing completion
either lands first and is planned with, or waits and runs on the new version).

Refused: a step done or in progress, or a decided gate, that the new model removes (or that is
no longer a gate); a decision whose outcome the new gate does not have; a finished step whose
rules the case would break under the new model (a required step not finished, a gate before
it not passed); and whatever an app says against removing a step (its documents).

The rows keep their ids and are renumbered by key (steps, decisions, and the apps' rows through
`extensions.renumber_steps`), so the history stays attached. Finished steps remember the
version whose texts they were finished under (`StepState.completed_under`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import audit_append
from anskaf.process import engine
from anskaf.process.diff import diff_models
from anskaf.process.model import ProcessModel

from .choices import CaseStatus, StepStatus
from .errors import MoveRefused, NotFound, PermissionDenied
from .extensions import CaseEvent, emit, removal_blockers, renumber_rows, renumber_steps
from .models import Case, Decision, ModelVersion, StepState
from .process_models import current_version, model_of

OPEN = (CaseStatus.ACTIVE, CaseStatus.IN_OPERATION)
MAX_CASES = 500  # one dry run lists at most this many cases (the page and the API say so)

STATUS_DA = {"not_started": "ikke startet", "in_progress": "i gang", "done": "gennemført",
             "not_relevant": "ikke relevant"}


class MigrationRefused(MoveRefused):
    status = 409
    code = "migration_refused"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Sagen kan ikke flyttes: " + " ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class MappedStep:
    key: str
    title: str
    old_number: int
    new_number: int
    status: str
    title_before: str | None = None  # the old title when the new model renames the step


@dataclass(frozen=True)
class NewStep:
    key: str
    title: str
    number: int
    status: str


@dataclass(frozen=True)
class RemovedStep:
    key: str
    title: str
    number: int
    status: str


@dataclass(frozen=True)
class CasePlan:
    case_id: int
    case_number: str
    case_title: str
    from_version: ModelVersion
    to_version: ModelVersion
    mapped: tuple[MappedStep, ...] = ()
    new: tuple[NewStep, ...] = ()
    removed: tuple[RemovedStep, ...] = ()
    refusals: tuple[str, ...] = ()
    mapping: dict[int, int | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def renumbered(self) -> tuple[MappedStep, ...]:
        return tuple(m for m in self.mapped if m.old_number != m.new_number)

    @property
    def renamed(self) -> tuple[MappedStep, ...]:
        return tuple(m for m in self.mapped if m.title_before is not None)

    def summary(self) -> list[str]:
        """What changes for the case, in Danish (the notification and the CLI print it)."""
        lines = [f"Nyt trin {n.number}: »{n.title}« ({STATUS_DA[n.status]})" for n in self.new]
        lines += [f"Trin {r.number} »{r.title}« udgår ({STATUS_DA[r.status]})"
                  for r in self.removed]
        lines += [f"Trin {m.new_number} hedder nu »{m.title}« (før »{m.title_before}«)"
                  for m in self.renamed]
        if self.renumbered:
            lines.append(f"{len(self.renumbered)} trin har fået nyt nummer; "
                         "deres arbejde og historik følger med.")
        return lines or ["Ingen ændringer for sagens trin."]


def _statuses(states: list[StepState]) -> dict[int, str]:
    return {s.number: s.status for s in states}


def plan_case(case: Case, states: list[StepState], decisions: list[Decision],
              old: ProcessModel, new: ProcessModel, from_version: ModelVersion,
              to_version: ModelVersion) -> CasePlan:
    """What moving this case from `old` to `new` would do (pure, apart from the apps'
    blockers). Steps are matched by key."""
    status = _statuses(states)
    new_by_key = {s.key: s for s in new.steps}
    mapping: dict[int, int | None] = {}
    mapped, removed, refusals = [], [], []
    for step in old.steps:
        target = new_by_key.get(step.key)
        current = status.get(step.number, StepStatus.NOT_STARTED)
        if target is None:
            mapping[step.number] = None
            removed.append(RemovedStep(step.key, step.title.da, step.number, current))
            if current in (StepStatus.DONE, StepStatus.IN_PROGRESS):
                refusals.append(f"Trin {step.number} »{step.title.da}« er "
                                f"{STATUS_DA[current]}, men findes ikke i den nye model.")
            continue
        mapping[step.number] = target.number
        renamed = step.title.da if step.title.da != target.title.da else None
        mapped.append(MappedStep(step.key, target.title.da, step.number, target.number,
                                 current, renamed))
    old_keys = {s.key for s in old.steps}
    new_status: dict[int, str] = {moved_to: st for n, st in status.items()
                                  if (moved_to := mapping.get(n)) is not None}
    fresh = []
    for step in new.steps:
        if step.key in old_keys:
            continue
        initial = (StepStatus.NOT_RELEVANT if step.only_when_replacing
                   and not case.replaces_system else StepStatus.NOT_STARTED)
        new_status[step.number] = initial
        fresh.append(NewStep(step.key, step.title.da, step.number, initial))
    # Decisions: their gate must still be a gate, with the outcome they took.
    last: dict[int, str] = {}
    for d in sorted(decisions, key=lambda d: (d.step, d.round)):
        target_number = mapping.get(d.step)
        old_title = old.step(d.step).title.da if old.has_step(d.step) else str(d.step)
        if target_number is None:
            refusals.append(f"Beslutningspunktet »{old_title}« er afgjort, men findes ikke "
                            "i den nye model.")
            continue
        gate = new.step(target_number).gate
        if gate is None:
            refusals.append(f"Beslutningspunktet »{old_title}« er afgjort, men er ikke et "
                            "beslutningspunkt i den nye model.")
        elif d.outcome not in gate.outcomes:
            refusals.append(f"Beslutningen »{d.outcome}« i »{old_title}« findes ikke som "
                            "udfald i den nye model.")
        else:
            last[target_number] = d.outcome
    # Rules the case would already break: a finished step's requirements and gates.
    if not refusals:
        snap = engine.Snapshot(engine.CaseStatus(case.status), case.replaces_system,
                               {n: engine.StepStatus(s) for n, s in new_status.items()},
                               last_outcome=last)
        for step in new.steps:
            if new_status.get(step.number) != StepStatus.DONE:
                continue
            for required in step.requires:
                if new_status.get(required) not in engine.FINISHED:
                    refusals.append(
                        f"Trin {step.number} »{step.title.da}« er gennemført, men kræver i den "
                        f"nye model trin {required} »{new.step(required).title.da}«, som ikke "
                        "er færdigt.")
            if not engine.segment_open(new, snap, step.number):
                refusals.append(f"Trin {step.number} »{step.title.da}« er gennemført, men "
                                "ligger i den nye model efter et beslutningspunkt, sagen ikke "
                                "har passeret.")
    removed_numbers = {r.number for r in removed}
    refusals += removal_blockers(case.pk, removed_numbers)
    return CasePlan(case.pk, case.number, case.title, from_version, to_version,
                    tuple(mapped), tuple(fresh), tuple(removed), tuple(refusals), mapping)


def _require_admin(actor: Any, organisation_id: int) -> None:
    from anskaf.orgs.permissions import is_admin

    if actor is not None and (actor.organisation_id != organisation_id
                              or not is_admin(actor)):
        raise PermissionDenied("Kun kommunens administratorer kan flytte sager til en ny "
                               "modelversion.")


def _target(case: Case) -> ModelVersion:
    return current_version(case.organisation_id, case.requesting_unit_id)


def _plan_for(case: Case, target: ModelVersion | None = None) -> CasePlan:
    target = target or _target(case)
    states = list(StepState.objects.filter(case=case))
    decisions = list(Decision.objects.filter(case=case))
    source = ModelVersion.objects.get(pk=case.model_version_id)
    return plan_case(case, states, decisions, model_of(source), model_of(target), source,
                     target)


def migratable_cases(organisation_id: int, case_ids: list[int] | None = None) -> list[Case]:
    """The organisation's open cases not on the version new cases of their unit start on."""
    cases = Case.objects.filter(organisation_id=organisation_id, status__in=OPEN)
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    result = []
    targets: dict[int | None, ModelVersion] = {}
    for case in cases.order_by("pk")[:MAX_CASES]:
        unit = case.requesting_unit_id
        if unit not in targets:
            targets[unit] = _target(case)
        if case.model_version_id != targets[unit].pk:
            result.append(case)
    return result


def migration_plan(*, actor: Any, organisation_id: int,
                   case_ids: list[int] | None = None) -> list[CasePlan]:
    """The dry run: per open case not on its current version, what moving it would do.
    Reads only."""
    _require_admin(actor, organisation_id)
    if case_ids is not None:
        _ensure_cases(organisation_id, case_ids)
    return [_plan_for(case) for case in migratable_cases(organisation_id, case_ids)]


def _ensure_cases(organisation_id: int, case_ids: list[int]) -> None:
    found = set(Case.objects.filter(organisation_id=organisation_id, pk__in=case_ids)
                .values_list("pk", flat=True))
    missing = [str(i) for i in case_ids if i not in found]
    if missing:
        raise NotFound("Sagen findes ikke: " + ", ".join(missing))


@transaction.atomic
def case_migrate(*, actor: Any, organisation_id: int, case_id: int, via: str = "web",
                 expected_version_id: int | None = None) -> CasePlan:
    """Move one open case to the version new cases of its unit start on, in one transaction.
    Refused (MigrationRefused, 409) when the plan has refusals, when the case is closed or
    already there, or (with `expected_version_id`, the target the dry run showed) when another
    version was published since."""
    _require_admin(actor, organisation_id)
    case = (Case.objects.select_for_update()
            .filter(pk=case_id, organisation_id=organisation_id).first())
    if case is None:
        raise NotFound("Sagen findes ikke.")
    if case.status not in OPEN:
        raise MigrationRefused(["Sagen er afsluttet."])
    target = _target(case)
    if expected_version_id is not None and target.pk != expected_version_id:
        raise MigrationRefused([f"En anden version ({target.version}) er udgivet siden "
                                "prøvekørslen. Se prøvekørslen igen."])
    if case.model_version_id == target.pk:
        raise MigrationRefused(["Sagen kører allerede på den gældende version."])
    list(StepState.objects.select_for_update().filter(case=case))  # lock the steps, as moves do
    plan = _plan_for(case, target)
    if not plan.ok:
        raise MigrationRefused(list(plan.refusals))
    new_model = model_of(target)
    old_version = plan.from_version
    states = StepState.objects.filter(case=case)
    removed = [n for n, m in plan.mapping.items() if m is None]
    # Finished steps remember the texts they were finished under.
    states.filter(status__in=(StepStatus.DONE, StepStatus.NOT_RELEVANT),
                  completed_under__isnull=True).update(completed_under=old_version)
    states.filter(number__in=removed).delete()
    renumber_rows(states, "number", plan.mapping)
    renumber_rows(Decision.objects.filter(case=case), "step", plan.mapping)
    renumber_steps(case.pk, plan.mapping)
    StepState.objects.bulk_create([
        StepState(case=case, number=n.number, status=n.status,
                  not_relevant_reason="Ny i modellen; sagen erstatter ikke et system."
                  if n.status == StepStatus.NOT_RELEVANT else "")
        for n in plan.new])
    case.model_version = target
    rows = list(StepState.objects.filter(case=case))
    decisions = list(Decision.objects.filter(case=case))
    from .services import refresh_summary, snapshot_of

    snap = snapshot_of(case, rows, decisions)
    case.status = engine.derive_status(new_model, snap).value
    refresh_summary(case, new_model, snapshot_of(case, rows, decisions))
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    changes = plan.summary()
    audit_append(
        organisation_id=case.organisation_id, actor=actor,
        actor_role="admin" if actor is not None else events.no_person_role(via),
        event_type="case.model_migrated", object_id=case.pk,
        case_id=case.pk,
        before={"version": old_version.version, "sha256": old_version.sha256,
                "key": old_version.key},
        after={"version": target.version, "sha256": target.sha256, "key": target.key,
               "via": via, "new_steps": [n.key for n in plan.new],
               "removed_steps": [r.key for r in plan.removed],
               "renumbered": {str(m.old_number): m.new_number for m in plan.renumbered},
               "changes": changes},
    )
    emit(CaseEvent("case.model_migrated", case, actor,
                   data={"changes": changes, "from_version": old_version.version,
                         "to_version": target.version}))
    return plan


@dataclass(frozen=True)
class MigrationResult:
    migrated: list[CasePlan]
    refused: list[CasePlan]


def cases_migrate(*, actor: Any, organisation_id: int, case_ids: list[int] | None = None,
                  via: str = "web") -> MigrationResult:
    """Move every open case (or the ones named) that can move: one transaction per case; a
    refused case is reported and left as it was."""
    _require_admin(actor, organisation_id)
    if case_ids is not None:
        _ensure_cases(organisation_id, case_ids)
    migrated, refused = [], []
    for case in migratable_cases(organisation_id, case_ids):
        try:
            migrated.append(case_migrate(actor=actor, organisation_id=organisation_id,
                                         case_id=case.pk, via=via))
        except MigrationRefused as exc:
            plan = _plan_for(Case.objects.get(pk=case.pk))
            if plan.ok:  # refused for another reason (closed meanwhile, already there)
                plan = CasePlan(plan.case_id, plan.case_number, plan.case_title,
                                plan.from_version, plan.to_version, refusals=tuple(exc.reasons))
            refused.append(plan)
    return MigrationResult(migrated, refused)


def compare_texts(state: StepState, case_model: ProcessModel) -> dict[str, str] | None:
    """For a step finished under an earlier version: its title then, when it differs."""
    if state.completed_under_id is None:
        return None
    then = model_of(ModelVersion.objects.get(pk=state.completed_under_id))
    step_now = case_model.step(state.number)
    old = next((s for s in then.steps if s.key == step_now.key), None)
    if old is None or old.title.da == step_now.title.da:
        return None
    return {"title": old.title.da, "version": str(state.completed_under_id)}


def diff_lines(plan: CasePlan) -> list[str]:
    return diff_models(model_of(plan.from_version), model_of(plan.to_version)).lines()
