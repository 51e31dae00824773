"""Import units and people from a CSV file: all rows are checked, and all or nothing is written.

File format (see docs/brugervejledning.md, "Administration"):

- UTF-8, with or without a byte order mark (Excel's "CSV UTF-8"); anything else is refused
  with a message that says how to save the file.
- Separator `;` (Danish Excel) or `,` (or tab), found from the header row.
- First row: the column names, in any order (case does not matter).
  Units:  navn;type;overordnet        type is "forvaltning" or "afdeling"; overordnet is the
                                      name of the parent unit (in the file or already there),
                                      empty for a top-level unit.
  People: brugernavn;navn;email;enhed;roller
                                      roller: role keys (or their Danish names) separated by
                                      `|`; `role@unit name` scopes a role to a unit, e.g.
                                      "coordinator@Social- og Sundhedsforvaltningen|it".
- At most MAX_BYTES bytes and MAX_ROWS data rows.

Units are recognised by their name within the municipality, people by their username. A
known unit gets the file's type and parent; a known person the file's name, e-mail and unit,
plus any role in the file they do not hold yet (roles are never removed by an import). New
people get no password: they log in by single sign-on, or an administrator sets a password.

Rows are checked first (shape, references, duplicates, cycles); then every row is written
through the ordinary services (`anskaf.orgs.services`), so the same rules and the same audit
events apply, inside one transaction. Any problem, found in either pass, rolls everything back
and is reported as (row, column, Danish message); rows are numbered as Excel numbers them
(the header is row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from anskaf.validation.text import sanitize_imported

from . import services
from .choices import Role, UnitKind
from .errors import ImportRefused, RowError, ValidationFailed
from .models import Membership, OrgUnit, User

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 200

UNIT_COLUMNS = ("navn", "type", "overordnet")
PERSON_COLUMNS = ("brugernavn", "navn", "email", "enhed", "roller")
COLUMN_ALIASES = {
    "e-mail": "email", "mail": "email", "e-mailadresse": "email",
    "overordnet enhed": "overordnet", "rolle": "roller",
}
KIND_WORDS = {
    "forvaltning": UnitKind.ADMINISTRATION, "administration": UnitKind.ADMINISTRATION,
    "afdeling": UnitKind.DEPARTMENT, "department": UnitKind.DEPARTMENT,
}
UNIT_FIELD_COLUMNS = {"name": "navn", "kind": "type", "parent": "overordnet"}
PERSON_FIELD_COLUMNS = {"username": "brugernavn", "full_name": "navn", "email": "email",
                        "unit": "enhed", "role": "roller", "is_active": "", "password": ""}
SAVE_AS_UTF8 = ("Gem filen i Excel med »Gem som« og filtypen »CSV UTF-8 (kommasepareret) "
                "(*.csv)«, og prøv igen.")


@dataclass
class ImportResult:
    what: str  # "units" or "people"
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    roles_added: int = 0
    # cells in which control or bidi characters were replaced by a space (the text rule):
    # "række 3, kolonne navn"
    replaced: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


def megabytes(size: int) -> str:
    return f"{size / MAX_BYTES:.1f}".replace(".", ",") + " MB"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- reading the file -------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"Filen er for stor ({megabytes(len(data))}). Den må højst være "
                            f"{megabytes(MAX_BYTES)}. Del den op i flere filer.")
    if not data.strip():
        raise ImportRefused("Filen er tom.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused("Filen er en Excel-projektmappe, ikke en CSV-fil. " + SAVE_AS_UTF8)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused("Filen er gemt som UTF-16 (»Unicode-tekst«), ikke som UTF-8. "
                            + SAVE_AS_UTF8)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"Filen er ikke gemt som UTF-8 (første ugyldige tegn står i linje {line}; den er "
            "måske gemt som »CSV (semikolonsepareret)« i Windows-tegnsæt). " + SAVE_AS_UTF8
        ) from None
    if not text.strip():
        raise ImportRefused("Filen er tom.")
    if "\x00" in text:
        raise ImportRefused("Filen indeholder NUL-tegn og er ikke en tekstfil. " + SAVE_AS_UTF8)
    return text


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise ImportRefused("Første række skal være kolonnenavnene adskilt af semikolon (;), "
                            "fx »navn;type;overordnet«.")
    return best


def read_table(data: bytes, columns: tuple[str, ...],
               replaced: list[str] | None = None) -> list[tuple[int, dict[str, str]]]:
    """The data rows as (row number, {column: stripped text}); refuses a malformed file.
    Control and bidi characters in a cell are replaced by a space (the text rule for imported
    files); each such cell is added to `replaced` as "række N, kolonne X"."""
    text = _decode(data)
    header_line = text.splitlines()[0]
    delimiter = _delimiter(header_line)
    expected = ";".join(columns)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportRefused(f"Filen kan ikke læses som CSV (linje {reader.line_num}: {exc}).") from None
    if not records or not any(c.strip() for c in records[0]):
        raise ImportRefused(f"Første række skal være kolonnenavnene: {expected}.")
    header = [COLUMN_ALIASES.get(_norm(c), _norm(c)) for c in records[0]]
    while header and header[-1] == "":
        header.pop()  # Excel sometimes adds empty columns after the last one
    unknown = [h or "(tom)" for h in header if h not in columns]
    missing = [c for c in columns if c not in header]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if unknown or missing or duplicated:
        problems = []
        if missing:
            problems.append("mangler " + ", ".join(f"»{c}«" for c in missing))
        if unknown:
            problems.append("ukendt " + ", ".join(f"»{c}«" for c in unknown))
        if duplicated:
            problems.append("står to gange: " + ", ".join(f"»{c}«" for c in duplicated))
        raise ImportRefused(f"Kolonnerne i første række passer ikke ({'; '.join(problems)}). "
                            f"Der skal stå: {expected}.")
    rows: list[tuple[int, dict[str, str]]] = []
    bad: list[RowError] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(f"Filen har mere end {MAX_ROWS} rækker. Del den op i flere filer "
                                f"med højst {MAX_ROWS} rækker hver.")
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra:
            bad.append(RowError(number, "", f"Rækken har {len(cells)} kolonner, men der er kun "
                                            f"{len(header)} kolonnenavne ({expected})."))
            continue
        cells = cells + [""] * (len(header) - len(cells))
        values = {}
        for i, name in enumerate(header):
            value, changed = sanitize_imported(cells[i])
            if changed and replaced is not None:
                replaced.append(f"række {number}, kolonne {name}")
            values[name] = " ".join(value.split()) if changed else value.strip()
        rows.append((number, values))
    if bad:
        raise ImportRefused(_refusal_message(bad), bad)
    if not rows:
        raise ImportRefused("Filen indeholder ingen rækker under kolonnenavnene.")
    return rows


def _refusal_message(errors: list[RowError]) -> str:
    n = len({e.row for e in errors})
    rows = "række" if n == 1 else "rækker"
    return (f"Filen er ikke importeret: {n} {rows} har fejl. Ret fejlene i filen, og importér "
            "den igen. Intet er gemt.")


def _refuse(errors: list[RowError]) -> ImportRefused:
    errors = sorted(errors, key=lambda e: e.row)
    return ImportRefused(_refusal_message(errors), errors[:MAX_REPORTED_ERRORS])


def _service_errors(row: int, exc: ValidationFailed, columns: dict[str, str]) -> list[RowError]:
    return [RowError(row, columns.get(f, ""), message) for f, message in exc.errors.items()]


# --- looking things up by name ----------------------------------------------------------------


class _Units:
    """The organisation's units by name (case and extra spaces do not matter)."""

    def __init__(self, organisation_id: int) -> None:
        self.by_name: dict[str, list[OrgUnit]] = {}
        for unit in OrgUnit.objects.filter(organisation_id=organisation_id).order_by("pk"):
            self.by_name.setdefault(_norm(unit.name), []).append(unit)

    def find(self, name: str) -> tuple[OrgUnit | None, str | None]:
        """The one unit with this name, or an error message."""
        found = self.by_name.get(_norm(name), [])
        if not found:
            return None, f"Enheden »{name}« findes ikke i kommunen. Opret den først."
        if len(found) > 1:
            return None, (f"Der er {len(found)} enheder med navnet »{name}«. Giv dem forskellige "
                          "navne på siden Enheder, og prøv igen.")
        return found[0], None


