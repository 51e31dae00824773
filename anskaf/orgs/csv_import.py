"""Import units and people from a CSV file or an Excel workbook (.xlsx), after a dry run.

Two ways in (ADR 0034):

- `preview` runs the whole import in a transaction that is always rolled back, through the
  same services as a real import, and says row by row what would be created, changed, left
  unchanged and refused (a refused row names its sheet, row and why); it returns a signed
  token that holds the file's (cleaned) rows. `commit` runs the token's rows again in one
  transaction, skipping the refused rows, and writes only if the outcome is the one the
  preview showed (else nothing, and the admin looks again). Nothing is stored between the two.
- `import_units` / `import_people` import a file all or nothing: any refused row refuses all.

File format (see docs/brugervejledning.md, "Administration"):

- An .xlsx workbook is read by `workbook.read_sheet` (the sheet »Enheder« or »Personer«, else
  the first sheet; the header is its first row with content; formulas refused); the rest of
  this list is about CSV files, and the columns are the same for both.

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
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction

from anskaf.validation.text import sanitize_imported

from . import fields, services, workbook
from .choices import Role, UnitKind
from .errors import ImportRefused, RowError, ValidationFailed
from .models import Membership, OrgUnit, User

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 200
TOKEN_SALT = "anskaf.orgs.import"
TOKEN_MAX_AGE = 60 * 60  # seconds between the preview and the commit

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
    # rows refused (a preview, or a commit that skips them), as (sheet, row, column, why)
    refused: list[RowError] = field(default_factory=list)
    # what an import changes in a known unit or person: name -> ["type: Afdeling → Forvaltning"]
    changes: dict[str, list[str]] = field(default_factory=dict)
    file_format: str = "csv"  # "csv" or "xlsx"
    sheet: str = ""  # the workbook's sheet that was read
    filename: str = ""

    @property
    def rows(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def refused_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.refused})

    def outcome(self) -> str:
        """A fingerprint of what the import does: a commit writes only if it matches the
        preview's."""
        text = json.dumps([self.what, self.created, self.updated, self.unchanged,
                           self.roles_added, self.changes,
                           [asdict(e) for e in self.refused]], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Table:
    """A file's data rows as (row number, {column: cleaned text}), and where they came from."""

    rows: list[tuple[int, dict[str, str]]]
    replaced: list[str]
    file_format: str = "csv"
    sheet: str = ""


@dataclass
class Preview:
    result: ImportResult
    token: str  # what `commit` needs; signed, so it cannot be changed on the way


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


def _csv_records(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    delimiter = _delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ImportRefused(f"Filen kan ikke læses som CSV (linje {reader.line_num}: {exc}).") from None


def read_file(data: bytes, what: str) -> Table:
    """The file's rows, CSV or XLSX by content (never by name); ImportRefused for a bad file."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"Filen er for stor ({megabytes(len(data))}). Den må højst være "
                            f"{megabytes(MAX_BYTES)}. Del den op i flere filer.")
    columns = UNIT_COLUMNS if what == "units" else PERSON_COLUMNS
    replaced: list[str] = []
    if workbook.is_workbook(data):
        sheet, records = workbook.read_sheet(data, what, limit=MAX_ROWS)
        rows = _table(records, columns, replaced, sheet=sheet)
        return Table(rows, replaced, "xlsx", sheet)
    return Table(_table(_csv_records(data), columns, replaced), replaced)


def read_table(data: bytes, columns: tuple[str, ...],
               replaced: list[str] | None = None) -> list[tuple[int, dict[str, str]]]:
    """A CSV file's data rows as (row number, {column: stripped text})."""
    return _table(_csv_records(data), columns, replaced)


def _table(records: list[tuple[int, list[str]]], columns: tuple[str, ...],
           replaced: list[str] | None, sheet: str = "") -> list[tuple[int, dict[str, str]]]:
    """The data rows as (row number, {column: stripped text}); refuses a malformed file.
    Control and bidi characters in a cell are replaced by a space (the text rule for imported
    files); each such cell is added to `replaced` as "række N, kolonne X"."""
    expected = ";".join(columns)
    if sheet:
        records = [r for r in records if any(c.strip() for c in r[1])]
    if not records or not any(c.strip() for c in records[0][1]):
        raise ImportRefused(f"Første række skal være kolonnenavnene: {expected}.")
    header = [COLUMN_ALIASES.get(_norm(c), _norm(c)) for c in records[0][1]]
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
        where = f"Kolonnerne i første række af arket »{sheet}«" if sheet else (
            "Kolonnerne i første række")
        raise ImportRefused(f"{where} passer ikke ({'; '.join(problems)}). "
                            f"Der skal stå: {expected}.")
    rows: list[tuple[int, dict[str, str]]] = []
    bad: list[RowError] = []
    for number, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(f"Filen har mere end {MAX_ROWS} rækker. Del den op i flere filer "
                                f"med højst {MAX_ROWS} rækker hver.")
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra:
            bad.append(RowError(number, "", f"Rækken har {len(cells)} kolonner, men der er kun "
                                            f"{len(header)} kolonnenavne ({expected}).", sheet))
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


def _service_errors(row: int, exc: ValidationFailed, columns: dict[str, str],
                    sheet: str = "") -> list[RowError]:
    return [RowError(row, columns.get(f, ""), message, sheet)
            for f, message in exc.errors.items()]


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
        "roles_added": result.roles_added, "refused": result.refused_rows,
        "format": result.file_format, **({"sheet": result.sheet[:100]} if result.sheet else {}),
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
    """Import a units file all or nothing: any refused row refuses the whole file."""
    return _import_all_or_nothing(actor, "units", data, filename)


def import_people(*, actor: User, data: bytes, filename: str = "") -> ImportResult:
    """Import a people file all or nothing: any refused row refuses the whole file."""
    return _import_all_or_nothing(actor, "people", data, filename)


def _import_all_or_nothing(actor: User, what: str, data: bytes, filename: str) -> ImportResult:
    org_id = services.require_admin(actor)
    table = read_file(data, what)
    with transaction.atomic():
        result = _run(actor, org_id, what, table, partial=False)
        _summarise(actor, result, filename)
    return result


def preview(*, actor: User, what: str, data: bytes, filename: str = "") -> Preview:
    """The dry run: what importing the file would create, change and refuse. Runs the import
    through the services in a transaction that is always rolled back; nothing is written."""
    org_id = services.require_admin(actor)
    table = read_file(data, what)
    result = _dry_run(actor, org_id, what, table)
    result.filename = filename
    token = signing.dumps({
        "org": org_id, "actor": actor.pk, "what": what, "file": filename[:200],
        "format": table.file_format, "sheet": table.sheet, "replaced": table.replaced,
        "rows": table.rows, "outcome": result.outcome(),
    }, salt=TOKEN_SALT, compress=True)
    return Preview(result, token)


def _dry_run(actor: User, org_id: int, what: str, table: Table) -> ImportResult:
    with transaction.atomic():
        result = _run(actor, org_id, what, table, partial=True)
        transaction.set_rollback(True)
    return result


class PlanChanged(ImportRefused):
    """The municipality's units or people changed between the preview and the commit; carries
    the new preview (409 `conflict`, the message alone)."""

    code = "conflict"

    @property
    def fields(self) -> None:  # type: ignore[override]
        return None

    def __init__(self, message: str, preview: Preview) -> None:
        self.preview = preview
        super().__init__(message)


def commit(*, actor: User, token: str) -> ImportResult:
    """Write what the preview showed, in one transaction: the rows that were not refused.
    Refused when the token is not the caller's, is too old or was changed, or when the import
    would now do something else than the preview said (PlanChanged, with the new preview)."""
    org_id = services.require_admin(actor)
    try:
        plan = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportRefused("Forhåndsvisningen er over en time gammel. Vælg filen igen, og se "
                            "en ny forhåndsvisning, før du importerer. Intet er gemt.") from None
    except signing.BadSignature:
        raise ImportRefused("Importen kan ikke gennemføres, fordi forhåndsvisningen mangler "
                            "eller er ændret undervejs. Vælg filen igen. Intet er gemt.") from None
    if plan.get("org") != org_id or plan.get("actor") != actor.pk:
        raise ImportRefused("Forhåndsvisningen er lavet af en anden administrator. Vælg filen "
                            "igen, og se din egen forhåndsvisning. Intet er gemt.")
    what = plan["what"]
    table = Table([(int(n), dict(v)) for n, v in plan["rows"]], list(plan["replaced"]),
                  plan["format"], plan["sheet"])
    with transaction.atomic():
        result = _run(actor, org_id, what, table, partial=True)
        result.filename = plan["file"]
        if result.outcome() != plan["outcome"]:
            transaction.set_rollback(True)
            changed = True
        else:
            changed = False
            if not result.created and not result.updated and not result.roles_added:
                transaction.set_rollback(True)
                raise ImportRefused("Der er intet at importere: alle rækker er afvist eller "
                                    "uændrede. Intet er gemt.")
            _summarise(actor, result, plan["file"])
    if changed:
        again = _dry_run(actor, org_id, what, table)
        again.filename = plan["file"]
        raise PlanChanged(
            "Kommunens enheder eller personer er ændret, siden forhåndsvisningen blev lavet, så "
            "importen ville nu give et andet resultat. Intet er gemt. Se den nye "
            "forhåndsvisning herunder, og importér igen, hvis den er rigtig.",
            Preview(again, signing.dumps({**plan, "outcome": again.outcome()},
                                         salt=TOKEN_SALT, compress=True)))
    return result


def _run(actor: User, org_id: int, what: str, table: Table, *, partial: bool) -> ImportResult:
    """Run the import inside the caller's transaction. `partial`: refused rows are reported in
    the result and skipped (and the rows below a refused unit); else any refusal raises."""
    result = ImportResult(what, replaced=list(table.replaced), file_format=table.file_format,
                          sheet=table.sheet)
    if what == "units":
        _run_units(actor, org_id, table, result, partial)
    else:
        _run_people(actor, org_id, table, result, partial)
    result.refused = sorted(result.refused, key=lambda e: (e.row, e.column))
    return result


def _unit_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changes = []
    kinds = dict(UnitKind.choices)
    if before["kind"] != after["kind"]:
        changes.append(f"type: {kinds.get(before['kind'], '–')} → {kinds.get(after['kind'])}")
    if before["parent"] != after["parent"]:
        names = dict(OrgUnit.objects.filter(pk__in=[before["parent"], after["parent"]])
                     .values_list("pk", "name"))
        changes.append(f"overordnet: {names.get(before['parent'], '(ingen)')} → "
                       f"{names.get(after['parent'], '(ingen)')}")
    return changes


def _run_units(actor: User, org_id: int, table: Table, result: ImportResult,
               partial: bool) -> None:
    sheet = table.sheet
    units = _Units(org_id)
    errors: list[RowError] = []
    parsed: dict[str, _UnitRow] = {}
    for number, values in table.rows:
        row_errors: list[RowError] = []
        name, error = fields.problem_of(fields.unit_name, values["navn"])
        if error:
            row_errors.append(RowError(number, "navn", error, sheet))
        kind_text = values["type"]
        kind = KIND_WORDS.get(_norm(kind_text))
        if kind is None:
            row_errors.append(RowError(number, "type", "Skriv »forvaltning« eller »afdeling«"
                                       + (f", ikke »{kind_text}«." if kind_text else "."), sheet))
        parent = " ".join(values["overordnet"].split())
        if error:
            errors.extend(row_errors)
            continue
        key = _norm(name)
        if key in parsed:
            errors.append(RowError(number, "navn", f"Enheden »{name}« står også i række "
                                                   f"{parsed[key].row}.", sheet))
            continue
        if parent and _norm(parent) == key:
            row_errors.append(RowError(number, "overordnet",
                                       "En enhed kan ikke være sin egen overordnede enhed.", sheet))
        existing = units.by_name.get(key, [])
        if len(existing) > 1:
            row_errors.append(RowError(number, "navn", f"Der er {len(existing)} enheder med "
                                       f"navnet »{name}« i kommunen. Giv dem forskellige navne "
                                       "på siden Enheder, og prøv igen.", sheet))
        errors.extend(row_errors)
        parsed[key] = _UnitRow(number, name, kind or "", parent,
                               existing[0] if len(existing) == 1 else None)

    # Parents: another row of the file, or a unit that is already there.
    for item in parsed.values():
        if item.parent and _norm(item.parent) not in parsed:
            _unit, error = units.find(item.parent)
            if error:
                errors.append(RowError(item.row, "overordnet",
                                       error.replace("Opret den først.",
                                                     "Tilføj den i filen eller opret den først."),
                                       sheet))
    if partial:
        _drop_refused(parsed, errors, sheet)
    if partial or not errors:
        errors.extend(_unit_cycles(org_id, parsed, units, sheet))
        if partial:
            _drop_refused(parsed, errors, sheet)
    if errors and not partial:
        raise _refuse(errors)

    done: dict[str, OrgUnit] = {}
    failed: dict[str, int] = {}
    for item in _parents_first(parsed):
        parent_key = _norm(item.parent)
        if item.parent and parent_key in failed:
            errors.append(_parent_refused(item, failed[parent_key], sheet))
            failed[_norm(item.name)] = item.row
            continue
        parent_unit = (done.get(parent_key) or units.find(item.parent)[0]
                       if item.parent else None)
        data_ = {"kind": item.kind, "parent": parent_unit.pk if parent_unit else None}
        try:
            with transaction.atomic():  # a row that fails leaves nothing behind
                if item.existing is not None:
                    before = services.unit_fields(item.existing)
                    unit = services.unit_update(actor=actor, unit_id=item.existing.pk,
                                                data={**data_, "name": item.existing.name})
                    after = services.unit_fields(unit)
                    if after != before:
                        result.updated.append(unit.name)
                        result.changes[unit.name] = _unit_changes(before, after)
                    else:
                        result.unchanged.append(unit.name)
                else:
                    unit = services.unit_create(actor=actor, data={**data_, "name": item.name})
                    result.created.append(unit.name)
        except ValidationFailed as exc:
            errors.extend(_service_errors(item.row, exc, UNIT_FIELD_COLUMNS, sheet))
            failed[_norm(item.name)] = item.row
            continue
        done[_norm(item.name)] = unit
    if errors and not partial:
        raise _refuse(errors)
    result.refused.extend(errors)


def _parent_refused(item: _UnitRow, row: int, sheet: str) -> RowError:
    return RowError(item.row, "overordnet", f"Den overordnede enhed »{item.parent}« i række "
                                            f"{row} er afvist, så denne række er også afvist.",
                    sheet)


def _drop_refused(parsed: dict[str, _UnitRow], errors: list[RowError], sheet: str) -> None:
    """Leave out the refused rows, and (again and again) the rows whose parent in the file is
    refused; each of those gets its own error."""
    refused = {e.row for e in errors}
    gone = {key: item.row for key, item in parsed.items() if item.row in refused}
    for key in gone:
        del parsed[key]
    changed = True
    while changed:
        changed = False
        for key, item in list(parsed.items()):
            if item.parent and _norm(item.parent) in gone:
                errors.append(_parent_refused(item, gone[_norm(item.parent)], sheet))
                gone[key] = item.row
                del parsed[key]
                changed = True


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


def _unit_cycles(org_id: int, parsed: dict[str, _UnitRow], units: _Units,
                 sheet: str = "") -> list[RowError]:
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
                                       f"Enheden ville komme til at ligge under sig selv: {chain}.",
                                       sheet))
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




