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
    answer: str = ""  # what the create form answered for it (`answered_by:` in the model)


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

    @property
    def answered(self) -> str:
        """The hint over a checklist the create form answered (part of it): where the answers
        are, so nobody is asked again."""
        answered = [i for i in self.checklist if i.answer]
        if not answered:
            return ""
        return "besvaret ved oprettelsen (se »Behovsafdækning« øverst)"
    not_relevant_note: str | None = None  # the step's own rule, said where the form is not
    reopen_refusal: str | None = None
    decide_refusal: str | None = None
    open: bool = False  # the body is rendered with the page (else fetched when opened)
    # The model's "Hvis relevant" requirements: (id, Danish label, the reason when waived).
    waivable: list[tuple[str, str, str | None]] = field(default_factory=list)
    now: bool = False  # the case waits on this step now (process.attention)
    # The step as the model version it was finished under had it, when the case has since moved
    # to another version and the texts differ (ADR 0032); None otherwise.
    then: Any = None
    panels: dict[str, list[Any]] = field(default_factory=dict)  # the apps' panels, by place
    # Its one-line HTML with the case's parts as placeholders, kept (step_lines.py).
    line: str | None = None

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
            status_label=str(STEP_STATUS_LABELS.get(state.status, state.status)),
            role_labels=[model.role_label(r.role) + (" (evt.)" if r.optional else "")
                         for r in step.roles],
            checklist=[ChecklistItemView(i.id, i.label.da, i.id in state.checked, i.required,
                                         getattr(case, i.answered_by) if i.answered_by else "")
                       for i in step.checklist]
            + [ChecklistItemView(i["id"], i["label"], i["id"] in state.checked, True)
               for i in state.extra_items],
            decisions=[d for d in detail.decisions if d.step == n],
            waiting=n in waiting,
            workable=engine.refusal(engine.check_work, model, snap, n) is None,
            can_start=engine.refusal(engine.start, model, snap, n) is None,
            assignee=state.assignee,
            waivable=[(i.id, i.label.da, state.waived.get(i.id)) for i in engine.waivable_items(step)],
        )
        view.access_refusal = permissions.work_refusal(viewer, case, model, step,
                                                       state.assignee_id)
        view.can_assign = permissions.assign_refusal(viewer, case, model, step) is None
        if step.gate is not None:
            view.decide_access_refusal = permissions.decide_refusal(viewer, case, model, step,
                                                                    state.assignee_id)
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
    expanded: bool = True  # False: folded to one line (nothing in it waits or is open now)


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
        expanded = state == "current" or any(
            s.open or s.now or s.state.status == StepStatus.IN_PROGRESS for s in phase_steps)
        views.append(PhaseView(phase.number, phase.name.da, state, phase_steps, expanded))
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
    if e.event_type == "case.imported":
        counts = after.get("counts") or {}
        parts = [f"{counts[k]} {label}" for k, label in (
            ("done", "trin gennemført"), ("decide", "beslutninger registreret"),
            ("not_relevant", "trin ikke relevante"), ("in_progress", "trin i gang"))
            if counts.get(k)]
        return f"importerede sagen fra Word ({after.get('name', '')})", ", ".join(parts)
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
    if e.event_type == "case.model_migrated":  # ADR 0032: earlier entries keep their numbers
        return (f"flyttede sagen fra version {before.get('version')} til version "
                f"{after.get('version')} af procesmodellen",
                " ".join(after.get("changes") or []))
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
            parts.append("status: " + STEP_STATUS_LABELS.get(after.get("status", ""), ""))
        return f"opdaterede trin {step}", ", ".join(parts)
    if e.event_type == "step.not_relevant":
        return f"markerede trin {step} som ikke relevant", after.get("reason", "")
    if e.event_type == "step.reopened":
        return f"genåbnede trin {step}", after.get("reason", "")
    if e.event_type == "decision.recorded":
        outcome = OUTCOME_LABELS.get(after.get("outcome", ""), after.get("outcome", ""))
        return (f"besluttede trin {after.get('step')} (runde {after.get('round')}): {outcome}",
                after.get("rationale", ""))
    if e.event_type == "document.uploaded":  # anskaf/documents; the type, never the file name
        return (f"uploadede version {after.get('version')} af et dokument til trin "
                f"{after.get('step')}", after.get("type_title") or after.get("type", ""))
    if e.event_type in ("step.requirement_waived", "step.requirement_restored"):
        if e.event_type == "step.requirement_restored":
            return f"gjorde et krav i trin {step} gældende igen", after.get("item", "")
        return (f"markerede et krav i trin {step} som ikke relevant",
                f"{after.get('item', '')}: {after.get('waived') or ''}")
    if e.event_type == "case.journalised":
        return "journaliserede hele sagen", f"ESDH-nummer {after.get('records_number', '')}"
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


def role_holders(detail: CaseDetail, viewer: User) -> dict[str, dict[str, str]]:
    """Per role: the active people (username -> name) who hold it for the case's unit (one
    query; the unit tree comes with the viewer's roles, which are of the same municipality)."""
    case = detail.case
    covered = permissions.access_of(viewer).unit_tree
    holders: dict[str, dict[str, str]] = {}
    for m in (Membership.objects.filter(organisation_id=case.organisation_id,
                                        person__is_active=True).select_related("person")):
        if m.unit_id is None or case.requesting_unit_id in covered.get(m.unit_id, ()):
            holders.setdefault(m.role, {})[m.person.username] = m.person.display_name()
    return holders


