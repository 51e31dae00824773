"""Small readers for service tests: what is in the database for a case, right now."""

from __future__ import annotations

from typing import Any

from anskaf.audit.models import AuditEvent
from anskaf.cases.models import Case, Decision, StepState


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def step(case: Case, number: int) -> StepState:
    return StepState.objects.get(case_id=case.pk, number=number)


def status_of(case: Case, number: int) -> str:
    return step(case, number).status


def events(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(case_id=case.pk).order_by("seq"))


def event_types(case: Case) -> list[str]:
    return [e.event_type for e in events(case)]


def last_event(case: Case) -> AuditEvent:
    return AuditEvent.objects.filter(case_id=case.pk).order_by("-seq").first()


def everything(case: Case) -> dict[str, Any]:
    """All rows a move could write, to prove that a refused move wrote nothing."""
    c = fresh(case)
    return {
        "case": {f.attname: getattr(c, f.attname) for f in Case._meta.concrete_fields},
        "steps": [
            {f.attname: getattr(s, f.attname) for f in StepState._meta.concrete_fields}
            for s in StepState.objects.filter(case_id=case.pk).order_by("number")
        ],
        "decisions": list(Decision.objects.filter(case_id=case.pk).order_by("id").values()),
        "events": list(AuditEvent.objects.filter(organisation_id=c.organisation_id)
                       .order_by("seq").values_list("seq", "hash")),
    }