def _summarise(actor: User, result: ImportResult, filename: str) -> None:
    services.csv_import_record(actor=actor, what=result.what, summary={
        "file": filename[:200], "what": result.what, "created": len(result.created),
        "updated": len(result.updated), "unchanged": len(result.unchanged),
        "roles_added": result.roles_added,
    })


# --- units ------------------------------------------------------------------------------------


@dataclass
class _UnitRow:
    row: int
    name: str
    kind: str
    parent: str  # the parent's name as written; "" for top level
    existing: OrgUnit | None = None


def import_units(*, actor: User, data: bytes, filename: str = "") -> ImportResult:
    org_id = services.require_admin(actor)
    replaced: list[str] = []
    table = read_table(data, UNIT_COLUMNS, replaced)
    units = _Units(org_id)
    errors: list[RowError] = []
    parsed: dict[str, _UnitRow] = {}
    for number, values in table:
        name, error = services.check_unit_name(values["navn"])
        if error:
            errors.append(RowError(number, "navn", error))
        kind_text = values["type"]
        kind = KIND_WORDS.get(_norm(kind_text))
        if kind is None:
            errors.append(RowError(number, "type", "Skriv »forvaltning« eller »afdeling«"
                                   + (f", ikke »{kind_text}«." if kind_text else ".")))
        parent = " ".join(values["overordnet"].split())
        if error:
            continue
        key = _norm(name)
        if key in parsed:
            errors.append(RowError(number, "navn", f"Enheden »{name}« står også i række "
                                                   f"{parsed[key].row}."))
            continue
        if parent and _norm(parent) == key:
            errors.append(RowError(number, "overordnet",
                                   "En enhed kan ikke være sin egen overordnede enhed."))
        existing = units.by_name.get(key, [])
        if len(existing) > 1:
            errors.append(RowError(number, "navn", f"Der er {len(existing)} enheder med navnet "
                                   f"»{name}« i kommunen. Giv dem forskellige navne på siden "
                                   "Enheder, og prøv igen."))
        parsed[key] = _UnitRow(number, name, kind or "", parent,
                               existing[0] if len(existing) == 1 else None)

    # Parents: another row of the file, or a unit that is already there.
    for item in parsed.values():
        if item.parent and _norm(item.parent) not in parsed:
            _unit, error = units.find(item.parent)
            if error:
                errors.append(RowError(item.row, "overordnet",
                                       error.replace("Opret den først.",
                                                     "Tilføj den i filen eller opret den først.")))
    if not errors:
        errors.extend(_unit_cycles(org_id, parsed, units))
    if errors:
        raise _refuse(errors)

    result = ImportResult("units", replaced=replaced)
    with transaction.atomic():
        done: dict[str, OrgUnit] = {}
        for item in _parents_first(parsed):
            parent_unit = (done.get(_norm(item.parent)) or units.find(item.parent)[0]
                           if item.parent else None)
            data_ = {"kind": item.kind, "parent": parent_unit.pk if parent_unit else None}
            try:
                if item.existing is not None:
                    before = services.unit_fields(item.existing)
                    unit = services.unit_update(actor=actor, unit_id=item.existing.pk,
                                                data={**data_, "name": item.existing.name})
                    (result.updated if services.unit_fields(unit) != before
                     else result.unchanged).append(unit.name)
                else:
                    unit = services.unit_create(actor=actor, data={**data_, "name": item.name})
                    result.created.append(unit.name)
            except ValidationFailed as exc:
                errors.extend(_service_errors(item.row, exc, UNIT_FIELD_COLUMNS))
                continue
            done[_norm(item.name)] = unit
        if errors:
            transaction.set_rollback(True)
            raise _refuse(errors)
        _summarise(actor, result, filename)
    return result


