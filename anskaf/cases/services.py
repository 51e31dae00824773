"""The only place that writes cases. Each service: one transaction, locks, engine, audit, events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import Payload, audit_append
from anskaf.orgs.models import Membership, OrgUnit, User
from anskaf.process import engine
from anskaf.process.engine import Snapshot, Transition
from anskaf.process.model import ProcessModel, StepDef
from anskaf.validation.text import text_problem

from . import permissions
from .choices import CaseStatus, Outcome, StepStatus
from .errors import (
    CombinationRefused,
    Conflict,
    InvalidTransition,
    NotFound,
    ReferenceRefused,
    ValidationFailed,
)
from .extensions import CaseEvent, MoveContext, emit, run_guards
from .inputs import CaseValues
from .models import Case, CaseNumberSequence, Decision, StepState
from .process_models import current_version, model_for, model_of

NOT_REPLACING_REASON = "Sagen erstatter ikke et eksisterende system."
class ChecklistTick(TypedDict):
    """One checklist item ticked or not (the API's `checklist`, a form's ticks)."""

    id: str
    done: bool


# --- small helpers ----------------------------------------------------------------------------


@dataclass
class Loaded:
    case: Case
    model: ProcessModel
    states: dict[int, StepState]
    decisions: list[Decision]

    def snapshot(self) -> Snapshot:
        return snapshot_of(self.case, self.states.values(), self.decisions)


def snapshot_of(case: Case, states: Iterable[StepState], decisions: Iterable[Decision]
                ) -> Snapshot:
    """What the engine needs to know about a case, from its rows."""
    last: dict[int, str] = {}
    rounds: dict[int, int] = {}
    for d in sorted(decisions, key=lambda d: (d.step, d.round)):
        last[d.step] = d.outcome
        rounds[d.step] = d.round
    states = list(states)
    return Snapshot(
        status=engine.CaseStatus(case.status),
        replaces_system=case.replaces_system,
        steps={s.number: engine.StepStatus(s.status) for s in states},
        checked={s.number: frozenset(s.checked) for s in states},
        last_outcome=last,
        rounds=rounds,
        extra_items={s.number: tuple((i["id"], i["label"]) for i in s.extra_items)
                     for s in states if s.extra_items},
        waived={s.number: frozenset(s.waived) for s in states if s.waived},
    )


def lock_visible_case(actor: User, case_id: int) -> Case:
    """Lock the case for this transaction if the actor may see it; else 404 (also across
    organisations, and for ids out of range: the boundary parsed the number). Other apps'
    services start here too."""
    if not 0 < case_id < 2**62:
        raise NotFound()
    case = (Case.objects.select_for_update()
            .filter(permissions.visible_filter(actor), pk=case_id).first())
    if case is None:
        raise NotFound()
    return case


def _load(actor: User, case_id: int) -> Loaded:
    """Lock the case and its steps for this transaction; 404 across organisations."""
    case = lock_visible_case(actor, case_id)
    states = {s.number: s for s in StepState.objects.select_for_update().filter(case=case)}
    decisions = list(Decision.objects.filter(case=case).order_by("step", "round"))
    return Loaded(case, model_for(case), states, decisions)


def _step_def(loaded: Loaded, number: int) -> StepDef:
    if not loaded.model.has_step(number):
        raise NotFound(f"Trin {number} findes ikke i sagens model.")
    return loaded.model.step(number)


def acting_role(actor: User, role_keys: Iterable[str]) -> str:
    """The audit's actor_role (anskaf.audit.events): the first of `role_keys` (the roles that
    allow the action, in order) the actor holds; "" when none did (the actor acted as the
    person the case names: its coordinator, a step's assignee, or their deputy)."""
    access = permissions.access_of(actor)
    mine = access.org_roles | set(access.unit_roles)
    return next((key for key in role_keys if key in mine), events.PERSONAL)


# The roles that allow a move, in the order acting_role names the one acted in (as in
# permissions: edit_refusal, work_refusal).
EDIT_ROLES = (*permissions.CASE_MANAGERS, "admin")


def work_roles(step: StepDef) -> tuple[str, ...]:
    return (*step.role_keys, *(step.gate.deciding_roles if step.gate else ()), "coordinator")


def _ensure_storable(value: str, field: str, *, name: bool = False) -> str:
    """The text rule (anskaf.validation.text): no control characters, NUL or lone surrogates;
    in names and titles no bidi overrides either. Refused clearly, in Danish."""
    if (message := text_problem(value, name=name)) is not None:
        raise ValidationFailed({field: message})
    return value


def _require_text(value: str | None, message: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({field: message})
    return _ensure_storable(value.strip(), field)


def _ensure_version(expected: int | None, actual: int, what: str) -> None:
    if expected is not None and expected != actual:
        raise Conflict(
            f"{what} er blevet ændret af en anden i mellemtiden (version {actual}, du havde "
            f"version {expected}). Hent den nyeste udgave og prøv igen."
        )


def _ensure_not_closed(case: Case) -> None:
    engine.ensure_open_case(engine.CaseStatus(case.status))


def _step_view(state: StepState) -> dict[str, Any]:
    return {"status": state.status, "remarks": state.remarks, "checked": sorted(state.checked),
            "not_relevant_reason": state.not_relevant_reason, "version": state.version}


def checklist_ids(step: StepDef, state: StepState) -> list[str]:
    """The ids of a step's checklist in order: the model's items, then those a decision added."""
    return [i.id for i in step.checklist] + [i["id"] for i in state.extra_items]


def _audit(loaded: Loaded, actor: User, role: str, event_type: str,
           object_id: int | str | None, before: Payload, after: Payload) -> None:
    """audit_append with the case's organisation and id."""
    audit_append(organisation_id=loaded.case.organisation_id, actor=actor, actor_role=role,
                 event_type=event_type, object_id=object_id, case_id=loaded.case.pk,
                 before=before, after=after)


def refresh_summary(case: Case, model: ProcessModel, snap: Snapshot) -> None:
    """Recompute the case's derived fields from a snapshot (phase, who it waits for)."""
    if case.status == CaseStatus.COMPLETED:
        case.phase = None
    elif case.status not in (CaseStatus.REJECTED, CaseStatus.WITHDRAWN) or case.phase is None:
        case.phase = engine.current_phase(model, snap)
    # A rejected or withdrawn case keeps the phase it stopped in.
    waiting = [s.number for s in engine.waiting_steps(model, snap)]
    if waiting != case.waiting_steps or case.waiting_since is None:
        case.waiting_since = timezone.now()
    case.waiting_steps = waiting
    case.waiting_roles = list(engine.waiting_roles(model, snap))
    case.waiting_roles_key = "".join(f"|{r}" for r in case.waiting_roles) + "|"
    case.steps_in_progress = [n for n, s in sorted(snap.steps.items())
                              if s == engine.StepStatus.IN_PROGRESS]
    case.search_text = f"{case.number} {case.title}".casefold()


def _apply(loaded: Loaded, transition: Transition, actor: User, *, reason: str = "",
           extra: dict[int, dict[str, object]] | None = None) -> dict[str, Any]:
    """Write a transition's step changes and the case's new status; return the before-view."""
    now = timezone.now()
    before = {"status": loaded.case.status,
              "steps": {n: loaded.states[n].status for n in transition.steps}}
    for number, status in transition.steps.items():
        state = loaded.states[number]
        state.status = status.value
        if status == engine.StepStatus.DONE:
            state.completed_by, state.completed_at = actor, now
        else:
            state.completed_by, state.completed_at = None, None
        state.not_relevant_reason = reason if status == engine.StepStatus.NOT_RELEVANT else ""
        state.completed_under = None  # finished (again) now: under the case's own version
        for key, value in (extra or {}).get(number, {}).items():
            setattr(state, key, value)
        state.version += 1
        state.save()
    loaded.case.status = transition.case_status.value
    loaded.case.updated_at = now
    refresh_summary(loaded.case, loaded.model, loaded.snapshot())
    loaded.case.save()
    return before


def _after_view(loaded: Loaded, numbers: Iterable[int]) -> dict[str, Any]:
    return {"status": loaded.case.status, "steps": {n: loaded.states[n].status for n in numbers}}


# --- cases ------------------------------------------------------------------------------------


def _next_number(organisation_id: int, year: int) -> str:
    try:
        with transaction.atomic():
            CaseNumberSequence.objects.get_or_create(organisation_id=organisation_id, year=year)
    except IntegrityError:
        pass  # created by a concurrent writer; the lock below serialises us
    seq = CaseNumberSequence.objects.select_for_update().get(
        organisation_id=organisation_id, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{year}-{seq.last:03d}"


def _with_unit(actor: User, values: CaseValues) -> dict[str, Any]:
    """The checked values, the unit (an id) as the municipality's unit: the rule that needs
    the database (409 invalid_reference for another municipality's unit or none)."""
    clean: dict[str, Any] = {k: v for k, v in values.items() if k != "unit"}
    if "unit" in values:
        unit = _unit_of(actor, values["unit"])
        if unit is None:
            raise ReferenceRefused({"unit": "Vælg en enhed i din kommune."})
        clean["requesting_unit"] = unit
    return clean


def _unit_of(actor: User, unit_id: int) -> OrgUnit | None:
    if not 0 < unit_id < 2**62:
        return None
    return OrgUnit.objects.filter(pk=unit_id, organisation_id=actor.municipality_id).first()


@transaction.atomic
def case_create(*, actor: User, data: CaseValues) -> Case:
    """Start a case with the values `inputs.case_values` checked (creating: every required
    field there)."""
    if actor.organisation_id is None:
        raise ValidationFailed({"organisation": "Din bruger hører ikke til en kommune."})
    clean = _with_unit(actor, data)
    unit = clean.pop("requesting_unit", None) or actor.unit
    # The nearest forvaltning (from the requesting unit upwards) with a model of its own, else
    # the municipality's, else the shared default (ADR 0032).
    version = current_version(actor.organisation_id, unit.pk if unit is not None else None)
    model = model_of(version)
    now = timezone.now()
    case = Case(
        organisation_id=actor.organisation_id, model_version=version,
        number=_next_number(actor.organisation_id, timezone.localdate().year),
        requesting_unit=unit,
        coordinator=actor, created_by=actor, updated_at=now, **clean,
    )
    snap = engine.new_snapshot(model, case.replaces_system)
    refresh_summary(case, model, snap)
    case.save()
    answered = answered_items(model.first_step, case)
    StepState.objects.bulk_create([
        StepState(case=case, number=n, status=status.value,
                  checked=answered if n == model.first_step.number else [],
                  not_relevant_reason=NOT_REPLACING_REASON
                  if status == engine.StepStatus.NOT_RELEVANT else "")
        for n, status in snap.steps.items()
    ])
    audit_append(organisation_id=case.organisation_id, actor=actor,
                 actor_role=acting_role(actor, model.first_step.role_keys),
                 event_type="case.created", object_id=case.pk,
                 case_id=case.pk, before=None,
                 after={**case_fields(case), "answered_checklist": answered})
    emit(CaseEvent("case.created", case, actor))
    return case


def answered_items(step: StepDef, case: Case) -> list[str]:
    """The ids of the step's checklist items the create form answered (`answered_by:` in the
    model names the case's field): ticked from the start, so the first step does not ask again."""
    return [i.id for i in step.checklist
            if i.answered_by and str(getattr(case, i.answered_by, "") or "").strip()]


def case_fields(case: Case) -> dict[str, Any]:
    return {
        "number": case.number, "title": case.title, "need": case.need,
        "strategic_fit": case.strategic_fit, "user_impact": case.user_impact,
        "candidate_system": case.candidate_system, "supplier_name": case.supplier_name,
        "replaces_system": case.replaces_system, "replaced_system_name": case.replaced_system_name,
        "estimated_contract_value": None if case.estimated_contract_value is None
        else str(case.estimated_contract_value),
        "records_case_number": case.records_case_number,
        "unit": case.requesting_unit_id, "status": case.status, "restricted": case.restricted,
    }


@transaction.atomic
def case_update(*, actor: User, case_id: int, data: CaseValues,
                version: int | None = None) -> Case:
    """Change the fields sent, with the values `inputs.case_values` checked."""
    loaded = _load(actor, case_id)
    permissions.require(permissions.edit_refusal(actor, loaded.case))
    clean = _with_unit(actor, data)
    case = loaded.case
    _ensure_not_closed(case)
    _ensure_version(version, case.version, "Sagen")
    before = case_fields(case)
    if "replaces_system" in clean and clean["replaces_system"] != case.replaces_system:
        transition = engine.set_replaces_system(loaded.model, loaded.snapshot(),
                                                clean["replaces_system"])
        case.replaces_system = clean["replaces_system"]
        _apply(loaded, transition, actor, reason=NOT_REPLACING_REASON)
    for field, value in clean.items():
        setattr(case, field, value)
    after = case_fields(case)
    if after == before:
        return case
    case.version += 1
    case.updated_at = timezone.now()
    refresh_summary(case, loaded.model, loaded.snapshot())
    case.save()
    changed = {k for k in after if after[k] != before[k]}
    _audit(loaded, actor, acting_role(actor, EDIT_ROLES), "case.updated", case.pk,
           {k: before[k] for k in changed}, {k: after[k] for k in changed})
    emit(CaseEvent("case.updated", case, actor, data={"changed": sorted(changed)}))
    return case


@transaction.atomic
def case_records_number_set(*, actor: User, case_id: int, records_number: str) -> Case:
    """Record the case's number in the records system (ESDH), as the boundary checked it
    (`documents.case_package.clean_records_number`). Bookkeeping, so also on a closed case (it
    is journalised when it is done); audited like any change of the case's fields."""
    loaded = _load(actor, case_id)
    permissions.require(permissions.edit_refusal(actor, loaded.case))  # admins included
    case = loaded.case
    if records_number == case.records_case_number:
        return case
    before = {"records_case_number": case.records_case_number}
    case.records_case_number = records_number
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["records_case_number", "version", "updated_at"])
    _audit(loaded, actor, acting_role(actor, EDIT_ROLES), "case.updated", case.pk,
           before, {"records_case_number": case.records_case_number})
    return case


@transaction.atomic
def case_withdraw(*, actor: User, case_id: int, reason: str | None,
                  version: int | None = None) -> Case:
    loaded = _load(actor, case_id)
    permissions.require(permissions.edit_refusal(actor, loaded.case))
    reason = _require_text(reason, "Skriv en begrundelse for at trække sagen tilbage.", "reason")
    case = loaded.case
    _ensure_not_closed(case)
    _ensure_version(version, case.version, "Sagen")
    before = {"status": case.status}
    case.status = CaseStatus.WITHDRAWN
    case.withdrawn_reason = reason
    case.version += 1
    case.updated_at = timezone.now()
    refresh_summary(case, loaded.model, loaded.snapshot())
    case.save()
    _audit(loaded, actor, acting_role(actor, EDIT_ROLES), "case.withdrawn", case.pk,
           before, {"status": case.status, "reason": reason})
    emit(CaseEvent("case.withdrawn", case, actor, data={"reason": reason}))
    return case


# --- hand-over --------------------------------------------------------------------------------


COORDINATOR_ROLE = "coordinator"


def _new_coordinator(actor: User, value: int | str | None) -> User:
    """An active person of the actor's municipality who holds the coordinator role."""
    if (isinstance(value, bool) or not isinstance(value, int | str) or value in ("", 0)
            or (isinstance(value, int) and not 0 < value < 2**62)):
        raise ValidationFailed({"coordinator": "Vælg den person, der overtager sagen."})
    lookup = {"pk": value} if isinstance(value, int) else {"username": value.strip()}
    person = User.objects.filter(organisation_id=actor.municipality_id, is_active=True,
                                 **lookup).first()
    if person is None:
        raise ReferenceRefused({"coordinator": "Personen findes ikke i din kommune."})
    if not Membership.objects.filter(person=person, role=COORDINATOR_ROLE).exists():
        raise ReferenceRefused({"coordinator": (
            f"{person.display_name()} har ikke rollen Den koordinerende funktion og kan ikke "
            "overtage sagen.")})
    return person


@transaction.atomic
def case_handover(*, actor: User, case_id: int, coordinator: int | str | None,
                  reason: str | None = None,
                  version: int | None = None) -> Case:
    """Hand the case over to another person with the coordinator role: the old coordinator's
    assignments on the case's open steps move with it; audited, one transaction, and an event
    (`case.handed_over`) that tells both and moves the deadlines they set."""
    loaded = _load(actor, case_id)
    permissions.require(permissions.edit_refusal(actor, loaded.case))
    person = _new_coordinator(actor, coordinator)
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"reason": "Begrundelsen skal være tekst."})
    reason = _ensure_storable((reason or "").strip(), "reason")
    if len(reason) > 2000:
        raise ValidationFailed({"reason": "Højst 2.000 tegn."})
    case = loaded.case
    if person.pk == case.coordinator_id:
        raise ReferenceRefused({"coordinator": f"{person.display_name()} er allerede sagens "
                                               "koordinator."})
    _ensure_not_closed(case)
    _ensure_version(version, case.version, "Sagen")
    previous = case.coordinator
    moved = []
    for number, state in sorted(loaded.states.items()):
        if (previous is not None and state.assignee_id == previous.pk
                and state.status not in (StepStatus.DONE, StepStatus.NOT_RELEVANT)):
            state.assignee = person
            state.version += 1
            state.save(update_fields=["assignee", "version", "updated_at"])
            moved.append(number)
    case.coordinator = person
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["coordinator", "version", "updated_at"])
    _audit(loaded, actor, acting_role(actor, [COORDINATOR_ROLE, "admin", "management"]),
           "case.handed_over", case.pk,
           {"coordinator": previous.username if previous else None},
           {"coordinator": person.username, "reason": reason, "steps": moved})
    emit(CaseEvent("case.handed_over", case, actor, data={
        "previous": previous, "coordinator": person, "steps": moved, "reason": reason}))
    return case


