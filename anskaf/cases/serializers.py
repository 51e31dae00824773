"""Turn what the selectors return into the API's JSON shapes (plain dicts, no queries)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from anskaf.audit.events import object_type_name
from anskaf.audit.models import AuditEvent
from anskaf.process import engine
from anskaf.process.model import ChecklistItemDef, ProcessModel

from .models import Case, Decision
from .selectors import CaseDetail, WaitingFor, case_attention


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def _unit(case: Case) -> dict[str, Any] | None:
    unit = case.requesting_unit
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _phase_name(model: ProcessModel, phase: int | None) -> str | None:
    if phase is None:
        return None
    try:
        return model.phase(phase).name.da
    except StopIteration:
        return None


def _amount(case: Case) -> float | None:
    value = case.estimated_contract_value
    return float(value) if value is not None else None


def decision_dict(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "step": decision.step,
        "round": decision.round,
        "outcome": decision.outcome,
        "rationale": decision.rationale,
        "recommendations": decision.recommendations,
        "it_contacts": list(decision.it_contacts or []),
        "missing_documentation": list(decision.missing_documentation or []),
        "decided_by": _username(decision.decided_by),
        "decided_role": decision.decided_role,
        "decided_at": decision.decided_at,
    }


def _requirements(step: Any, state: Any) -> list[dict[str, Any]]:
    waived = state.waived if state is not None else {}
    return [{"id": i.id, "label": i.label.da,
             "kind": "checklist" if isinstance(i, ChecklistItemDef) else "document",
             "waived": i.id in waived, "reason": waived.get(i.id)}
            for i in engine.waivable_items(step)]


def case_dict(detail: CaseDetail) -> dict[str, Any]:
    case, model = detail.case, detail.model
    states = {s.number: s for s in detail.states}
    steps = []
    for step in model.steps:
        state = states.get(step.number)
        checked = set(state.checked if state is not None else [])
        steps.append({
            "number": step.number,
            "key": step.key,
            "title": step.title.da,
            "description": step.description.da,
            "performers": {"text": step.performers_text,
                           "roles": [{"role": r.role, "label": model.role_label(r.role),
                                      "optional": r.optional} for r in step.roles]},
            "requirements": _requirements(step, state),
            "phase": step.phase,
            "status": state.status if state is not None else "not_started",
            "version": state.version if state is not None else 1,
            "remarks": state.remarks if state is not None else "",
            "checklist": [{"id": item.id, "label": item.label.da, "done": item.id in checked,
                           "required": item.required} for item in step.checklist]
            + [{"id": item["id"], "label": item["label"], "done": item["id"] in checked,
                "required": True} for item in (state.extra_items if state is not None else [])],
            "completed_by": _username(state.completed_by) if state is not None else None,
            "completed_at": state.completed_at if state is not None else None,
            "not_relevant_reason": state.not_relevant_reason if state is not None else "",
            "is_gate": step.is_gate,
            "assignee": _username(state.assignee) if state is not None else None,
        })
    decisions = sorted(detail.decisions, key=lambda d: (d.decided_at, d.pk))
    version = case.model_version
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "need": case.need,
        "strategic_fit": case.strategic_fit,
        "user_impact": case.user_impact,
        "status": case.status,
        "phase": case.phase,
        "phase_name": _phase_name(model, case.phase),
        "replaces_system": case.replaces_system,
        "replaced_system_name": case.replaced_system_name,
        "estimated_contract_value": _amount(case),
        "candidate_system": case.candidate_system,
        "supplier_name": case.supplier_name,
        "records_case_number": case.records_case_number,
        "restricted": case.restricted,
        "unit": _unit(case),
        "coordinator": _username(case.coordinator),
        "withdrawn_reason": case.withdrawn_reason,
        "version": case.version,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "waiting_roles": list(case.waiting_roles or []),
        **_attention(detail),
        "model": {"key": version.key, "version": version.version, "sha256": version.sha256},
        "steps": steps,
        "decisions": [decision_dict(d) for d in decisions],
    }


def _waiting(item: WaitingFor) -> dict[str, Any]:
    return {"step": item.number, "key": item.step.key, "reason": str(item.waiting.why),
            "blocked_by": list(item.waiting.blocked_by), "blocks": list(item.waiting.blocks),
            "since": item.since, "handed_over_by": _username(item.handed_over_by),
            "hold": item.hold}


def _attention(detail: CaseDetail) -> dict[str, Any]:
    """What the case waits for now and what only in principle (ADR 0020)."""
    found = case_attention(detail)
    return {"waiting_now": [_waiting(w) for w in found.now],
            "waiting_in_principle": [_waiting(w) for w in found.in_principle]}


def case_summary_dict(case: Case, model: ProcessModel) -> dict[str, Any]:
    """A list row. Needs `requesting_unit` loaded (no queries here)."""
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "phase": case.phase,
        "phase_name": _phase_name(model, case.phase),
        "unit": _unit(case),
        "waiting_roles": list(case.waiting_roles or []),
        "steps_in_progress": list(case.steps_in_progress or []),
        "updated_at": case.updated_at,
    }


def event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": _username(event.actor),
        "actor_name": event.actor_name,
        "role": event.actor_role,
        "type": event.event_type,
        "object_type": object_type_name(event.object_type),  # old names as labels
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }


def event_list(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    return [event_dict(e) for e in events]
