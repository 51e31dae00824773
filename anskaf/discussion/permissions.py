"""Who may do what with a case's comments (ADR 0039): whoever sees the case reads and writes
them (the case's own rule, `anskaf.cases.permissions.can_view`); a comment is changed and
deleted by its author only."""

from __future__ import annotations

from typing import Any

from anskaf.cases import permissions
from anskaf.orgs.models import User

OWN_ONLY = "Du kan kun rette og slette dine egne kommentarer."


def change_refusal(person: Any, comment: Any) -> str | None:
    """Edit or delete the comment: its author only."""
    return None if comment.author_id == getattr(person, "pk", None) else OWN_ONLY


def can_be_mentioned(person: User, case: Any) -> bool:
    """Only people who can see the case are named in its comments."""
    return permissions.can_view(person, case)