# --- steps ------------------------------------------------------------------------------------


def _clean_checklist(step: StepDef, state: StepState, items: list[ChecklistTick]
                     ) -> dict[str, bool]:
    known = set(checklist_ids(step, state))
    if not isinstance(items, list):
        raise ValidationFailed({"checklist": "Tjeklisten skal være en liste af {id, done}."})
    clean: dict[str, bool] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("done"), bool):
            raise ValidationFailed({"checklist": "Hvert punkt skal have et id og done (true/false)."})
        if not isinstance(item.get("id"), str):
            raise ValidationFailed({"checklist": "Hvert punkt skal have et id (tekst)."})
        if item["id"] not in known:  # a well-formed id the step's checklist lacks
            raise ReferenceRefused(
                {"checklist": f"Trin {step.number} har intet tjeklistepunkt med id {item.get('id')!r}."}
            )
        clean[item["id"]] = item["done"]
    return clean


def ticked_checklist(step: StepDef, state: StepState, ticked: Iterable[str] | None
                     ) -> list[ChecklistTick] | None:
    """A form's ticked ids as the checklist shape: every item of the step, ticked or not (an
    unticked checkbox is not sent). None when the form sent no checklist."""
    if ticked is None:
        return None
    chosen = {str(t) for t in ticked}
    return [{"id": i, "done": i in chosen} for i in checklist_ids(step, state)]


