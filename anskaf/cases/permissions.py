"""Who may see a case and who may do what on it: the one place where access rules live.

Services enforce these rules (403 before any input is read), selectors filter by them, and
the UI asks them to say *why* an action is not open to the person looking at it.

Roles come from memberships. A membership scoped to a unit covers that unit and every unit
below it (a coordinator of a forvaltning covers its afdelinger); an organisation-wide
membership covers every unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from anskaf.orgs.models import User
from anskaf.orgs.viewer import forget_viewer, viewer_of
from anskaf.process.model import ProcessModel, StepDef

from .errors import PermissionDenied
from .models import StepState

# Roles that work across a municipality's cases, wherever the requesting unit sits.
CASE_MANAGERS = ("coordinator", "management")


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
        return "admin" in self.org_roles

    def acts_for(self, person_id: int | None) -> bool:
        """True for the person themself and for anyone they deputise for today."""
        return person_id is not None and (
            (self.person is not None and person_id == self.person.pk)
            or person_id in self.deputising_for
        )


def _roles(memberships: Iterable[tuple[str, int | None]],
           covered: Mapping[int, Set[int]]) -> Roles:
    org_roles = frozenset(role for role, unit in memberships if unit is None)
    unit_roles: dict[str, set[int]] = {}
    for role, unit in memberships:
        if unit is not None:
            unit_roles.setdefault(role, set()).update(covered.get(unit, {unit}))
    return Roles(org_roles, {r: frozenset(u) for r, u in unit_roles.items()})


def access_of(person: User) -> Access:
    """The person's roles from their viewer (orgs/viewer.py: cached across requests under a
    key that changes with them), kept on the person object for the request."""
    cached = getattr(person, "_access", None)
    if cached is not None:
        return cached
    viewer = viewer_of(person)
    covered = viewer.unit_tree
    own = _roles(viewer.memberships, covered)
    access = Access(
        person=person, org_roles=own.org_roles, unit_roles=own.unit_roles,
        own_units=covered.get(person.unit_id, frozenset()) if person.unit_id else frozenset(),
        deputising_for=viewer.deputising_for, unit_tree=covered,
        absent_roles={pk: _roles(ms, covered) for pk, ms in viewer.absent_memberships.items()},
    )
    person._access = access  # type: ignore[attr-defined]
    return access


def forget_access(person: User) -> None:
    """Drop the cached roles (after memberships or deputies change)."""
    forget_viewer(person)


# --- seeing ------------------------------------------------------------------------------------


def visible_filter(person: User) -> Q:
    """Cases of the person's municipality they may see: open ones, and restricted ones they work on."""
    access = access_of(person)
    base = Q(organisation_id=person.organisation_id)
    if access.org_roles:
        # Organisation-wide performers (IT, the board, ISK, ...) take part in every case.
        return base
    units = set(access.own_units)
    for covered in access.unit_roles.values():
        units |= covered
    people = {person.pk, *access.deputising_for}
    return base & (
        Q(restricted=False)
        | Q(requesting_unit_id__in=units)
        | Q(coordinator_id__in=people)
        | Q(pk__in=StepState.objects.filter(assignee_id__in=people).values("case_id"))
    )


def can_view(person: User, case: Any) -> bool:
    return type(case).objects.filter(visible_filter(person), pk=case.pk).exists()


# --- acting ------------------------------------------------------------------------------------