def _run_people(actor: User, org_id: int, table: Table, result: ImportResult,
                partial: bool) -> None:
    sheet = table.sheet
    units = _Units(org_id)
    mine = {u.username.casefold(): u for u in User.objects.filter(organisation_id=org_id)}
    errors: list[RowError] = []
    parsed: list[_PersonRow] = []
    seen: dict[str, int] = {}

    def check(number: int, column: str, rule: fields.Rule, value: str) -> str:
        clean, error = fields.problem_of(rule, value)
        if error:
            errors.append(RowError(number, column, error, sheet))
        return clean

    for number, values in table.rows:
        key = values["brugernavn"].casefold()
        existing = mine.get(key)
        if key and key in seen:
            errors.append(RowError(number, "brugernavn", f"Brugernavnet »{values['brugernavn']}« "
                                                         f"står også i række {seen[key]}.", sheet))
            continue
        seen[key] = number
        username, error = fields.problem_of(fields.username, values["brugernavn"])
        error = error or services.username_refusal(
            username, exclude_pk=existing.pk if existing else None)
        if error:
            errors.append(RowError(number, "brugernavn", error, sheet))
        full_name = check(number, "navn", fields.full_name, values["navn"])
        email = check(number, "email", fields.email, values["email"])
        unit = None
        if values["enhed"]:
            unit, error = units.find(values["enhed"])
            if error:
                errors.append(RowError(number, "enhed", error, sheet))
        roles, role_errors = _parse_roles(values["roller"], units)
        errors.extend(RowError(number, "roller", e, sheet) for e in role_errors)
        parsed.append(_PersonRow(number, username, full_name, email, unit, roles, existing))
    if errors and not partial:
        raise _refuse(errors)

    refused = {e.row for e in errors}
    for item in parsed:
        if item.row in refused:
            continue
        try:
            changes = _import_person(actor, item, result)
        except ValidationFailed as exc:
            errors.extend(_service_errors(item.row, exc, PERSON_FIELD_COLUMNS, sheet))
            continue
        if item.existing is None:
            result.created.append(item.username)
        elif changes:
            result.updated.append(item.existing.username)
            result.changes[item.existing.username] = changes
        else:
            result.unchanged.append(item.existing.username)
    if errors and not partial:
        raise _refuse(errors)
    result.refused.extend(errors)


