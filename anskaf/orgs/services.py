"""The only place that writes units, people and roles. One transaction each, audited.

Every service takes the acting person (`actor`), checks that they are an administrator of the
whole organisation, takes values the boundary parsed and held to the field rules
(`fields.py`: the forms, the import), applies the rules that need the database (a free
username, a unit of the municipality, no cycle, no sibling of the same name) with
`ValidationFailed` and a Danish message per field, and writes the change and its audit event
in one transaction. Everything is scoped
to the actor's organisation: a unit or person of another organisation is `NotFound`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from anskaf.audit.services import Payload, audit_append
from anskaf.validation.text import NUL_MESSAGE

from .choices import Role
from .errors import NotFound, ValidationFailed
from .fields import split_name
from .models import Membership, OrgUnit, User
from .permissions import admin_refusal, ancestors, forget_access, require, unit_pairs
from .viewer import access_changed

ACTOR_ROLE = Role.ADMIN.value


class UnitData(TypedDict):
    """A unit as the boundary parsed and checked it (the unit form, an import row: the rules
    of `fields.py`); `_clean_unit` holds it to the rules that need the database (a parent of
    the municipality that is no descendant, no sibling of the same name)."""

    name: str
    kind: str
    parent: int | None


class PersonData(TypedDict):
    """A person as the boundary parsed and checked it (the person form, an import row: the
    rules of `fields.py`); `_clean_person` adds the rules that need the database (a free
    username, a unit of the municipality)."""

    username: str
    full_name: str
    email: str
    unit: int | None
    is_active: bool


class _CleanPerson(TypedDict):
    username: str
    full_name: str
    email: str
    unit: OrgUnit | None
    is_active: bool


# --- helpers ----------------------------------------------------------------------------------


def require_admin(actor: User) -> int:
    """The actor's organisation id; NotAllowed unless they administer it."""
    require(admin_refusal(actor))
    return actor.organisation_id  # type: ignore[return-value]


def _audit(actor: User, event_type: str, object_id: int | str | None, before: Payload,
           after: Payload) -> None:
    """audit_append in the administrator's organisation, acting as its administrator."""
    audit_append(organisation_id=actor.municipality_id, actor=actor, actor_role=ACTOR_ROLE,
                 event_type=event_type, object_id=object_id, before=before, after=after)


def _text(value: str | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return value.strip()


def _unit_in_org(organisation_id: int, unit_id: int | None) -> OrgUnit | str | None:
    """The unit (None for "no unit") or "bad" when it is not a unit of the organisation."""
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id, organisation_id=organisation_id).first()
    return unit if unit is not None else "bad"


def scope_label(unit: OrgUnit | None) -> str:
    return unit.name if unit is not None else "hele kommunen"


# --- units ------------------------------------------------------------------------------------


def unit_fields(unit: OrgUnit) -> dict[str, Any]:
    return {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id}


def _ancestors(parent: OrgUnit) -> set[int]:
    """Ids of `parent` and every unit above it (stops on a cycle rather than looping)."""
    return set(ancestors(unit_pairs(parent.organisation_id), parent.pk))


def _clean_unit(organisation_id: int, data: UnitData, unit: OrgUnit | None
                ) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name, kind = data["name"], data["kind"]
    parent = _unit_in_org(organisation_id, data["parent"])
    if isinstance(parent, str):  # "bad"
        errors["parent"] = "Vælg en overordnet enhed i din kommune."
        parent = None
    elif unit is not None and parent is not None and unit.pk in _ancestors(parent):
        errors["parent"] = ("En enhed kan ikke ligge under sig selv eller under en af sine "
                            "egne underenheder. Vælg en anden overordnet enhed.")
    if "name" not in errors and "parent" not in errors:
        siblings = OrgUnit.objects.filter(organisation_id=organisation_id, parent=parent,
                                          name__iexact=name)
        if unit is not None:
            siblings = siblings.exclude(pk=unit.pk)
        if siblings.exists():
            where = f"under {parent.name}" if parent else "på øverste niveau"
            errors["name"] = f"Der findes allerede en enhed med navnet »{name}« {where}."
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "kind": kind, "parent": parent}