def _clean_remarks(remarks: str | None) -> str | None:
    if remarks is None:
        return None
    if not isinstance(remarks, str):
        raise ValidationFailed({"remarks": "Bemærkninger skal være tekst."})
    if len(remarks) > 20000:
        raise ValidationFailed({"remarks": "Bemærkninger må højst være 20.000 tegn."})
    return _ensure_storable(remarks, "remarks")


def _prepare_step_move(actor: User, case_id: int, number: int, *, completing: bool = False,
                       not_relevant: bool = False) -> tuple[Loaded, StepDef, StepState]:
    """Load and lock (404), then check the person may do this on the step (403)."""
    loaded = _load(actor, case_id)
    step = _step_def(loaded, number)
    state = loaded.states[step.number]
    check = (permissions.complete_refusal if completing
             else permissions.not_relevant_refusal if not_relevant
             else permissions.work_refusal)
    permissions.require(check(actor, loaded.case, loaded.model, step, state.assignee_id))
    return loaded, step, state


@transaction.atomic
def step_update(*, actor: User, case_id: int, number: int, remarks: str | None = None,
                checklist: list[ChecklistTick] | None = None, status: str | None = None,
                version: int | None = None, ticked: Iterable[str] | None = None) -> Case:
    """Save a step's remarks and checklist (`checklist` as {id, done} items, or `ticked`, the
    ids a form ticked), or mark it started."""
    loaded, step, state = _prepare_step_move(actor, case_id, number)
    remarks = _clean_remarks(remarks)
    if checklist is None:
        checklist = ticked_checklist(step, state, ticked)
    checks = _clean_checklist(step, state, checklist) if checklist is not None else {}
    if status is not None and status != StepStatus.IN_PROGRESS:
        raise ValidationFailed({"status": "Status kan kun sættes til »in_progress« (i gang). "
                                          "Brug handlingerne for at afslutte eller genåbne."})
    _ensure_not_closed(loaded.case)
    _ensure_version(version, state.version, f"Trin {step.number}")
    snap = loaded.snapshot()
    engine.check_work(loaded.model, snap, step.number)
    before = _step_view(state)
    if status is not None:
        _apply(loaded, engine.start(loaded.model, snap, step.number), actor)
    new_checked = set(state.checked)
    for item_id, done in checks.items():
        (new_checked.add if done else new_checked.discard)(item_id)
    ordered = [i for i in checklist_ids(step, state) if i in new_checked]
    changed = ordered != state.checked or (remarks is not None and remarks != state.remarks)
    if changed:
        state.checked = ordered
        if remarks is not None:
            state.remarks = remarks
        if status is None:
            state.version += 1
        state.save()
        loaded.case.updated_at = timezone.now()
        loaded.case.save(update_fields=["updated_at"])
    after = _step_view(state)
    if after != before:
        event_type = "step.updated" if changed else "step.started"
        _audit(loaded, actor, acting_role(actor, work_roles(step)), event_type,
               f"{loaded.case.pk}:{step.number}", before, after)
        emit(CaseEvent(event_type, loaded.case, actor, step.number))
    return loaded.case