PERSON_LABELS = {"full_name": "navn", "email": "email", "unit": "enhed"}


def _person_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changes = []
    for key, label in PERSON_LABELS.items():
        if before[key] != after[key]:
            old, new = before[key], after[key]
            if key == "unit":
                names = dict(OrgUnit.objects.filter(pk__in=[old, new]).values_list("pk", "name"))
                old, new = names.get(old), names.get(new)
            changes.append(f"{label}: {old or '(tom)'} → {new or '(tom)'}")
    return changes


def _import_person(actor: User, item: _PersonRow, result: ImportResult) -> list[str]:
    """Create or update one person and add their missing roles; what changed (for a known
    person; a new one answers ["ny"])."""
    data = {"full_name": item.full_name, "email": item.email,
            "unit": item.unit.pk if item.unit else None}
    with transaction.atomic():  # a row that fails leaves nothing behind
        if item.existing is None:
            person = services.person_create(
                actor=actor, data={**data, "username": item.username, "is_active": True})
            changes = ["ny"]
        else:
            before = services.person_fields(item.existing)
            person = services.person_update(
                actor=actor, person_id=item.existing.pk,
                data={**data, "username": item.existing.username,
                      "is_active": item.existing.is_active})
            changes = _person_changes(before, services.person_fields(person))
        held = set(Membership.objects.filter(person=person).values_list("role", "unit_id"))
        labels = dict(Role.choices)
        for key, unit in item.roles:
            if (key, unit.pk if unit else None) in held:
                continue
            services.role_add(actor=actor, person_id=person.pk, role=key,
                              unit_id=unit.pk if unit else None)
            result.roles_added += 1
            changes.append(f"ny rolle: {labels[key]} ({services.scope_label(unit)})")
    return changes
