"""Reading cases: the viewer's organisation first, then filters, in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from anskaf.audit.models import AuditEvent
from anskaf.orgs.models import User
from anskaf.process.model import ProcessModel

from .choices import CaseStatus
from .errors import NotFound, ValidationFailed
from .models import Case, Decision, StepState
from .process_models import model_of


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    phase: int | None = None
    unit: int | None = None
    q: str | None = None


def parse_filters(params: Any) -> CaseFilters:
    """Turn query parameters into filters, or a ValidationFailed naming the bad ones."""
    errors: dict[str, str] = {}
    status = params.get("status") or None
    if status and status not in CaseStatus.values:
        errors["status"] = f"Ukendt status {status!r}; brug en af: {', '.join(CaseStatus.values)}."
    phase = _int_param(params, "phase", errors, "Fasen skal være et tal fra 1 til 5.", 1, 99)
    unit = _int_param(params, "unit", errors, "Enheden skal angives med sit id.", 1, 2**63 - 1)
    q = (params.get("q") or "").strip() or None
    if errors:
        raise ValidationFailed(errors)
    return CaseFilters(status=status, phase=phase, unit=unit, q=q)


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
    return Case.objects.filter(organisation_id=viewer.organisation_id)


def case_list(*, viewer: User, filters: CaseFilters, after: tuple[datetime, int] | None = None,
              limit: int = 50) -> list[Case]:
    """Most recently changed first; keyset pagination on (updated_at, id)."""
    limit = max(1, min(limit, 1000))
    qs = visible_cases(viewer).select_related("requesting_unit", "model_version")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.phase is not None:
        qs = qs.filter(phase=filters.phase)
    if filters.unit is not None:
        qs = qs.filter(requesting_unit_id=filters.unit)
    if filters.q:
        # search_text is casefolded in Python, so "økonomi" finds "Økonomi" on SQLite too.
        qs = qs.filter(search_text__contains=filters.q.casefold())
    if after is not None:
        updated_at, pk = after
        qs = qs.filter(Q(updated_at__lt=updated_at) | Q(updated_at=updated_at, id__lt=pk))
    return list(qs.order_by("-updated_at", "-id")[:limit])


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
        .prefetch_related(
            Prefetch("step_states", queryset=StepState.objects.select_related("completed_by")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound()
    return CaseDetail(case, model_of(case.model_version), list(case.step_states.all()),
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
    qs = AuditEvent.objects.filter(organisation_id=viewer.organisation_id,
                                   case_id=pk).select_related("actor")
    if after_seq is not None:
        qs = qs.filter(seq__gt=after_seq)
    return list(qs.order_by("seq")[:limit])
