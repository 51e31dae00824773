"""The only place that writes units, people and roles. One transaction each, audited.

Every service takes the acting person (`actor`), checks that they are an administrator of the
whole organisation, validates its input and raises `ValidationFailed` with a Danish message
per field, and writes the change and its audit event in one transaction. Everything is scoped
to the actor's organisation: a unit or person of another organisation is `NotFound`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from anskaf.audit.services import Payload, audit_append
from anskaf.validation.text import NUL_MESSAGE, text_problem

from .choices import Role, UnitKind
from .errors import NotFound, ValidationFailed
from .models import Membership, OrgUnit, User
from .permissions import admin_refusal, ancestors, forget_access, require, unit_pairs
from .viewer import access_changed

ACTOR_ROLE = Role.ADMIN.value
UNIT_NAME_MAX = 200


class UnitData(TypedDict, total=False):
    """A unit as the boundary parsed it (the unit form, an import row); `_clean_unit` holds it
    to the rules (the name, the kind, a parent of the municipality that is no descendant)."""

    name: str | None
    kind: str | None
    parent: int | str | None


class PersonData(TypedDict, total=False):
    """A person as the boundary parsed it (the person form, an import row)."""

    username: str | None
    full_name: str | None
    email: str | None
    unit: int | str | None
    is_active: bool


class _CleanPerson(TypedDict):
    username: str
    full_name: str
    email: str
    unit: OrgUnit | None
    is_active: bool
USERNAME_MAX = 150
NAME_PART_MAX = 150
EMAIL_MAX = 254


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


def _pk_or_none(value: OrgUnit | User | int | str | None) -> int | str | None:
    """An id from a form or a service call: None for empty, an int, or "bad"."""
    if value is None or value == "":
        return None
    if isinstance(value, OrgUnit | User):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return "bad"


def _unit_in_org(organisation_id: int, unit_id: OrgUnit | int | str | None
                 ) -> OrgUnit | str | None:
    """The unit (None for "no unit") or "bad" when it is not a unit of the organisation."""
    pk = _pk_or_none(unit_id)
    if pk is None:
        return None
    if pk == "bad":
        return "bad"
    unit = OrgUnit.objects.filter(pk=pk, organisation_id=organisation_id).first()
    return unit if unit is not None else "bad"


def scope_label(unit: OrgUnit | None) -> str:
    return unit.name if unit is not None else "hele kommunen"


# --- units ------------------------------------------------------------------------------------


def unit_fields(unit: OrgUnit) -> dict[str, Any]:
    return {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id}


def check_unit_name(value: str | None) -> tuple[str, str | None]:
    """The cleaned name and an error message (or None)."""
    name = _text(value)
    if not name:
        return name, "Skriv enhedens navn."
    if (problem := text_problem(name, name=True)) is not None:
        return name, problem
    if len(name) > UNIT_NAME_MAX:
        return name, f"Navnet må højst være {UNIT_NAME_MAX} tegn."
    return name, None


def check_unit_kind(value: str | None) -> tuple[str, str | None]:
    kind = _text(value)
    if kind not in UnitKind.values:
        return kind, "Vælg, om enheden er en forvaltning eller en afdeling."
    return kind, None


def _ancestors(parent: OrgUnit) -> set[int]:
    """Ids of `parent` and every unit above it (stops on a cycle rather than looping)."""
    return set(ancestors(unit_pairs(parent.organisation_id), parent.pk))


def _clean_unit(organisation_id: int, data: UnitData, unit: OrgUnit | None
                ) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name, error = check_unit_name(data.get("name"))
    if error:
        errors["name"] = error
    kind, error = check_unit_kind(data.get("kind"))
    if error:
        errors["kind"] = error
    parent = _unit_in_org(organisation_id, data.get("parent"))
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
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise NotFound("Enheden findes ikke i din kommune.") from None
    unit = OrgUnit.objects.select_for_update().filter(pk=pk, organisation_id=org_id).first()
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


def split_name(full_name: str) -> tuple[str, str]:
    first, _, last = " ".join(full_name.split()).partition(" ")
    return first, last


def check_username(value: str | None, *, exclude_pk: int | None = None
                   ) -> tuple[str, str | None]:
    username = _text(value)
    if not username:
        return username, "Skriv et brugernavn."
    if len(username) > USERNAME_MAX:
        return username, f"Brugernavnet må højst være {USERNAME_MAX} tegn."
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return username, ("Brugernavnet må kun indeholde bogstaver, tal og tegnene @ . + - _ "
                          "(ingen mellemrum).")
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        return username, f"Brugernavnet »{username}« er allerede i brug. Vælg et andet."
    return username, None


def check_full_name(value: str | None) -> tuple[str, str | None]:
    name = " ".join(_text(value).split())
    if not name:
        return name, "Skriv personens fulde navn."
    if (problem := text_problem(name, name=True)) is not None:
        return name, problem
    first, last = split_name(name)
    if len(first) > NAME_PART_MAX or len(last) > NAME_PART_MAX:
        return name, f"Fornavn og efternavn må hver højst være {NAME_PART_MAX} tegn."
    return name, None


def check_email(value: str | None) -> tuple[str, str | None]:
    email = _text(value)
    if not email:
        return email, None
    if len(email) > EMAIL_MAX:
        return email, f"E-mailadressen må højst være {EMAIL_MAX} tegn."
    try:
        validate_email(email)
    except ValidationError:
        return email, "Skriv en gyldig e-mailadresse, fx navn@kommune.dk."
    return email, None


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
    clean: dict[str, Any] = {}
    for field, check, given in (("full_name", check_full_name, data.get("full_name")),
                                ("email", check_email, data.get("email"))):
        value, error = check(given)
        if error:
            errors[field] = error
        clean[field] = value
    username, error = check_username(data.get("username"),
                                     exclude_pk=person.pk if person else None)
    if error:
        errors["username"] = error
    clean["username"] = username
    unit = _unit_in_org(organisation_id, data.get("unit"))
    if unit == "bad":
        errors["unit"] = "Vælg en enhed i din kommune."
    else:
        clean["unit"] = unit
    is_active = data.get("is_active", True)
    if not isinstance(is_active, bool):
        errors["is_active"] = "Angiv, om brugeren er aktiv."
    clean["is_active"] = is_active
    if errors:
        raise ValidationFailed(errors)
    return cast(_CleanPerson, clean)


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
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise NotFound("Personen findes ikke i din kommune.") from None
    person = User.objects.select_for_update().filter(pk=pk, organisation_id=organisation_id).first()
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
             unit_id: int | str | None = None) -> Membership:
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
    try:
        pk = int(membership_id)
    except (TypeError, ValueError):
        raise NotFound("Rollen findes ikke.") from None
    membership = (Membership.objects.select_related("unit", "person")
                  .filter(pk=pk, person=person, organisation_id=org_id).first())
    if membership is None:
        raise NotFound("Rollen findes ikke.")
    if person.pk == actor.pk and membership.role == Role.ADMIN and membership.unit_id is None:
        raise ValidationFailed({"role": "Du kan ikke fjerne din egen administratorrolle for hele "
                                        "kommunen. Bed en anden administrator om det."})
    before = membership_fields(membership)
    access_changed(org_id, person, actor)
    membership.delete()
    _audit(actor, "role.removed", pk, before, None)
    forget_access(person)


def csv_import_record(*, actor: User, what: str, summary: Mapping[str, object]) -> None:
    """Audit a CSV import as a whole (`orgs.csv_imported`), in the import's transaction; each
    row it wrote was audited by the service that wrote it."""
    _audit(actor, "orgs.csv_imported", what, None, summary)
