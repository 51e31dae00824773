from __future__ import annotations

from .models import Membership, OrgUnit, User


def roles_of(person: User) -> list[str]:
    """The person's role keys, cached on the instance for the request."""
    cached = getattr(person, "_role_keys", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(person=person).values_list("role", flat=True).distinct()
        )
        person._role_keys = cached  # type: ignore[attr-defined]
    return cached


def unit_list(*, organisation_id: int) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(organisation_id=organisation_id).order_by("name"))
