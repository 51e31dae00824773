"""Turn a case and its model into what the case page shows, including why an action is not open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from anskaf.audit.models import AuditEvent
from anskaf.cases import permissions
from anskaf.cases.choices import CaseStatus, Outcome, StepStatus
from anskaf.cases.models import Case, Decision, StepState
from anskaf.cases.selectors import CaseDetail
from anskaf.cases.services import snapshot_of
from anskaf.orgs.models import Membership, User
from anskaf.process import engine
from anskaf.process.model import ProcessModel, StepDef

STEP_STATUS_LABELS = dict(StepStatus.choices)
CASE_STATUS_LABELS = dict(CaseStatus.choices)
OUTCOME_LABELS = dict(Outcome.choices)
FIELD_LABELS = {
    "title": "titel", "need": "behov", "strategic_fit": "sammenhæng med organisationen",
    "user_impact": "betydning for slutbrugere/borgere", "candidate_system": "kandidatsystem",
    "supplier_name": "leverandør", "replaces_system": "erstatter et system",
    "replaced_system_name": "system der erstattes",
    "estimated_contract_value": "anslået kontraktværdi", "records_case_number": "ESDH-sagsnummer",
    "unit": "enhed", "status": "status",
}


@dataclass
class ChecklistItemView:
    id: str
    label: str
    done: bool
    required: bool


@dataclass
class StepView:
    definition: StepDef
    state: StepState
    status_label: str
    role_labels: list[str]
    checklist: list[ChecklistItemView]
    decisions: list[Decision] = field(default_factory=list)
    waiting: bool = False
    workable: bool = False
    can_start: bool = False
    complete_refusal: str | None = None
    complete_hint: str | None = None
    assignee: Any = None
    access_refusal: str | None = None  # why the viewer may not work on the step
    complete_access_refusal: str | None = None
    decide_access_refusal: str | None = None
    can_assign: bool = False
    assignable: list[tuple[str, str]] = field(default_factory=list)
    not_relevant_refusal: str | None = None
    not_relevant_access_refusal: str | None = None  # why the viewer may not mark it
    not_relevant_note: str | None = None  # the step's own rule, said where the form is not
    reopen_refusal: str | None = None
    decide_refusal: str | None = None
    open: bool = False  # the body is rendered with the page (else fetched when opened)
    panels: dict[str, list[Any]] = field(default_factory=dict)  # the apps' panels, by place

    @property
    def number(self) -> int:
        return self.definition.number

    @property
    def is_gate(self) -> bool:
        return self.definition.gate is not None

    @property
    def outcomes(self) -> list[Any]:
        return list(self.definition.gate.outcomes.values()) if self.definition.gate else []

    @property
    def decision_fields(self) -> set[str]:
        return {f for o in self.outcomes for f in o.fields}

    @property
    def finished(self) -> bool:
        return self.state.status in (StepStatus.DONE, StepStatus.NOT_RELEVANT)


def _message(refused: engine.MoveRefused | None) -> str | None:
    return refused.message if refused else None


def step_views(detail: CaseDetail, viewer: Any) -> list[StepView]:
    """Each step with what the viewer may do now, and why not where they may not."""
    model, case = detail.model, detail.case
    snap = snapshot_of(case, detail.states, detail.decisions)
    waiting = {s.number for s in engine.waiting_steps(model, snap)}
    states = {s.number: s for s in detail.states}
    views = []
    for step in model.steps:
        state = states[step.number]
        n = step.number
        view = StepView(
            definition=step, state=state,
            status_label=STEP_STATUS_LABELS.get(state.status, state.status),
            role_labels=[model.role_label(r.role) + (" (evt.)" if r.optional else "")
                         for r in step.roles],
            checklist=[ChecklistItemView(i.id, i.label.da, i.id in state.checked, i.required)
                       for i in step.checklist]
            + [ChecklistItemView(i["id"], i["label"], i["id"] in state.checked, True)
               for i in state.extra_items],
            decisions=[d for d in detail.decisions if d.step == n],
            waiting=n in waiting,
            workable=engine.refusal(engine.check_work, model, snap, n) is None,
            can_start=engine.refusal(engine.start, model, snap, n) is None,
            assignee=state.assignee,
        )
        view.access_refusal = permissions.work_refusal(viewer, case, model, step,
                                                       state.assignee_id)
        view.can_assign = permissions.assign_refusal(viewer, case, model, step) is None
        if step.gate is not None:
            view.decide_access_refusal = permissions.decide_refusal(viewer, case, model, step)
        else:
            view.complete_access_refusal = permissions.complete_refusal(
                viewer, case, model, step, state.assignee_id)
        if step.gate is None:
            refused = engine.refusal(engine.complete, model, snap, n)
            # Unticked required items are fixed in the same form, so the button stays.
            if refused is not None and refused.code == "requirement_missing":
                view.complete_hint = refused.message
            else:
                view.complete_refusal = _message(refused)
            not_relevant = engine.refusal(engine.mark_not_relevant, model, snap, n)
            view.not_relevant_refusal = _message(not_relevant)
            view.not_relevant_access_refusal = permissions.not_relevant_refusal(
                viewer, case, model, step, state.assignee_id)
            view.not_relevant_note = _not_relevant_note(model, step, view, not_relevant)
            view.reopen_refusal = _message(engine.refusal(engine.reopen, model, snap, n))
        else:
            view.decide_refusal = _message(engine.refusal(engine.decide, model, snap, n, "yes"))
        views.append(view)
    return views


def _not_relevant_note(model: ProcessModel, step: StepDef, view: StepView,
                       refused: engine.MoveRefused | None) -> str | None:
    """For a step with its own not-relevant rule that is still to do: who may mark it, or
    why it can no longer be (anyone may see who may)."""
    if not (step.not_relevant_roles or step.not_relevant_until_started) or view.finished:
        return None
    if refused is not None and refused.code == "not_relevant_locked":
        return refused.message
    if step.not_relevant_roles and view.not_relevant_access_refusal:
        return permissions.not_relevant_who(model, step)
    return None


@dataclass
class PhaseView:
    number: int
    name: str
    state: str  # "done", "current", "todo"
    steps: list[StepView]


def phase_views(model: ProcessModel, case: Case, steps: list[StepView]) -> list[PhaseView]:
    by_number = {s.number: s for s in steps}
    views = []
    for phase in model.phases:
        phase_steps = [by_number[n] for n in phase.steps]
        if all(s.finished for s in phase_steps):
            state = "done"
        elif case.phase == phase.number:
            state = "current"
        else:
            state = "todo"
        views.append(PhaseView(phase.number, phase.name.da, state, phase_steps))
    return views


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    role: str
    text: str
    detail: str = ""


def _step_of(event: AuditEvent) -> str:
    return event.object_id.rpartition(":")[2]


def timeline(model: ProcessModel, events: list[AuditEvent]) -> list[TimelineEntry]:
    entries = []
    for e in events:
        after = e.after or {}
        before = e.before or {}
        text, detail = _describe(e, after, before)
        entries.append(TimelineEntry(e.at, e.actor_name, model.role_label(e.actor_role)
                                     if e.actor_role else "", text, detail))
    return entries


COMMENT_VERBS = {"comment.created": "skrev en kommentar", "comment.updated": "rettede en kommentar",
                 "comment.deleted": "slettede en kommentar"}


def _describe_comment(event_type: str, data: dict) -> tuple[str, str]:
    """The discussion app's events, with the text as written; a deleted text stays in the audit
    trail only, not on the page."""
    text = COMMENT_VERBS.get(event_type, "ændrede en kommentar")
    if data.get("step"):
        text += f" om trin {data['step']}"
    return text, "" if event_type == "comment.deleted" else data.get("body", "")


def _describe(e: AuditEvent, after: dict, before: dict) -> tuple[str, str]:
    step = _step_of(e)
    if e.event_type == "case.created":
        return "oprettede sagen", after.get("title", "")
    if e.event_type == "case.updated":
        fields = ", ".join(FIELD_LABELS.get(k, k) for k in sorted(after))
        return "rettede sagens oplysninger", fields
    if e.event_type == "case.withdrawn":
        return "trak sagen tilbage", after.get("reason", "")
    if e.event_type == "case.handed_over":
        steps = after.get("steps") or []
        moved = f" (tildelte trin flyttet: {', '.join(map(str, steps))})" if steps else ""
        detail = " – ".join(filter(None, [after.get("reason", ""), moved.strip(" ()")]))
        return (f"overdrog sagen fra {before.get('coordinator') or 'ingen'} til "
                f"{after.get('coordinator')}", detail)
    if e.event_type.startswith("comment."):
        return _describe_comment(e.event_type, after or before)
    if e.event_type == "step.completed":
        return f"gennemførte trin {step}", ""
    if e.event_type == "step.started":
        return f"påbegyndte trin {step}", ""
    if e.event_type == "step.updated":
        parts = []
        if before.get("remarks") != after.get("remarks"):
            parts.append("bemærkninger")
        if before.get("checked") != after.get("checked"):
            parts.append("tjekliste")
        if before.get("status") != after.get("status"):
            parts.append("status: " + STEP_STATUS_LABELS.get(after.get("status"), ""))
        return f"opdaterede trin {step}", ", ".join(parts)
    if e.event_type == "step.not_relevant":
        return f"markerede trin {step} som ikke relevant", after.get("reason", "")
    if e.event_type == "step.reopened":
        return f"genåbnede trin {step}", after.get("reason", "")
    if e.event_type == "decision.recorded":
        outcome = OUTCOME_LABELS.get(after.get("outcome"), after.get("outcome", ""))
        return (f"besluttede trin {after.get('step')} (runde {after.get('round')}): {outcome}",
                after.get("rationale", ""))
    if e.event_type == "document.uploaded":  # anskaf/documents; the type, never the file name
        return (f"uploadede version {after.get('version')} af et dokument til trin "
                f"{after.get('step')}", after.get("type_title") or after.get("type", ""))
    if e.event_type == "document.journalised":
        return "journaliserede et dokument", f"ESDH-nummer {after.get('records_number', '')}"
    if e.event_type in MEETING_EVENTS:  # written by anskaf/meetings on the case
        text, key = MEETING_EVENTS[e.event_type]
        return text, str(after.get(key, "")) if key else ""
    return e.event_type, ""


MEETING_EVENTS = {
    "meeting.case_put_forward": ("sendte sagen til IT-visitationen", "note"),
    "meeting.item_added": ("satte sagen på IT-visitationens dagsorden", ""),
    "meeting.item_removed": ("tog sagen af IT-visitationens dagsorden", ""),
    "meeting.item_moved": ("flyttede sagen på IT-visitationens dagsorden", ""),
    "meeting.item_updated": ("skrev noter til sagen fra IT-visitationens møde", "notes"),
    "meeting.question_asked": ("stillede et supplerende spørgsmål", "text"),
    "meeting.question_answered": ("registrerede svaret på et spørgsmål", "answer"),
    "meeting.outcome_recorded": ("registrerede udfaldet på IT-visitationens møde", ""),
}


def assignable_people(detail: CaseDetail, viewer: User) -> dict[int, list[tuple[str, str]]]:
    """Per step: the people who hold one of its roles for the case's unit (one query; the unit
    tree comes with the viewer's roles, which are of the same municipality)."""
    case, model = detail.case, detail.model
    covered = permissions.access_of(viewer).unit_tree
    holders: dict[str, dict[str, str]] = {}
    for m in (Membership.objects.filter(organisation_id=case.organisation_id,
                                        person__is_active=True).select_related("person")):
        if m.unit_id is None or case.requesting_unit_id in covered.get(m.unit_id, ()):
            holders.setdefault(m.role, {})[m.person.username] = m.person.display_name()
    result = {}
    for step in model.steps:
        people: dict[str, str] = {}
        for role in permissions.eligible_for(model, step):
            people.update(holders.get(role, {}))
        result[step.number] = sorted(people.items(), key=lambda p: p[1])
    return result