def _labels(model: ProcessModel, roles: Iterable[str]) -> str:
    names = [model.role_label(r) for r in dict.fromkeys(roles)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " eller " + names[-1]


def _manages(access: Access, case: Any) -> bool:
    return access.acts_for(case.coordinator_id) or access.holds_any(
        CASE_MANAGERS, case.requesting_unit_id)


def edit_refusal(person: User, case: Any) -> str | None:
    """May the person correct the case's fields, restrict it or withdraw it?"""
    access = access_of(person)
    if access.is_admin or _manages(access, case):
        return None
    return ("Kun sagens koordinator, den koordinerende funktion eller ledelsen for sagens enhed "
            "kan rette eller trække sagen tilbage.")


def work_refusal(person: User, case: Any, model: ProcessModel, step: StepDef,
                 assignee_id: int | None = None) -> str | None:
    """May the person work on the step: checklist, remarks, in progress, not relevant, reopen?"""
    access = access_of(person)
    unit = case.requesting_unit_id
    if access.acts_for(assignee_id) or access.acts_for(case.coordinator_id):
        return None
    roles = set(step.role_keys) | set(step.gate.deciding_roles if step.gate else ())
    if access.holds_for(assignee_id, roles, unit):
        return None
    if step.gate is None and access.holds("coordinator", unit):
        return None
    return (f"Trin {step.number} udføres af {_labels(model, step.role_keys)}. "
            "Du har ikke en af de roller for sagens enhed og er ikke tildelt trinnet.")


def not_relevant_refusal(person: User, case: Any, model: ProcessModel, step: StepDef,
                         assignee_id: int | None = None) -> str | None:
    """May the person mark the step not relevant? The model's `not_relevant.roles` when it
    names them (the case's coordinator is not enough); else whoever may work on the step."""
    if step.not_relevant_roles:
        if access_of(person).holds_any(step.not_relevant_roles, case.requesting_unit_id):
            return None
        return not_relevant_who(model, step)
    return work_refusal(person, case, model, step, assignee_id)


def not_relevant_who(model: ProcessModel, step: StepDef) -> str:
    """Who may mark a step with its own rule not relevant (anyone may know)."""
    return (f"Kun {_labels(model, step.not_relevant_roles)} kan markere trinnet "
            f"(trin {step.number}) som ikke relevant.")


def complete_refusal(person: User, case: Any, model: ProcessModel, step: StepDef,
                     assignee_id: int | None = None) -> str | None:
    if step.complete_roles:
        # The case's own coordinator (or her deputy) counts only where the model names the
        # coordinator: a step the board completes is not the coordinator's to complete.
        access = access_of(person)
        if ("coordinator" in step.complete_roles and access.acts_for(case.coordinator_id)) or (
                access.holds_for(assignee_id, step.complete_roles, case.requesting_unit_id)):
            return None
        reason = " (med en begrundelse i bemærkningerne)" if step.complete_reason else ""
        return (f"Kun {_labels(model, step.complete_roles)} kan markere trin {step.number} "
                f"som gennemført{reason}.")
    return work_refusal(person, case, model, step, assignee_id)


def decide_refusal(person: User, case: Any, model: ProcessModel, step: StepDef,
                   assignee_id: int | None = None) -> str | None:
    """The deciding roles decide; a deputy also decides a gate assigned to the person they
    stand in for today, when that person holds a deciding role."""
    assert step.gate is not None
    access = access_of(person)
    if access.holds_for(assignee_id, step.gate.deciding_roles, case.requesting_unit_id):
        return None
    return (f"Kun {_labels(model, step.gate.deciding_roles)} kan registrere beslutningen i "
            f"trin {step.number}.")


def assign_refusal(person: User, case: Any, model: ProcessModel, step: StepDef) -> str | None:
    """Managers of the case assign anyone eligible; a performer may take the step themself."""
    access = access_of(person)
    if _manages(access, case):
        return None
    return work_refusal(person, case, model, step)


def eligible_for(model: ProcessModel, step: StepDef) -> tuple[str, ...]:
    """The roles a step can be assigned within: its performers and deciders."""
    roles = list(step.role_keys) + list(step.gate.deciding_roles if step.gate else ())
    return tuple(dict.fromkeys(roles))


def require(refusal: str | None) -> None:
    if refusal is not None:
        raise PermissionDenied(refusal)


def coordinates_or_administers(actor: Any) -> bool:
    """A coordinator (of a unit or the whole municipality) or one of its admins: who may bring
    an acquisition in from its Word guide (issue 17)."""
    if getattr(actor, "organisation_id", None) is None:
        return False
    access = access_of(actor)
    return access.is_admin or "coordinator" in access.org_roles or bool(
        access.unit_roles.get("coordinator"))
