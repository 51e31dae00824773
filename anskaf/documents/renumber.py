"""A case moved to another model version (ADR 0032): its documents follow their steps by key.
A step with documents cannot be removed (the documents would lose their step)."""

from __future__ import annotations

from anskaf.cases.extensions import renumber_rows

from .models import Document


def renumber(case_id: int, mapping: dict[int, int | None]) -> None:
    renumber_rows(Document.objects.filter(case_id=case_id), "step", mapping)


def blockers(case_id: int, removed: set[int]) -> list[str]:
    steps = sorted(set(Document.objects.filter(case_id=case_id, step__in=removed)
                       .values_list("step", flat=True)))
    return [f"Trin {n} har dokumenter, men findes ikke i den nye model." for n in steps]