@transaction.atomic
def step_complete(*, actor: User, case_id: int, number: int, remarks: str | None = None,
                  version: int | None = None, ticked: Iterable[str] | None = None,
                  checklist: list[ChecklistTick] | None = None) -> Case:
    """Complete a step: one user action, one transaction. With `remarks` and the checklist
    (`checklist` as {id, done} items, the API's; or `ticked`, the ids a form ticked: "Gem og
    gennemfør") they are saved with the completion, before the engine's check; a refusal
    saves none of it."""
    loaded, step, state = _prepare_step_move(actor, case_id, number, completing=True)
    remarks = _clean_remarks(remarks)
    if checklist is None:
        checklist = ticked_checklist(step, state, ticked)
    checks = _clean_checklist(step, state, checklist) if checklist is not None else None
    if step.complete_reason and not (remarks if remarks is not None else state.remarks).strip():
        raise ValidationFailed({"remarks": (
            f"Skriv i bemærkningerne, hvorfor trin {step.number} gennemføres her (fx at "
            "IT-visitationen har behandlet sagen uden for anskaf).")})
    _ensure_not_closed(loaded.case)
    _ensure_version(version, state.version, f"Trin {step.number}")
    extra: dict[int, dict[str, Any]] = {step.number: {}}
    if remarks is not None:
        extra[step.number]["remarks"] = remarks
    if checks is not None:
        # The engine checks the required items against what was ticked now (items not named
        # keep their state, as in step_update; a form names every item).
        checked = set(state.checked)
        for item_id, done in checks.items():
            (checked.add if done else checked.discard)(item_id)
        state.checked = [i for i in checklist_ids(step, state) if i in checked]
        extra[step.number]["checked"] = state.checked
    transition = engine.complete(loaded.model, loaded.snapshot(), step.number)
    run_guards(MoveContext("complete", loaded.case, step.number, actor))
    before = _apply(loaded, transition, actor, extra=extra)
    after = _after_view(loaded, transition.steps)
    if step.complete_reason:
        after["reason"] = loaded.states[step.number].remarks
    if extra[step.number]:
        after["saved"] = extra[step.number]  # what the form saved with the completion
    _audit(loaded, actor, acting_role(actor, step.complete_roles or work_roles(step)),
           "step.completed", f"{loaded.case.pk}:{step.number}", before, after)
    emit(CaseEvent("step.completed", loaded.case, actor, step.number))
    return loaded.case