def assignable_people(detail: CaseDetail, viewer: User,
                      holders: dict[str, dict[str, str]] | None = None,
                      ) -> dict[int, list[tuple[str, str]]]:
    """Per step: the people who hold one of its roles for the case's unit."""
    if holders is None:
        holders = role_holders(detail, viewer)
    result = {}
    for step in detail.model.steps:
        people: dict[str, str] = {}
        for role in permissions.eligible_for(detail.model, step):
            people.update(holders.get(role, {}))
        result[step.number] = sorted(people.items(), key=lambda p: p[1])
    return result


# --- the status panel at the top of the case page (ADR 0020) ---------------------------------


@dataclass
class StatusItem:
    """One step the case waits on now, as the status panel says it."""

    number: int
    title: str
    who: str  # "role, names" per role that must act (or the assignee), in Danish
    since: datetime | None
    days: int | None
    deadline: Any = None
    note: str = ""  # e.g. "Trin 12 venter på dette trin"
    yours: bool = False
    is_gate: bool = False


@dataclass
class StatusPanel:
    closed: bool
    items: list[StatusItem] = field(default_factory=list)
    handover: list[StatusItem] = field(default_factory=list)  # held steps: hand the case over
    may_hand_over: bool = False
    ended: str = ""  # for a closed case: how it ended
    ended_detail: str = ""  # the decision's rationale or the reason
    ended_by: str = ""
    ended_at: datetime | None = None

    @property
    def mine(self) -> list[StatusItem]:
        return [i for i in self.items if i.yours]


MAX_NAMES = 3


def _names(names: list[str]) -> str:
    names = sorted(names)
    if len(names) > MAX_NAMES:
        return ", ".join(names[:MAX_NAMES]) + f" m.fl. ({len(names)})"
    return ", ".join(names) or "ingen i anskaf"


def acting_roles(step: StepDef) -> list[str]:
    """The roles that must act on a step: a gate's deciders, else its required performers."""
    return list(step.gate.deciding_roles) if step.gate is not None else [
        r.role for r in step.roles if not r.optional]


def _who(model: ProcessModel, step: StepDef, assignee: Any,
         holders: dict[str, dict[str, str]]) -> str:
    if assignee is not None:
        return f"tildelt {assignee.display_name()}"
    return " · ".join(f"{model.role_label(r)}, {_names(list(holders.get(r, {}).values()))}"
                      for r in acting_roles(step))


def _status_item(model: ProcessModel, item: Any, view: StepView | None,
                 holders: dict[str, dict[str, str]], now: datetime, deadline: Any
                 ) -> StatusItem:
    step = item.step
    note = ""
    if item.waiting.blocks:
        note = "Spærrer for " + ", ".join(f"trin {n}" for n in item.waiting.blocks)
    yours = view is not None and view.access_refusal is None and (
        view.decide_access_refusal is None if step.gate is not None
        else view.complete_access_refusal is None)
    return StatusItem(
        number=step.number, title=step.title.da,
        who=_who(model, step, view.assignee if view is not None else None, holders),
        since=item.since, days=(now - item.since).days if item.since else None,
        deadline=deadline, note=note, yours=yours, is_gate=step.gate is not None)


def status_panel(detail: CaseDetail, found: Any, steps: list[StepView],
                 holders: dict[str, dict[str, str]], deadlines: dict[int, Any],
                 events: list[AuditEvent], may_hand_over: bool, now: datetime) -> StatusPanel:
    """What the case waits for now and who must act, or how a closed case ended."""
    case, model = detail.case, detail.model
    if case.is_closed:
        return _ended(detail, events)
    views = {s.number: s for s in steps}
    panel = StatusPanel(closed=False, may_hand_over=may_hand_over)
    panel.items = [_status_item(model, w, views.get(w.number), holders, now,
                                deadlines.get(w.number)) for w in found.now]
    for w in found.handover:
        item = _status_item(model, w, views.get(w.number), holders, now, deadlines.get(w.number))
        coordinator = (case.coordinator.display_name() if case.coordinator is not None
                       else "ingen koordinator")
        item.who = f"{model.role_label('coordinator')}, {coordinator}"
        item.note = w.hold
        item.yours = may_hand_over
        panel.handover.append(item)
    return panel


def _ended(detail: CaseDetail, events: list[AuditEvent]) -> StatusPanel:
    case, model = detail.case, detail.model
    if case.status == CaseStatus.REJECTED:
        decision = max((d for d in detail.decisions if d.outcome == Outcome.NO),
                       key=lambda d: d.decided_at, default=None)
        if decision is not None:
            step = model.step(decision.step)
            return StatusPanel(
                closed=True, ended=f"Sagen er afvist: {OUTCOME_LABELS.get(decision.outcome)} "
                f"i trin {step.number} ({step.title.da}), runde {decision.round}.",
                ended_detail=decision.rationale,
                ended_by=decision.decided_by.display_name() if decision.decided_by else "",
                ended_at=decision.decided_at)
        return StatusPanel(closed=True, ended="Sagen er afvist.")
    if case.status == CaseStatus.WITHDRAWN:
        event = next((e for e in reversed(events) if e.event_type == "case.withdrawn"), None)
        return StatusPanel(closed=True, ended="Sagen er trukket tilbage.",
                           ended_detail=case.withdrawn_reason,
                           ended_by=event.actor_name if event else "",
                           ended_at=event.at if event else None)
    completed = [(s.completed_at, s) for s in detail.states if s.completed_at is not None]
    if not completed:
        return StatusPanel(closed=True, ended="Sagen er afsluttet.")
    _, last = max(completed, key=lambda pair: pair[0])
    step = model.step(last.number)
    return StatusPanel(
        closed=True, ended=f"Sagen er afsluttet: trin {step.number} ({step.title.da}) blev "
        "gennemført som det sidste.",
        ended_by=last.completed_by.display_name() if last.completed_by else "",
        ended_at=last.completed_at)