def _parents_first(parsed: dict[str, _UnitRow]) -> list[_UnitRow]:
    """File rows ordered so that a parent defined in the file comes before its children."""
    ordered: list[_UnitRow] = []
    placed: set[str] = set()

    def place(key: str, trail: set[str]) -> None:
        if key in placed or key in trail:
            return
        item = parsed[key]
        parent = _norm(item.parent)
        if item.parent and parent in parsed:
            place(parent, trail | {key})
        placed.add(key)
        ordered.append(item)

    for key in sorted(parsed, key=lambda k: parsed[k].row):
        place(key, set())
    return ordered


def _unit_cycles(org_id: int, parsed: dict[str, _UnitRow], units: _Units) -> list[RowError]:
    """Rows that would put a unit below itself, once the file's parents are applied."""
    # Nodes: ("file", name key) for the file's rows, ("db", pk) for the other units.
    parent_of: dict[tuple[str, Any], tuple[str, Any] | None] = {}
    file_pk = {item.existing.pk: key for key, item in parsed.items() if item.existing}

    def node_of_unit(pk: int | None) -> tuple[str, Any] | None:
        if pk is None:
            return None
        return ("file", file_pk[pk]) if pk in file_pk else ("db", pk)

    names: dict[int, str] = {}
    for pk, parent_id, name in (OrgUnit.objects.filter(organisation_id=org_id)
                                .values_list("pk", "parent_id", "name")):
        names[pk] = name
        if pk not in file_pk:
            parent_of[("db", pk)] = node_of_unit(parent_id)
    for key, item in parsed.items():
        if not item.parent:
            parent_of[("file", key)] = None
        elif _norm(item.parent) in parsed:
            parent_of[("file", key)] = ("file", _norm(item.parent))
        else:
            unit, _ = units.find(item.parent)
            parent_of[("file", key)] = node_of_unit(unit.pk if unit else None)
    errors = []
    for key, item in parsed.items():
        start = ("file", key)
        trail = [item.name]
        seen = {start}
        node = parent_of.get(start)
        while node is not None:
            name = parsed[node[1]].name if node[0] == "file" else names.get(node[1], "?")
            if node == start:
                chain = " › ".join([*trail, item.name])
                errors.append(RowError(item.row, "overordnet",
                                       f"Enheden ville komme til at ligge under sig selv: {chain}."))
                break
            if node in seen:
                break
            seen.add(node)
            trail.append(name)
            node = parent_of.get(node)
    return errors


