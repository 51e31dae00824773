"""Who someone is: the building blocks of every app's access rules (ADR 0039).

Each app says who may do what in its own `permissions.py`, as pure functions of a person and
an object (`can_<verb>_<object>(person, obj)` -> bool, or `<verb>_refusal(person, obj)` -> a
Danish reason or None), and services enforce them with `require(refusal)`. They all build on
this module, which alone defines:

- who is an administrator (`is_admin`: the `admin` role for the whole municipality) and who is
  the installation's operator (`is_operator`, ADR 0030);
- the walk of the unit tree (`descendants_map`, `ancestors`, in orgs/tree.py): a role held in
  a unit covers the units below it;
- a person's roles, units and deputies (`access_of`), read once per request.

"Once per request" is an `AccessCache` (orgs/request_cache.py): the web's
`AccessCacheMiddleware` binds a fresh one for each request, and `access_cache()` binds one for
a block of code (a command, a task). Under it sits the person's viewer (orgs/viewer.py, ADR
0041), kept across requests in Django's cache under the municipality's access stamp. With no
request cache bound (a test calling a service, the worker) every question goes to the viewer
cache. Nothing is ever stored on a model instance, so a person object that outlives a request
(a test's fixture, a worker's loop) never answers with yesterday's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from .choices import Role
from .errors import NotAllowed
from .models import Organisation, OrgUnit, User
from .request_cache import (  # noqa: F401  (re-exported: the building blocks of every rule)
    AccessCache,
    access_cache,
    clear_request_cache,
    current_cache,
    memo,
    memoised,
)
from .tree import ancestors, descendants_map  # noqa: F401  (re-exported)
from .viewer import forget_viewer, viewer_of

ADMIN_ROLE = Role.ADMIN.value


# --- refusing ---------------------------------------------------------------------------------


def require(refusal: str | None, error: Callable[[str], Exception] = NotAllowed) -> None:
    """Raise `error(refusal)` when there is a refusal: how every service enforces a rule.

    `error` is the app's own 403 error (cases' `PermissionDenied`, orgs' `NotAllowed`)."""
    if refusal is not None:
        raise error(refusal)


# --- the unit tree ----------------------------------------------------------------------------


def unit_pairs(organisation_id: int | None) -> list[tuple[int, int | None]]:
    """The organisation's units as (pk, parent pk): what the walks above take (none for the
    operator, who belongs to no municipality)."""
    if organisation_id is None:
        return []
    return list(OrgUnit.objects.filter(organisation_id=organisation_id)
                .values_list("pk", "parent_id"))


# --- forgetting -------------------------------------------------------------------------------


def forget_access(person: User | None = None) -> None:
    """After roles, deputies or units changed: the rest of the request reads them again.
    (Empties the whole request cache: a deputy's access holds the roles of the person they
    stand in for, so one person's change can change another's access.) Given a person, their
    object also drops its municipality, so outside a request too it reads the new stamp."""
    if person is not None:
        forget_viewer(person)
    else:
        clear_request_cache()


# --- a person's roles -------------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """Roles held organisation-wide and per unit (each unit with the units below it)."""

    org_roles: frozenset[str] = frozenset()
    unit_roles: dict[str, frozenset[int]] = field(default_factory=dict)

    def holds(self, role: str, unit_id: int | None) -> bool:
        if role in self.org_roles:
            return True
        return unit_id is not None and unit_id in self.unit_roles.get(role, frozenset())

    def holds_any(self, roles: Iterable[str], unit_id: int | None) -> bool:
        return any(self.holds(r, unit_id) for r in roles)

    @property
    def keys(self) -> frozenset[str]:
        """Every role held, organisation-wide or in some unit."""
        return self.org_roles | {r for r, units in self.unit_roles.items() if units}