@transaction.atomic
def unit_create(*, actor: User, data: UnitData) -> OrgUnit:
    """Create a unit: data has name, kind ("administration"/"department") and parent (id)."""
    org_id = require_admin(actor)
    clean = _clean_unit(org_id, data, None)
    access_changed(org_id, actor)  # a unit below another widens the roles held there
    unit = OrgUnit.objects.create(organisation_id=org_id, **clean)
    _audit(actor, "unit.created", unit.pk, None, unit_fields(unit))
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit_id: int, data: UnitData) -> OrgUnit:
    org_id = require_admin(actor)
    unit = OrgUnit.objects.select_for_update().filter(pk=unit_id, organisation_id=org_id).first()
    if unit is None:
        raise NotFound("Enheden findes ikke i din kommune.")
    clean = _clean_unit(org_id, data, unit)
    before = unit_fields(unit)
    for field, value in clean.items():
        setattr(unit, field, value)
    after = unit_fields(unit)
    if after == before:
        return unit
    if after["parent"] != before["parent"]:
        access_changed(org_id, actor)  # the units a unit-scoped role covers move with it
    unit.save()
    changed = sorted(k for k in after if after[k] != before[k])
    _audit(actor, "unit.updated", unit.pk, {k: before[k] for k in changed},
           {k: after[k] for k in changed})
    forget_access()  # a unit that moved covers others now
    return unit


# --- people -----------------------------------------------------------------------------------


def person_fields(person: User) -> dict[str, Any]:
    return {
        "username": person.username,
        "full_name": person.get_full_name(),
        "email": person.email,
        "unit": person.unit_id,
        "is_active": person.is_active,
        "login": "password" if person.has_usable_password() else "sso",
    }


def username_refusal(username: str, *, exclude_pk: int | None = None) -> str | None:
    """Why a username (of the right shape: `fields.username`) cannot be had: it is in use, in
    any municipality (usernames are unique on the installation). None when it is free."""
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        return f"Brugernavnet »{username}« er allerede i brug. Vælg et andet."
    return None


def _password_errors(password: str, user: User) -> str | None:
    if "\x00" in password:  # a password may hold any other character: it is only hashed
        return NUL_MESSAGE
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return " ".join(str(m) for m in exc.messages)
    return None


def _clean_person(organisation_id: int, data: PersonData, person: User | None
                  ) -> _CleanPerson:
    errors: dict[str, str] = {}
    refusal = username_refusal(data["username"], exclude_pk=person.pk if person else None)
    if refusal is not None:
        errors["username"] = refusal
    unit = _unit_in_org(organisation_id, data["unit"])
    if isinstance(unit, str):  # "bad"
        errors["unit"] = "Vælg en enhed i din kommune."
    if errors or isinstance(unit, str):
        raise ValidationFailed(errors)
    return {"username": data["username"], "full_name": data["full_name"],
            "email": data["email"], "unit": unit, "is_active": data["is_active"]}


def _apply_person(person: User, clean: _CleanPerson) -> None:
    person.username = clean["username"]
    person.first_name, person.last_name = split_name(clean["full_name"])
    person.email = clean["email"]
    person.unit = clean["unit"]
    person.is_active = clean["is_active"]


@transaction.atomic
def person_create(*, actor: User, data: PersonData, password: str | None = None) -> User:
    """Create a person in the actor's organisation.

    data: username, full_name, email, unit (id or None), is_active. `password` set: a local
    user whose password must pass Django's validators; empty: no password (logs in by single
    sign-on only).
    """
    org_id = require_admin(actor)
    clean = _clean_person(org_id, data, None)
    person = User(organisation_id=org_id)
    _apply_person(person, clean)
    if password:
        error = _password_errors(password, person)
        if error:
            raise ValidationFailed({"password": error})
        person.set_password(password)
    else:
        person.set_unusable_password()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same username created concurrently
        raise ValidationFailed(
            {"username": f"Brugernavnet »{clean['username']}« er allerede i brug."}) from None
    _audit(actor, "person.created", person.pk, None, person_fields(person))
    return person


def _locked_person(organisation_id: int, person_id: int) -> User:
    person = (User.objects.select_for_update()
              .filter(pk=person_id, organisation_id=organisation_id).first())
    if person is None:
        raise NotFound("Personen findes ikke i din kommune.")
    return person


