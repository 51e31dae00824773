"""A case moved to another model version (ADR 0032): comments follow their steps by key; a
comment on a step the new model removes becomes a comment on the case as a whole."""

from __future__ import annotations

from anskaf.cases.extensions import renumber_rows

from .models import Comment


def renumber(case_id: int, mapping: dict[int, int | None]) -> None:
    removed = [old for old, new in mapping.items() if new is None]
    comments = Comment.objects.filter(case_id=case_id)
    if removed:
        comments.filter(step__in=removed).update(step=None)
    renumber_rows(comments, "step", mapping)
