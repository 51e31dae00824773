"""Who someone is: the building blocks of every app's access rules (ADR 0039).

Each app says who may do what in its own `permissions.py`, as pure functions of a person and
an object (`can_<verb>_<object>(person, obj)` -> bool, or `<verb>_refusal(person, obj)` -> a
Danish reason or None), and services enforce them with `require(refusal)`. They all build on
this module, which alone defines:

- who is an administrator (`is_admin`: the `admin` role for the whole municipality) and who is
  the installation's operator (`is_operator`, ADR 0030);
- the walk of the unit tree (`descendants_map`, `ancestors`): a role held in a unit covers the
  units below it;
- a person's roles, units and deputies (`access_of`), read once per request.

"Once per request" is an `AccessCache`: the web's `AccessCacheMiddleware` binds a fresh one
for each request, and `access_cache()` binds one for a block of code (a command, a task). With
none bound (a test calling a service, the worker) every question is answered from the
database. Nothing is ever stored on a model instance, so a person object that outlives a
request (a test's fixture, a worker's loop) never answers with yesterday's roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.utils import timezone

from .choices import Role
from .errors import NotAllowed
from .models import Deputy, Membership, OrgUnit, User

T = TypeVar("T")

ADMIN_ROLE = Role.ADMIN.value


# --- refusing ---------------------------------------------------------------------------------


def require(refusal: str | None, error: Callable[[str], Exception] = NotAllowed) -> None:
    """Raise `error(refusal)` when there is a refusal: how every service enforces a rule.

    `error` is the app's own 403 error (cases' `PermissionDenied`, orgs' `NotAllowed`)."""
    if refusal is not None:
        raise error(refusal)


# --- the unit tree ----------------------------------------------------------------------------


def descendants_map(units: Iterable[tuple[int, int | None]]) -> dict[int, set[int]]:
    """Each unit (pk, parent pk) -> itself and every unit below it. A cycle (which only a
    write outside the services could make) ends the walk instead of looping."""
    units = list(units)
    children: dict[int | None, list[int]] = {}
    for pk, parent in units:
        children.setdefault(parent, []).append(pk)
    covered: dict[int, set[int]] = {}
    for pk, _ in units:
        if pk in covered:
            continue
        found, todo = {pk}, [pk]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        covered[pk] = found
    return covered


def ancestors(units: Iterable[tuple[int, int | None]], unit_id: int | None) -> list[int]:
    """The unit and every unit above it, nearest first (stops on a cycle)."""
    parents = dict(units)
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return chain


def unit_pairs(organisation_id: int | None) -> list[tuple[int, int | None]]:
    """The organisation's units as (pk, parent pk): what the walks above take."""
    return list(OrgUnit.objects.filter(organisation_id=organisation_id)
                .values_list("pk", "parent_id"))


# --- the per-request cache --------------------------------------------------------------------


class AccessCache:
    """What one request has read of its people's access, by person and organisation id.

    Lives as long as the request (or an `access_cache()` block). A service that changes roles
    or deputies calls `forget_access`, which empties it: the rest of the request sees the
    change."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, Any], Any] = {}

    def get(self, kind: str, key: Any, compute: Callable[[], T]) -> T:
        slot = (kind, key)
        if slot not in self._values:
            self._values[slot] = compute()
        return self._values[slot]  # type: ignore[no-any-return]

    def peek(self, kind: str, key: Any) -> Any:
        return self._values.get((kind, key))

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


_CURRENT: ContextVar[AccessCache | None] = ContextVar("anskaf_access_cache", default=None)


def current_cache() -> AccessCache | None:
    return _CURRENT.get()


@contextmanager
def access_cache() -> Iterator[AccessCache]:
    """Bind a cache for the block (the request's middleware, a command, a task); inside an
    already bound one, keep that one."""
    cache = _CURRENT.get()
    if cache is not None:
        yield cache
        return
    cache = AccessCache()
    token = _CURRENT.set(cache)
    try:
        yield cache
    finally:
        _CURRENT.reset(token)


def memo(kind: str, key: Any, compute: Callable[[], T]) -> T:
    """`compute()` once per request for (kind, key): what the request's pages share about a
    person (their roles, their tasks). Without a bound cache, computed every time."""
    cache = _CURRENT.get()
    if cache is None or key is None:
        return compute()
    return cache.get(kind, key, compute)


def memoised(kind: str, key: Any) -> Any:
    """What `memo` holds for (kind, key) in this request, or None."""
    cache = _CURRENT.get()
    return None if cache is None else cache.peek(kind, key)


def forget_access(person: User | None = None) -> None:
    """After roles, deputies or units changed: the rest of the request reads them again.
    (Empties the whole cache: a deputy's access holds the roles of the person they stand in
    for, so one person's change can change another's access.)"""
    cache = _CURRENT.get()
    if cache is not None:
        cache.clear()


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
    unit_tree: dict[int, set[int]] = field(default_factory=dict)
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
    """The person's memberships in their own municipality as (role, unit id or None)."""
    if person.pk is None or person.organisation_id is None:
        return []
    return memo("held", person.pk, lambda: list(
        Membership.objects.filter(person_id=person.pk, organisation_id=person.organisation_id)
        .values_list("role", "unit_id")))


def unit_tree(organisation_id: int | None) -> dict[int, set[int]]:
    """Each unit of the organisation -> itself and the units below it."""
    if organisation_id is None:
        return {}
    return memo("tree", organisation_id, lambda: descendants_map(unit_pairs(organisation_id)))


def _roles(memberships: Iterable[tuple[str, int | None]], covered: dict[int, set[int]]) -> Roles:
    memberships = list(memberships)
    org_roles = frozenset(role for role, unit in memberships if unit is None)
    unit_roles: dict[str, set[int]] = {}
    for role, unit in memberships:
        if unit is not None:
            unit_roles.setdefault(role, set()).update(covered.get(unit, {unit}))
    return Roles(org_roles, {r: frozenset(u) for r, u in unit_roles.items()})


def _absent_roles(person: User, covered: dict[int, set[int]]) -> dict[int, Roles]:
    """The roles of each person the person deputises for today (first to last day included)."""
    today = timezone.localdate()
    absent = list(Deputy.objects.filter(deputy_id=person.pk, starts_on__lte=today,
                                        ends_on__gte=today).values_list("person_id", flat=True))
    theirs: dict[int, list[tuple[str, int | None]]] = {pk: [] for pk in absent}
    if absent:
        for person_id, role, unit in Membership.objects.filter(
                person_id__in=absent).values_list("person_id", "role", "unit_id"):
            theirs[person_id].append((role, unit))
    return {pk: _roles(ms, covered) for pk, ms in theirs.items()}


def _compute_access(person: User) -> Access:
    covered = unit_tree(person.organisation_id)
    own = _roles(held_roles(person), covered)
    absent = _absent_roles(person, covered) if person.pk is not None else {}
    return Access(
        person=person, org_roles=own.org_roles, unit_roles=own.unit_roles,
        own_units=frozenset(covered.get(person.unit_id, set())) if person.unit_id else frozenset(),
        deputising_for=frozenset(absent), unit_tree=covered, absent_roles=absent,
    )


def access_of(person: User) -> Access:
    """The person's roles, units and deputies: three small queries (a fourth while
    deputising), once per request."""
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
    """May change a municipality's sign-on and settings: its own administrators."""
    return bool(is_admin(person) and person.organisation_id == organisation_id)


def configure_refusal(person: Any, organisation_id: int) -> str | None:
    if can_configure(person, organisation_id):
        return None
    return "Kun kommunens administratorer kan ændre kommunens login og indstillinger."
