"""Who may do what with notifications and deadlines (ADR 0039). A person reads and marks
their own notifications only (the selectors filter by recipient); the operations page and
retrying an e-mail are for administrators (`anskaf.orgs.permissions.is_admin`)."""

from __future__ import annotations

from anskaf.cases import permissions
from anskaf.cases.models import Case
from anskaf.orgs.models import User


def deadline_refusal(actor: User, case: Case) -> str | None:
    """Deadlines are planned by those who manage the case (as editing it)."""
    if permissions.edit_refusal(actor, case) is None:
        return None
    return "Kun sagens koordinator, den koordinerende funktion eller ledelsen kan sætte frister."