@transaction.atomic
def person_update(*, actor: User, person_id: int, data: PersonData,
                  password: str | None = None) -> User:
    """Change a person's details; a non-empty `password` sets a new password as well."""
    org_id = require_admin(actor)
    person = _locked_person(org_id, person_id)
    clean = _clean_person(org_id, data, person)
    if person.pk == actor.pk and clean["is_active"] is False:
        raise ValidationFailed({"is_active": "Du kan ikke deaktivere dig selv. Bed en anden "
                                             "administrator om det."})
    before = person_fields(person)
    _apply_person(person, clean)
    if password:
        error = _password_errors(password, person)
        if error:
            raise ValidationFailed({"password": error})
        person.set_password(password)
    after = person_fields(person)
    if after == before and not password:
        return person
    if (after["unit"], after["is_active"]) != (before["unit"], before["is_active"]):
        access_changed(org_id, person, actor)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationFailed(
            {"username": f"Brugernavnet »{clean['username']}« er allerede i brug."}) from None
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        _audit(actor, "person.updated", person.pk, {k: before[k] for k in changed},
               {k: after[k] for k in changed})
    if password:  # never the password or its hash: only that it was set
        _audit(actor, "person.password_set", person.pk, None,
               {"username": person.username})
    return person


# --- roles ------------------------------------------------------------------------------------


def membership_fields(m: Membership) -> dict[str, Any]:
    return {"person": m.person_id, "username": m.person.username, "role": m.role,
            "unit": m.unit_id, "unit_name": m.unit.name if m.unit else None}


def role_key(value: str | None) -> str | None:
    """A role key from a key or its Danish label (any case); None when unknown."""
    text = _text(value).casefold()
    for key, label in Role.choices:
        if text in (key.casefold(), str(label).casefold()):
            return key
    return None


@transaction.atomic
def role_add(*, actor: User, person_id: int, role: str | None,
             unit_id: int | None = None) -> Membership:
    """Give a person a role for the whole organisation (unit_id None) or for one unit."""
    org_id = require_admin(actor)
    person = _locked_person(org_id, person_id)
    errors: dict[str, str] = {}
    key = role_key(role) if role else None
    if key is None:
        errors["role"] = "Vælg en rolle."
    unit = _unit_in_org(org_id, unit_id)
    if isinstance(unit, str):  # "bad"
        errors["unit"] = "Vælg »Hele kommunen« eller en enhed i din kommune."
        unit = None
    if errors or key is None:
        raise ValidationFailed(errors)
    if Membership.objects.filter(person=person, role=key, unit=unit).exists():
        raise ValidationFailed({"role": f"{person.display_name()} har allerede rollen "
                                        f"»{Role(key).label}« for {scope_label(unit)}."})
    access_changed(org_id, person, actor)
    membership = Membership.objects.create(organisation_id=org_id, person=person, role=key,
                                           unit=unit)
    _audit(actor, "role.added", membership.pk, None, membership_fields(membership))
    forget_access(person)
    return membership


@transaction.atomic
def role_remove(*, actor: User, person_id: int, membership_id: int) -> None:
    org_id = require_admin(actor)
    person = _locked_person(org_id, person_id)
    membership = (Membership.objects.select_related("unit", "person")
                  .filter(pk=membership_id, person=person, organisation_id=org_id).first())
    if membership is None:
        raise NotFound("Rollen findes ikke.")
    if person.pk == actor.pk and membership.role == Role.ADMIN and membership.unit_id is None:
        raise ValidationFailed({"role": "Du kan ikke fjerne din egen administratorrolle for hele "
                                        "kommunen. Bed en anden administrator om det."})
    before = membership_fields(membership)
    access_changed(org_id, person, actor)
    membership.delete()
    _audit(actor, "role.removed", membership_id, before, None)
    forget_access(person)


def csv_import_record(*, actor: User, what: str, summary: Mapping[str, object]) -> None:
    """Audit a CSV import as a whole (`orgs.csv_imported`), in the import's transaction; each
    row it wrote was audited by the service that wrote it."""
    _audit(actor, "orgs.csv_imported", what, None, summary)
