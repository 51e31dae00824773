"""Who may write what in the portfolio (ADR 0012, ADR 0039). Reading is for everyone in the
organisation. A role held in any unit counts here (the portfolio is the municipality's);
"admin" means the one definition of an administrator (`anskaf.orgs.permissions.is_admin`:
the role for the whole municipality)."""

from __future__ import annotations

from typing import Any

from anskaf.cases import permissions
from anskaf.cases.errors import PermissionDenied
from anskaf.orgs.models import User
from anskaf.orgs.permissions import ADMIN_ROLE

SYSTEM_WRITERS = ("admin", "it", "procurement")
AGREEMENT_WRITERS = ("admin", "it", "procurement", "legal", "security")
THRESHOLD_CONFIRMERS = ("procurement",)
ARCHIVE_ASSESSORS = ("archive",)


def roles_of(actor: User) -> set[str]:
    """The roles the actor holds anywhere in the municipality; `admin` only as an
    administrator of the whole municipality."""
    access = permissions.access_of(actor)
    return (set(access.keys) - {ADMIN_ROLE}) | ({ADMIN_ROLE} if access.is_admin else set())


def may(actor: User, roles: tuple[str, ...]) -> bool:
    return bool(getattr(actor, "organisation_id", None)) and bool(roles_of(actor) & set(roles))


def role_refusal(actor: User, roles: tuple[str, ...], what: str) -> str | None:
    """"Kun {what} kan gøre dette." unless the actor holds one of the roles."""
    return None if may(actor, roles) else f"Kun {what} kan gøre dette."


def write_refusal(actor: User, roles: tuple[str, ...]) -> str | None:
    """The pages' refusal to write (the API names who may: `role_refusal`)."""
    return None if may(actor, roles) else "Du har ikke adgang til at ændre porteføljen."


def require_role(actor: User, roles: tuple[str, ...], what: str) -> str:
    """The role the actor acts in (the first of `roles` they hold: the audit's actor_role);
    PermissionDenied naming `what` ("Kun {what} kan gøre dette.") when they have none."""
    permissions.require(role_refusal(actor, roles, what))
    mine = roles_of(actor)
    return next(role for role in roles if role in mine)


def kitos_register_refusal(actor: User, case: Any, step_roles: tuple[str, ...]) -> str | None:
    """"Registrér i KITOS": the contract step's performers, the coordinator, IT and admins."""
    access = permissions.access_of(actor)
    if access.is_admin or access.holds_any((*step_roles, "coordinator", "it"),
                                           case.requesting_unit_id):
        return None
    return ("Kun trinnets udførende, koordinatoren, IT og administratorer kan registrere i "
            "KITOS.")


__all__ = ["AGREEMENT_WRITERS", "ARCHIVE_ASSESSORS", "SYSTEM_WRITERS", "THRESHOLD_CONFIRMERS",
           "PermissionDenied", "kitos_register_refusal", "may", "require_role", "role_refusal",
           "roles_of", "write_refusal"]