@transaction.atomic
def step_mark_not_relevant(*, actor: User, case_id: int, number: int, reason: str | None,
                           version: int | None = None) -> Case:
    loaded, step, state = _prepare_step_move(actor, case_id, number, not_relevant=True)
    reason = _require_text(reason, "Skriv en begrundelse for, at trinnet ikke er relevant.",
                           "reason")
    _ensure_not_closed(loaded.case)
    _ensure_version(version, state.version, f"Trin {step.number}")
    transition = engine.mark_not_relevant(loaded.model, loaded.snapshot(), step.number)
    run_guards(MoveContext("not_relevant", loaded.case, step.number, actor))
    before = _apply(loaded, transition, actor, reason=reason)
    after = {**_after_view(loaded, transition.steps), "reason": reason}
    _audit(loaded, actor, acting_role(actor, step.not_relevant_roles or work_roles(step)),
           "step.not_relevant", f"{loaded.case.pk}:{step.number}", before, after)
    emit(CaseEvent("step.not_relevant", loaded.case, actor, step.number, {"reason": reason}))
    return loaded.case


@transaction.atomic
def step_reopen(*, actor: User, case_id: int, number: int, reason: str | None,
                version: int | None = None) -> Case:
    loaded, step, state = _prepare_step_move(actor, case_id, number)
    reason = _require_text(reason, "Skriv en begrundelse for at genåbne trinnet.", "reason")
    _ensure_not_closed(loaded.case)
    _ensure_version(version, state.version, f"Trin {step.number}")
    transition = engine.reopen(loaded.model, loaded.snapshot(), step.number)
    run_guards(MoveContext("reopen", loaded.case, step.number, actor))
    before = _apply(loaded, transition, actor)
    after = {**_after_view(loaded, transition.steps), "reason": reason}
    _audit(loaded, actor, acting_role(actor, work_roles(step)), "step.reopened",
           f"{loaded.case.pk}:{step.number}", before, after)
    emit(CaseEvent("step.reopened", loaded.case, actor, step.number, {"reason": reason}))
    return loaded.case


