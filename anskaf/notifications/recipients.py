"""Who is told: the performers of a step (or its assignee), role holders for a case's unit,
and the deputy of anyone who is away today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from anskaf.cases.models import Case
from anskaf.orgs.models import Deputy, Membership, OrgUnit, User
from anskaf.orgs.permissions import ancestors
from anskaf.process.model import StepDef


def unit_and_ancestors(unit_id: int | None) -> list[int]:
    """A membership in a unit covers the units below it: so look upwards from the case's unit
    (one query: the unit's organisation's tree)."""
    if unit_id is None:
        return []
    pairs = OrgUnit.objects.filter(organisation__units=unit_id).values_list("pk", "parent_id")
    return ancestors(pairs, unit_id)


def role_holders(case: Case, roles: Iterable[str]) -> list[User]:
    """Active people holding one of the roles for the case's unit (or organisation-wide)."""
    return unit_role_holders(case.organisation_id, case.requesting_unit_id, roles)


def unit_role_holders(organisation_id: int, unit_id: int | None, roles: Iterable[str]
                      ) -> list[User]:
    """Active people holding one of the roles for the unit (or organisation-wide)."""
    roles = list(dict.fromkeys(roles))
    if not roles:
        return []
    scope = Q(unit__isnull=True) | Q(unit_id__in=unit_and_ancestors(unit_id))
    person_ids = (Membership.objects.filter(scope, organisation_id=organisation_id,
                                            role__in=roles)
                  .values_list("person_id", flat=True))
    return list(User.objects.filter(pk__in=person_ids, is_active=True).order_by("pk"))


def step_roles(step: StepDef) -> tuple[str, ...]:
    """The roles a waiting step waits for: a gate's deciders, else its non-optional performers."""
    if step.gate is not None:
        return step.gate.deciding_roles
    return tuple(r.role for r in step.roles if not r.optional)


def step_performers(case: Case, step: StepDef, assignee_id: int | None) -> list[User]:
    """The assignee when the step has one; otherwise everyone who holds the step's roles."""
    if assignee_id is not None:
        return list(User.objects.filter(pk=assignee_id, is_active=True))
    return role_holders(case, step_roles(step))


def with_deputies(people: Iterable[User], today: dt.date | None = None) -> list[User]:
    """The people, plus the deputy of each one who is away today (a deputy acts for them)."""
    people = list(people)
    today = today or timezone.localdate()
    ids = [p.pk for p in people]
    deputies = User.objects.filter(
        is_active=True,
        pk__in=Deputy.objects.filter(person_id__in=ids, starts_on__lte=today, ends_on__gte=today)
        .values("deputy_id"),
    ).order_by("pk")
    return unique([*people, *deputies])


def unique(people: Iterable[User], *, without: User | None = None) -> list[User]:
    seen: set[int] = set()
    result: list[User] = []
    for person in people:
        if person.pk in seen or (without is not None and person.pk == without.pk):
            continue
        seen.add(person.pk)
        result.append(person)
    return result