@dataclass(frozen=True)
class Access(Roles):
    """A person's roles, the units each covers, and whom they deputise for today."""

    person: User | None = None
    own_units: frozenset[int] = frozenset()
    deputising_for: frozenset[int] = frozenset()
    # Each unit of the organisation -> itself and the units below it (read with the roles).
    unit_tree: Mapping[int, Set[int]] = field(default_factory=dict)
    # The roles of each person deputised for today: a deputy acts with them, but only on the
    # absent person's own tasks (steps assigned to them), never on the deputy's others.
    absent_roles: dict[int, Roles] = field(default_factory=dict)

    def holds_for(self, assignee_id: int | None, roles: Iterable[str],
                  unit_id: int | None) -> bool:
        """The person holds one of the roles, or deputises today for the step's assignee who
        does."""
        roles = tuple(roles)
        if self.holds_any(roles, unit_id):
            return True
        absent = self.absent_roles.get(assignee_id) if assignee_id is not None else None
        return absent is not None and absent.holds_any(roles, unit_id)

    @property
    def is_admin(self) -> bool:
        """The one definition of an administrator (see `is_admin`)."""
        return (self.person is not None and self.person.is_active
                and ADMIN_ROLE in self.org_roles)

    def acts_for(self, person_id: int | None) -> bool:
        """True for the person themself and for anyone they deputise for today."""
        return person_id is not None and self.person is not None and (
            person_id == self.person.pk or person_id in self.deputising_for
        )


def held_roles(person: User) -> list[tuple[str, int | None]]:
    """The person's memberships in their own municipality as (role, unit id or None), from
    their viewer (orgs/viewer.py: cached across requests, memoised for the request)."""
    if person.pk is None or person.organisation_id is None:
        return []
    return list(viewer_of(person).memberships)


def unit_tree(organisation_id: int | None) -> dict[int, set[int]]:
    """Each unit of the organisation -> itself and the units below it."""
    if organisation_id is None:
        return {}
    return memo("tree", organisation_id, lambda: descendants_map(unit_pairs(organisation_id)))


def _roles(memberships: Iterable[tuple[str, int | None]],
           covered: Mapping[int, Set[int]]) -> Roles:
    memberships = list(memberships)
    org_roles = frozenset(role for role, unit in memberships if unit is None)
    unit_roles: dict[str, set[int]] = {}
    for role, unit in memberships:
        if unit is not None:
            unit_roles.setdefault(role, set()).update(covered.get(unit, {unit}))
    return Roles(org_roles, {r: frozenset(u) for r, u in unit_roles.items()})


def _compute_access(person: User) -> Access:
    viewer = viewer_of(person)
    covered = viewer.unit_tree
    own = _roles(viewer.memberships, covered)
    return Access(
        person=person, org_roles=own.org_roles, unit_roles=own.unit_roles,
        own_units=covered.get(person.unit_id, frozenset()) if person.unit_id else frozenset(),
        deputising_for=viewer.deputising_for, unit_tree=covered,
        absent_roles={pk: _roles(ms, covered) for pk, ms in viewer.absent_memberships.items()},
    )


def access_of(person: User) -> Access:
    """The person's roles, units and deputies, from their viewer (cached across requests
    under the municipality's access stamp; computed in three small queries, a fourth while
    deputising, when the stamp is new), once per request."""
    return memo("access", person.pk, lambda: _compute_access(person))


def role_keys(person: User) -> list[str]:
    """The keys of the roles the person holds anywhere in their municipality, sorted."""
    return sorted({role for role, _ in held_roles(person)})


# --- administrators and the operator ----------------------------------------------------------


def is_admin(person: Any) -> bool:
    """An administrator of their municipality: active, and holding the `admin` role for the
    whole municipality (a unit's `admin` role is not enough). The one definition: every
    "only administrators" in anskaf asks this."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if not person.is_active or person.organisation_id is None:
        return False
    return (ADMIN_ROLE, None) in held_roles(person)


def is_operator(person: Any) -> bool:
    """The installation's operator (ADR 0030): active, `User.is_operator`, of no municipality's
    pages."""
    return bool(person is not None and getattr(person, "is_authenticated", False)
                and getattr(person, "is_active", False) and getattr(person, "is_operator", False))


ADMIN_ONLY = "Kun kommunens administratorer kan ændre enheder, personer og roller."


def admin_refusal(person: Any) -> str | None:
    """Administration (units, people, roles, imports, settings) is for administrators."""
    return None if is_admin(person) else ADMIN_ONLY


def can_configure(person: Any, organisation_id: int) -> bool:
    """May change a municipality's sign-on and settings: its own administrators, and the
    installation's operator for any municipality but never the installation's own row
    (ADR 0030)."""
    if is_operator(person):
        return Organisation.objects.filter(pk=organisation_id, is_installation=False).exists()
    return bool(is_admin(person) and person.organisation_id == organisation_id)


def configure_refusal(person: Any, organisation_id: int) -> str | None:
    if can_configure(person, organisation_id):
        return None
    return "Kun kommunens administratorer kan ændre kommunens login og indstillinger."
