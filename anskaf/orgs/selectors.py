from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from .choices import Role
from .errors import NotFound
from .models import Membership, OrgUnit, User
from .permissions import descendants_map, unit_pairs


def unit_list(*, organisation_id: int) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(organisation_id=organisation_id).order_by("name"))


@dataclass(frozen=True)
class UnitRow:
    """A unit in tree order: its depth (0 = top level) and the names of the units above it."""

    unit: OrgUnit
    depth: int
    path: tuple[str, ...]
    people: int = 0

    @property
    def parent_name(self) -> str:
        return self.path[-2] if len(self.path) > 1 else ""

    @property
    def label(self) -> str:
        """The unit's name with the units above it, e.g. "Social- og … › Hjemmeplejen"."""
        return " › ".join(self.path)


def unit_tree(*, organisation_id: int, with_people: bool = False) -> list[UnitRow]:
    """All units of the organisation depth-first (forvaltning, then its afdelinger), by name."""
    qs = OrgUnit.objects.filter(organisation_id=organisation_id)
    if with_people:
        qs = qs.annotate(n_people=Count("people", distinct=True))
    units = list(qs.order_by("name", "pk"))
    children: dict[int | None, list[OrgUnit]] = {}
    by_pk = {u.pk: u for u in units}
    for u in units:
        parent = u.parent_id if u.parent_id in by_pk else None
        children.setdefault(parent, []).append(u)
    rows: list[UnitRow] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int, path: tuple[str, ...]) -> None:
        for u in children.get(parent, []):
            if u.pk in seen:  # a cycle can only come from outside the services; never loop
                continue
            seen.add(u.pk)
            here = (*path, u.name)
            rows.append(UnitRow(u, depth, here, getattr(u, "n_people", 0)))
            walk(u.pk, depth + 1, here)

    walk(None, 0, ())
    return rows


def unit_get(*, organisation_id: int, unit_id: int) -> OrgUnit:
    """One unit of the organisation; NotFound for another organisation's unit or none."""
    unit = OrgUnit.objects.filter(pk=unit_id, organisation_id=organisation_id).first()
    if unit is None:
        raise NotFound("Enheden findes ikke i din kommune.")
    return unit


def unit_descendant_ids(unit: OrgUnit) -> set[int]:
    """The unit's own id and the ids of every unit below it."""
    return descendants_map(unit_pairs(unit.organisation_id)).get(unit.pk, {unit.pk})


def person_list(*, organisation_id: int, query: str = "") -> QuerySet[User]:
    """The organisation's people, by name; `query` searches username, name and e-mail."""
    qs = (User.objects.filter(organisation_id=organisation_id)
          .select_related("unit")
          .prefetch_related(Prefetch("memberships",
                                     queryset=Membership.objects.select_related("unit")))
          .order_by("first_name", "last_name", "username"))
    for word in query.split():
        qs = qs.filter(Q(username__icontains=word) | Q(first_name__icontains=word)
                       | Q(last_name__icontains=word) | Q(email__icontains=word))
    return qs


def person_get(*, organisation_id: int, person_id: int) -> User:
    """One person of the organisation; NotFound for another organisation's person or none."""
    person = (User.objects.select_related("unit")
              .filter(pk=person_id, organisation_id=organisation_id).first())
    if person is None:
        raise NotFound("Personen findes ikke i din kommune.")
    return person


def memberships_of(person: User) -> list[Membership]:
    """The person's roles, organisation-wide first, then by role and unit name."""
    rows = list(Membership.objects.filter(person=person, organisation_id=person.municipality_id)
                .select_related("unit"))
    order = {key: i for i, key in enumerate(Role.values)}
    rows.sort(key=lambda m: (m.unit_id is not None, order.get(m.role, 99),
                             m.unit.name if m.unit else ""))
    return rows
