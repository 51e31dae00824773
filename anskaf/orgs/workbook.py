"""Reading an Excel workbook (.xlsx) for the organisation's import: the cells of one sheet as
text, after the file has passed the archive rule (ADR 0016, `anskaf.validation.archives`).

Which sheet (ADR 0034): the sheet named after what is imported (»Enheder« or »Personer«, case
does not matter) if the workbook has one, else the first sheet. One workbook can so hold both
lists, imported one after the other.

Refused with a Danish message, and nothing stored: a file that is not a workbook (an old .xls,
a password-protected workbook, anything else), a damaged one, one with macros, one that fails
the archive rule (too much unpacked, a ZIP bomb, odd paths), a formula in a cell (the import
reads values, not the calculations that made them), a sheet with no rows.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from typing import Any

from anskaf.validation.archives import ArchiveRefused, check_members

from .errors import ImportRefused

# A workbook of 2000 people unpacks to well under 5 MB; more is not an ordinary list.
MAX_UNPACKED = 20 * 1024 * 1024
MAX_MEMBERS = 500
MAX_COLUMNS = 30  # columns read per row; the import has at most five
MAX_FORMULAS_SHOWN = 5
SAVE_AS_XLSX = (
    "Gem filen i Excel med »Gem som« og filtypen »Excel-projektmappe (*.xlsx)«, "
    "uden adgangskode, og prøv igen."
)
SHEET_NAMES = {"units": "Enheder", "people": "Personer"}
# How Office writes a character XML cannot carry (a control character): _x001B_; a literal
# "_x" is itself written _x005F_x. openpyxl's read-only mode leaves them as they are.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def is_workbook(data: bytes) -> bool:
    """A ZIP or an OLE container (old .xls, or an encrypted .xlsx): treated as a workbook."""
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0"))


def _checked_archive(data: bytes) -> None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            "Filen er en gammel Excel-fil (.xls) eller en projektmappe, der er "
            "beskyttet med adgangskode. " + SAVE_AS_XLSX
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ImportRefused(
                    f"Filen indeholder over {MAX_MEMBERS} dele og er ikke en "
                    "almindelig Excel-projektmappe. " + SAVE_AS_XLSX
                )
            try:
                check_members(members, max_unpacked=MAX_UNPACKED)
            except ArchiveRefused as exc:
                raise ImportRefused(
                    exc.message.replace("Filen er ikke gemt.", "Intet er importeret.")
                ) from None
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        raise ImportRefused(
            "Filen ligner en Excel-projektmappe, men er beskadiget. Åbn den i "
            "Excel, gem den igen, og prøv igen."
        ) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportRefused("Filen er en ZIP-fil, men ikke en Excel-projektmappe. " + SAVE_AS_XLSX)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ImportRefused("Projektmappen indeholder makroer, som ikke modtages. " + SAVE_AS_XLSX)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
    return str(value)


def read_sheet(data: bytes, what: str, limit: int) -> tuple[str, list[tuple[int, list[str]]]]:
    """The sheet's name and its non-empty rows as (row number as in Excel, cells as text);
    reading stops after `limit` + 2 such rows (the header, and one to tell the caller there are
    more than `limit`)."""
    _checked_archive(data)
    import openpyxl  # only when a workbook is imported (it is slow to import)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a sound workbook
        raise ImportRefused(
            "Filen kunne ikke læses som en Excel-projektmappe (.xlsx); den er "
            "måske beskadiget. " + SAVE_AS_XLSX
        ) from None
    try:
        wanted = SHEET_NAMES[what].casefold()
        names = book.sheetnames
        if not names:
            raise ImportRefused("Projektmappen har ingen ark.")
        name = next((n for n in names if n.strip().casefold() == wanted), names[0])
        sheet = book[name]
        if not hasattr(sheet, "iter_rows"):
            raise ImportRefused(f"»{name}« er et diagramark, ikke et regneark med rækker.")
        sheet.reset_dimensions()  # the declared size may lie: read the rows that are there
        rows: list[tuple[int, list[str]]] = []
        formulas: list[str] = []
        seen = 0
        try:
            for cells in sheet.iter_rows(max_col=MAX_COLUMNS):
                seen += 1
                if seen > 2 * limit + 1000:
                    raise ImportRefused(
                        f"Arket »{name}« har over {2 * limit + 1000} rækker, "
                        "tomme rækker medregnet. Slet de tomme rækker, eller "
                        "del arket op, og prøv igen."
                    )
                texts = []
                number = 0
                for cell in cells:
                    number = getattr(cell, "row", None) or number
                    if getattr(cell, "data_type", None) == "f":
                        formulas.append(cell.coordinate)
                        texts.append("")
                        continue
                    texts.append(_text(cell.value))
                if any(t.strip() for t in texts) and number:
                    rows.append((number, texts))
                    if len(rows) > limit + 1:
                        break
        except ImportRefused:
            raise
        except Exception:
            raise ImportRefused(
                f"Arket »{name}« kunne ikke læses; projektmappen er måske beskadiget. " + SAVE_AS_XLSX
            ) from None
    finally:
        book.close()
    if formulas:
        cells = ", ".join(formulas[:MAX_FORMULAS_SHOWN])
        more = f" (og {len(formulas) - MAX_FORMULAS_SHOWN} til)" if len(formulas) > MAX_FORMULAS_SHOWN else ""
        raise ImportRefused(
            f"Arket »{name}« indeholder formler i {cells}{more}. Importen læser kun værdier: "
            "markér cellerne, kopiér dem, og indsæt dem som værdier (»Indsæt speciel« › "
            "»Værdier«), gem filen, og prøv igen. Intet er importeret."
        )
    if not rows:
        raise ImportRefused(
            f"Arket »{name}« er tomt. Skriv kolonnenavnene i første række og "
            "en enhed eller person i hver af de følgende."
        )
    return name, rows
