"""Who may see a case and who may do what on it: the one place where access rules live.

Services enforce these rules (403 before any input is read), selectors filter by them, and
the UI asks them to say *why* an action is not open to the person looking at it.

Roles come from memberships (read once per request by `anskaf.orgs.permissions.access_of`,
ADR 0039). A membership scoped to a unit covers that unit and every unit
below it (a coordinator of a forvaltning covers its afdelinger); an organisation-wide
membership covers every unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from anskaf.orgs import permissions as org_permissions
from anskaf.orgs.models import User
from anskaf.orgs.permissions import (  # noqa: F401  (the building blocks, re-exported)
    Access,
    Roles,
    access_cache,
    access_of,
    forget_access,
    is_admin,
)
from anskaf.process.model import ProcessModel, StepDef

from .errors import PermissionDenied
from .models import StepState

# Roles that work across a municipality's cases, wherever the requesting unit sits.
CASE_MANAGERS = ("coordinator", "management")


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


def coordinates(person: User, case: Any) -> bool:
    """The case's coordinator, their deputy today or the coordinating function of its unit:
    who hands the case over (puts it forward to the board)."""
    access = access_of(person)
    return access.acts_for(case.coordinator_id) or access.holds("coordinator",
                                                                case.requesting_unit_id)


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
    """403 (`PermissionDenied`) with the refusal's reason; nothing when there is none."""
    org_permissions.require(refusal, PermissionDenied)


def coordinates_or_administers(actor: Any) -> bool:
    """A coordinator (of a unit or the whole municipality) or one of its admins: who may bring
    an acquisition in from its Word guide (issue 17)."""
    if getattr(actor, "organisation_id", None) is None:
        return False
    access = access_of(actor)
    return access.is_admin or "coordinator" in access.org_roles or bool(
        access.unit_roles.get("coordinator"))
