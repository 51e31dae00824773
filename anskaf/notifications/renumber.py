"""A case moved to another model version (ADR 0032): notices, deadlines and the record of
announced steps follow their steps by key. A removed step's deadline and announcement go; its
notices stay, pointing at the case."""

from __future__ import annotations

from anskaf.cases.extensions import renumber_rows

from .models import AnnouncedStep, Notification, StepDeadline


def renumber(case_id: int, mapping: dict[int, int | None]) -> None:
    removed = [old for old, new in mapping.items() if new is None]
    notices = Notification.objects.filter(case_id=case_id)
    if removed:
        notices.filter(step__in=removed).update(step=None)
        StepDeadline.objects.filter(case_id=case_id, step__in=removed).delete()
        AnnouncedStep.objects.filter(case_id=case_id, step__in=removed).delete()
    renumber_rows(notices, "step", mapping)
    renumber_rows(StepDeadline.objects.filter(case_id=case_id), "step", mapping)
    renumber_rows(AnnouncedStep.objects.filter(case_id=case_id), "step", mapping)