# --- people -----------------------------------------------------------------------------------


ROLE_HELP = ", ".join(Role.values)


@dataclass
class _PersonRow:
    row: int
    username: str
    full_name: str
    email: str
    unit: OrgUnit | None
    roles: list[tuple[str, OrgUnit | None]]
    existing: User | None = None


def _parse_roles(text: str, units: _Units) -> tuple[list[tuple[str, OrgUnit | None]], list[str]]:
    roles: list[tuple[str, OrgUnit | None]] = []
    errors: list[str] = []
    for raw in text.split("|"):
        item = raw.strip()
        if not item:
            continue
        role_text, at, unit_name = item.partition("@")
        key = services.role_key(role_text)
        if key is None:
            errors.append(f"Ukendt rolle »{role_text.strip()}«. Brug en af: {ROLE_HELP}.")
            continue
        unit = None
        if at:
            if not unit_name.strip():
                errors.append(f"Skriv en enhed efter @ i »{item}«, eller fjern @.")
                continue
            unit, error = units.find(unit_name.strip())
            if error:
                errors.append(f"{error} (i rollen »{item}«)")
                continue
        if (key, unit) not in roles:
            roles.append((key, unit))
    return roles, errors


def import_people(*, actor: User, data: bytes, filename: str = "") -> ImportResult:
    org_id = services.require_admin(actor)
    replaced: list[str] = []
    table = read_table(data, PERSON_COLUMNS, replaced)
    units = _Units(org_id)
    mine = {u.username.casefold(): u for u in User.objects.filter(organisation_id=org_id)}
    errors: list[RowError] = []
    parsed: list[_PersonRow] = []
    seen: dict[str, int] = {}

    def check(number: int, column: str, checker: Callable[..., tuple[str, str | None]],
              value: str, **kw: Any) -> str:
        clean, error = checker(value, **kw)
        if error:
            errors.append(RowError(number, column, error))
        return clean

    for number, values in table:
        key = values["brugernavn"].casefold()
        existing = mine.get(key)
        if key and key in seen:
            errors.append(RowError(number, "brugernavn", f"Brugernavnet »{values['brugernavn']}« "
                                                         f"står også i række {seen[key]}."))
            continue
        seen[key] = number
        username = check(number, "brugernavn", services.check_username, values["brugernavn"],
                         exclude_pk=existing.pk if existing else None)
        full_name = check(number, "navn", services.check_full_name, values["navn"])
        email = check(number, "email", services.check_email, values["email"])
        unit = None
        if values["enhed"]:
            unit, error = units.find(values["enhed"])
            if error:
                errors.append(RowError(number, "enhed", error))
        roles, role_errors = _parse_roles(values["roller"], units)
        errors.extend(RowError(number, "roller", e) for e in role_errors)
        parsed.append(_PersonRow(number, username, full_name, email, unit, roles, existing))
    if errors:
        raise _refuse(errors)

    result = ImportResult("people", replaced=replaced)
    with transaction.atomic():
        for item in parsed:
            try:
                changed = _import_person(actor, item, result)
            except ValidationFailed as exc:
                errors.extend(_service_errors(item.row, exc, PERSON_FIELD_COLUMNS))
                continue
            if item.existing is None:
                result.created.append(item.username)
            else:
                (result.updated if changed else result.unchanged).append(item.existing.username)
        if errors:
            transaction.set_rollback(True)
            raise _refuse(errors)
        _summarise(actor, result, filename)
    return result


def _import_person(actor: User, item: _PersonRow, result: ImportResult) -> bool:
    """Create or update one person and add their missing roles; True when anything changed."""
    data = {"full_name": item.full_name, "email": item.email,
            "unit": item.unit.pk if item.unit else None}
    with transaction.atomic():  # a row that fails leaves nothing behind
        if item.existing is None:
            person = services.person_create(
                actor=actor, data={**data, "username": item.username, "is_active": True})
            changed = True
        else:
            before = services.person_fields(item.existing)
            person = services.person_update(
                actor=actor, person_id=item.existing.pk,
                data={**data, "username": item.existing.username,
                      "is_active": item.existing.is_active})
            changed = services.person_fields(person) != before
        held = set(Membership.objects.filter(person=person).values_list("role", "unit_id"))
        for key, unit in item.roles:
            if (key, unit.pk if unit else None) in held:
                continue
            services.role_add(actor=actor, person_id=person.pk, role=key,
                              unit_id=unit.pk if unit else None)
            result.roles_added += 1
            changed = True
    return changed