@transaction.atomic
def step_requirement_set(*, actor: User, case_id: int, number: int, item: str,
                         relevant: bool | None, reason: str | None = None,
                         version: int | None = None) -> Case:
    """Declare a waivable requirement ("Hvis relevant" in the guide: `waivable: true` in the
    model) not relevant, with a reason, or relevant again. Whoever may work on the step may."""
    loaded, step, state = _prepare_step_move(actor, case_id, number)
    waivable = {i.id: i for i in engine.waivable_items(step)}
    if item not in waivable:
        choices = ", ".join(waivable) or "ingen"
        raise ReferenceRefused({"item": f"Trin {step.number} har ingen krav »{item}«, der kan "
                                        f"erklæres ikke relevant (mulige: {choices})."})
    if not isinstance(relevant, bool):
        raise ValidationFailed({"relevant": "Angiv true (relevant) eller false (ikke relevant)."})
    if not relevant:
        if reason is None or (isinstance(reason, str) and not reason.strip()):
            raise CombinationRefused({"reason": "Skriv en begrundelse for, at kravet ikke er "
                                                "relevant."})
        reason = _require_text(reason, "Skriv en begrundelse for, at kravet ikke er relevant.",
                               "reason")
    _ensure_not_closed(loaded.case)
    _ensure_version(version, state.version, f"Trin {step.number}")
    engine.check_work(loaded.model, loaded.snapshot(), step.number)
    if state.status == StepStatus.DONE:
        raise InvalidTransition(f"Trin {step.number} er gennemført. Genåbn det først.")
    before = {"item": item, "waived": state.waived.get(item)}
    waived = dict(state.waived)
    if relevant:
        waived.pop(item, None)
    else:
        waived[item] = reason
    if waived == state.waived:
        return loaded.case
    state.waived = waived
    state.version += 1
    state.save(update_fields=["waived", "version", "updated_at"])
    loaded.case.updated_at = timezone.now()
    loaded.case.save(update_fields=["updated_at"])
    event_type = "step.requirement_restored" if relevant else "step.requirement_waived"
    _audit(loaded, actor, acting_role(actor, work_roles(step)), event_type,
           f"{loaded.case.pk}:{step.number}", before, {"item": item, "waived": waived.get(item)})
    emit(CaseEvent(event_type, loaded.case, actor, step.number, {"item": item}))
    return loaded.case


