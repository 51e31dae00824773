"""Import of a KITOS export of the municipality's systems (.xlsx or .csv): all or nothing.

The columns are found by their Danish headings as KITOS's overview export names them (a few
spellings each); only »Systemnavn« (or »IT-system«) is required. A row whose KITOS UUID or
name matches an existing system updates it; others are created.
"""

from __future__ import annotations

import contextlib
import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from anskaf.audit.services import audit_append
from anskaf.cases.errors import BadRequest
from anskaf.orgs.models import OrgUnit, User
from anskaf.validation.text import sanitize_imported

from .models import Lifecycle, System

COLUMNS = {
    "name": ("systemnavn", "it-system", "it system", "navn", "system"),
    "uuid": ("uuid", "kitos uuid", "anvendelse uuid", "kitos-uuid"),
    "system_uuid": ("system uuid", "katalog uuid", "it-system uuid"),
    "supplier": ("leverandør", "rettighedshaver"),
    "purpose": ("formål", "beskrivelse", "lokal beskrivelse"),
    "lifecycle": ("livscyklus", "status", "livscyklusstatus"),
    "unit": ("ansvarlig organisationsenhed", "ansvarlig enhed", "organisationsenhed"),
    "personal_data": ("personoplysninger", "behandler personoplysninger",
                      "personfølsomme data"),
}
LIFECYCLES = {label.casefold(): value for value, label in Lifecycle.choices}
LIFECYCLES.update({value.casefold(): value for value in Lifecycle.values})
YES = {"ja", "yes", "x", "sand", "true", "1"}
NO = {"nej", "no", "", "falsk", "false", "0"}
MAX_ROWS = 5000


class ImportRefused(BadRequest):
    """A KITOS export that cannot be imported; `problems` names each (row by row)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Intet er importeret. " + " ".join(problems[:20]))
        self.problems = problems


@dataclass
class ImportResult:
    created: int
    updated: int
    # cells in which control or bidi characters were replaced by a space (the text rule for
    # imported files), as "række 3 (supplier)"
    replaced: list[str] = field(default_factory=list)


def read_rows(filename: str, content: bytes) -> list[list[str]]:
    """The file's rows as text cells; .xlsx through openpyxl, anything else as CSV (; or ,)."""
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise ImportRefused(["Filen kunne ikke læses som et Excel-ark (.xlsx)."]) from None
        sheet = book.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    names = [h.casefold().strip() for h in header]
    for key, spellings in COLUMNS.items():
        for i, name in enumerate(names):
            if name in spellings:
                found[key] = i
                break
    if "name" not in found:
        raise ImportRefused(["Filen mangler kolonnen »Systemnavn« i første række."])
    return found


COLUMN_TITLES = {"name": "Systemnavn", "uuid": "UUID", "system_uuid": "System UUID",
                 "supplier": "Leverandør", "purpose": "Formål", "lifecycle": "Livscyklus",
                 "unit": "Ansvarlig organisationsenhed", "personal_data": "Personoplysninger"}


def _parse(row: list[str], cols: dict[str, int], units: dict[str, int], number: int,
           errors: list[str], replaced: list[str] | None = None) -> dict[str, Any] | None:
    def cell(key: str) -> str:
        i = cols.get(key)
        value = row[i] if i is not None and i < len(row) else ""
        value, changed = sanitize_imported(value)
        if changed:
            note = f"række {number} ({COLUMN_TITLES[key]})"
            if replaced is not None and note not in replaced:
                replaced.append(note)
            value = " ".join(value.split())
        return value

    before = len(errors)
    name = cell("name")
    if not name:
        errors.append(f"Række {number}: systemnavnet mangler.")
    elif len(name) > 200:
        errors.append(f"Række {number}: systemnavnet er længere end 200 tegn.")
    out: dict[str, Any] = {"name": name, "supplier": cell("supplier")[:200],
                           "purpose": cell("purpose")}
    for key in ("uuid", "system_uuid"):
        if cell(key):
            try:
                out[key] = uuid.UUID(cell(key))
            except ValueError:
                errors.append(f"Række {number}: »{cell(key)}« er ikke et gyldigt UUID.")
    if cell("lifecycle"):
        value = LIFECYCLES.get(cell("lifecycle").casefold())
        if value is None:
            errors.append(f"Række {number}: ukendt livscyklus »{cell('lifecycle')}« (brug fx "
                          "»I drift« eller »Under udfasning«).")
        out["lifecycle"] = value
    if cell("unit"):
        unit_id = units.get(cell("unit").casefold())
        if unit_id is None:
            errors.append(f"Række {number}: enheden »{cell('unit')}« findes ikke i kommunen.")
        out["owner_unit_id"] = unit_id
    flag = cell("personal_data").casefold()
    if flag in YES:
        out["personal_data"] = True
    elif flag in NO:
        out["personal_data"] = False
    else:
        errors.append(f"Række {number}: personoplysninger skal være »Ja« eller »Nej«.")
    return out if len(errors) == before else None


@transaction.atomic
def import_systems(*, actor: User, filename: str, content: bytes) -> ImportResult:
    """Check every row first; import only when all are right (else ImportRefused naming each
    bad row, and nothing is written)."""
    from .services import SYSTEM_WRITERS, require_role, system_search_text

    role = require_role(actor, SYSTEM_WRITERS, "IT, indkøb og administratorer")
    rows = [r for r in read_rows(filename, content) if any(c for c in r)]
    if not rows:
        raise ImportRefused(["Filen er tom."])
    if len(rows) > MAX_ROWS + 1:
        raise ImportRefused([f"Filen har mere end {MAX_ROWS} rækker."])
    cols = _columns(rows[0])
    org = actor.organisation_id
    units = {u.name.casefold(): u.pk for u in OrgUnit.objects.filter(organisation_id=org)}
    errors: list[str] = []
    replaced: list[str] = []
    parsed = [(n, _parse(r, cols, units, n, errors, replaced))
              for n, r in enumerate(rows[1:], start=2)]
    if errors:
        raise ImportRefused(errors)
    existing = list(System.objects.select_for_update().filter(organisation_id=org))
    by_uuid = {s.kitos_uuid: s for s in existing if s.kitos_uuid}
    by_name = {s.name.casefold(): s for s in existing}
    created = updated = 0
    for _, data in parsed:
        assert data is not None
        system = by_uuid.get(data.get("uuid")) or by_name.get(data["name"].casefold())
        is_new = system is None
        system = system or System(organisation_id=org)
        for key, value in data.items():
            if key == "uuid":
                system.kitos_uuid = value
            elif key == "system_uuid":
                system.kitos_system_uuid = value
            elif value not in (None, "") or key == "personal_data":
                setattr(system, key, value)
        system.search_text = system_search_text(system)
        system.save()
        by_name[system.name.casefold()] = system
        created, updated = created + is_new, updated + (not is_new)
    audit_append(organisation_id=org, actor=actor, actor_role=role, event_type="system.imported",
                 object_id=None, before=None,
                 after={"file": filename[:200], "created": created, "updated": updated})
    return ImportResult(created, updated, replaced)