# --- decisions --------------------------------------------------------------------------------


def clean_string_list(value: str | list[str] | None, field: str) -> list[str]:
    """A list of texts (a list, or one text a line each), stripped, empty ones dropped; the
    shape of a decision's IT contacts and missing documentation. ValidationFailed otherwise."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed({field: "Skal være en liste af tekster."})
    return [_ensure_storable(v.strip(), field) for v in value if v.strip()]


@transaction.atomic
def decision_record(*, actor: User, case_id: int, step: int | None, outcome: str | None,
                    rationale: str | None, recommendations: str | None = None,
                    it_contacts: str | list[str] | None = None,
                    missing_documentation: str | list[str] | None = None,
                    version: int | None = None) -> Decision:
    loaded = _load(actor, case_id)
    if isinstance(step, bool) or not isinstance(step, int):
        raise ValidationFailed({"step": "Angiv nummeret på et trin i sagens model."})
    if not loaded.model.has_step(step):
        raise ReferenceRefused({"step": "Angiv nummeret på et trin i sagens model."})
    step_def = loaded.model.step(step)
    if step_def.gate is not None:
        permissions.require(permissions.decide_refusal(actor, loaded.case, loaded.model, step_def,
                                                       loaded.states[step].assignee_id))
    if outcome not in Outcome.values:
        raise ValidationFailed({"outcome": "Udfaldet skal være »yes«, »maybe« eller »no«."})
    engine.check_outcome(loaded.model, step, outcome)
    rationale = _require_text(rationale, "Skriv en begrundelse for beslutningen.", "rationale")
    if recommendations is not None and not isinstance(recommendations, str):
        raise ValidationFailed({"recommendations": "Anbefalinger skal være tekst."})
    if recommendations:
        _ensure_storable(recommendations, "recommendations")
    contacts = clean_string_list(it_contacts, "it_contacts")
    missing = clean_string_list(missing_documentation, "missing_documentation")
    _ensure_not_closed(loaded.case)
    _ensure_version(version, loaded.states[step].version, f"Trin {step}")
    transition = engine.decide(loaded.model, loaded.snapshot(), step, outcome)
    run_guards(MoveContext("decide", loaded.case, step, actor, outcome))
    gate = step_def.gate
    assert gate is not None and transition.decision_round is not None
    role = acting_role(actor, gate.deciding_roles)
    decision = Decision.objects.create(
        case=loaded.case, step=step, round=transition.decision_round, outcome=outcome,
        rationale=rationale, recommendations=(recommendations or "").strip(),
        it_contacts=contacts, missing_documentation=missing, decided_by=actor,
        decided_role=role, decided_at=timezone.now(),
    )
    loaded.decisions.append(decision)
    extra = _missing_documentation_items(step_def, outcome, decision)
    before = _apply(loaded, transition, actor)
    for number, items in extra.items():
        _add_extra_items(loaded.states[number], items)
    after = {**_after_view(loaded, transition.steps), **decision_fields(decision)}
    _audit(loaded, actor, role, "decision.recorded", decision.pk, before, after)
    emit(CaseEvent("decision.recorded", loaded.case, actor, step,
                   {"outcome": outcome, "round": decision.round, "decision": decision}))
    return decision


def _missing_documentation_items(step: StepDef, outcome: str, decision: Decision
                                 ) -> dict[int, list[dict[str, Any]]]:
    """A repeat outcome's missing documentation, as new checklist items of the first step it
    reopens (the board's Måske: where the coordinator collects documentation)."""
    assert step.gate is not None
    reopen = step.gate.outcomes[outcome].reopen
    if not decision.missing_documentation or not reopen:
        return {}
    target = min(reopen)
    return {target: [{"id": f"r{decision.round}-{n}", "label": text, "round": decision.round}
                     for n, text in enumerate(decision.missing_documentation, start=1)]}


def _add_extra_items(state: StepState, items: list[dict[str, object]]) -> None:
    """Append the items unticked; earlier rounds' items stay (ticked or not) as history."""
    known = {i["id"] for i in state.extra_items}
    state.extra_items = [*state.extra_items, *(i for i in items if i["id"] not in known)]
    state.save(update_fields=["extra_items", "updated_at"])


def decision_fields(decision: Decision) -> dict[str, Any]:
    return {
        "step": decision.step, "round": decision.round, "outcome": decision.outcome,
        "rationale": decision.rationale, "recommendations": decision.recommendations,
        "it_contacts": decision.it_contacts,
        "missing_documentation": decision.missing_documentation,
    }


# --- assignment -------------------------------------------------------------------------------


def _assignee_of(actor: User, value: int | str | None) -> User | None:
    if value in (None, ""):
        return None
    lookup = {"pk": value} if isinstance(value, int) and not isinstance(value, bool) else (
        {"username": value} if isinstance(value, str) else None)
    if lookup is None:
        raise ValidationFailed({"assignee": "Angiv personen med brugernavn."})
    person = User.objects.filter(organisation_id=actor.municipality_id, is_active=True,
                                 **lookup).first()
    if person is None:
        raise ReferenceRefused({"assignee": "Personen findes ikke i din kommune."})
    return person


@transaction.atomic
def step_assign(*, actor: User, case_id: int, number: int, assignee: int | str | None,
                version: int | None = None) -> Case:
    """Name the person who does a step, within the step's roles (None clears it)."""
    loaded = _load(actor, case_id)
    step = _step_def(loaded, number)
    state = loaded.states[step.number]
    permissions.require(permissions.assign_refusal(actor, loaded.case, loaded.model, step))
    person = _assignee_of(actor, assignee)
    roles = permissions.eligible_for(loaded.model, step)
    if person is not None and not permissions.access_of(person).holds_any(
            roles, loaded.case.requesting_unit_id):
        raise ReferenceRefused({"assignee": (
            f"{person.display_name()} har ikke en af trinnets roller for sagens enhed "
            f"({', '.join(loaded.model.role_label(r) for r in roles)}).")})
    _ensure_not_closed(loaded.case)
    _ensure_version(version, state.version, f"Trin {step.number}")
    before = {"assignee": state.assignee.username if state.assignee else None}
    if (person.pk if person else None) == state.assignee_id:
        return loaded.case
    state.assignee = person
    state.version += 1
    state.save(update_fields=["assignee", "version", "updated_at"])
    loaded.case.updated_at = timezone.now()
    loaded.case.save(update_fields=["updated_at"])
    after = {"assignee": person.username if person else None}
    _audit(loaded, actor, acting_role(actor, [*permissions.CASE_MANAGERS, *work_roles(step)]),
           "step.assigned", f"{loaded.case.pk}:{step.number}", before, after)
    emit(CaseEvent("step.assigned", loaded.case, actor, step.number,
                   {"assignee": person, "previous": before["assignee"]}))
    return loaded.case
