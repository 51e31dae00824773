"""What a file must be to be stored: a known type by its content, a sane name, a bounded size.

Checked by content, never by the name a browser sends: a renamed .exe is still refused. Every
refusal is a BadFile with a Danish message that names what to do.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from anskaf.cases.errors import BadRequest
from anskaf.validation import archives
from anskaf.validation.archives import ArchiveRefused, check_members

from .clamd import ScanUnavailable, scan

CHUNK = 64 * 1024
MAX_NAME = 150
# Executables by their first bytes: Windows PE, ELF, Mach-O, shell scripts.
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"#!")
EXECUTABLE_SUFFIXES = (".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".msi", ".ps1", ".vbs",
                       ".js", ".jar", ".sh", ".lnk", ".app", ".pif", ".cpl", ".hta", ".wsf")
MAX_ZIP_MEMBERS = 2000
# Archives (ZIP, and the Office and OpenDocument files that are ZIPs), by the sizes their
# directory declares: nothing is unpacked to check them.
MAX_UNPACKED = archives.MAX_UNPACKED
MAX_RATIO = archives.MAX_RATIO
RATIO_FLOOR = archives.RATIO_FLOOR
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
             ".ppt": "application/vnd.ms-powerpoint"}
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_TEXT = ("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, TXT, CSV eller ZIP")


class BadFile(BadRequest):
    """A file that is refused: too big, empty, of an unknown type, a bad name, ... The request
    fits the document (a file is "binary" to it), so this is a business refusal: 409
    `file_refused` (ADR 0022)."""

    code = "file_refused"
    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised original name
    size: int
    sha256: str
    content_type: str


def max_size() -> int:
    return int(getattr(settings, "ANSKAF_DOCUMENT_MAX_BYTES", 50 * 1024 * 1024))


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


# --- names ---------------------------------------------------------------------------------------

_RESERVED = re.compile(r'[<>:"|?*]')
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_name(raw: Any) -> str:
    """The name to show and to send back: no folders, no control characters, æøå kept.

    A name that tries to climb out of a folder (../, ..\\, an absolute path) is refused
    outright: a browser never sends one, so it is an attack or a broken client.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise BadFile("Filen mangler et navn. Giv filen et navn, og prøv igen.")
    name = unicodedata.normalize("NFC", raw)
    if _BIDI.search(name):
        raise BadFile("Filnavnet indeholder et usynligt tegn, der vender skriveretningen, så "
                      "navnet kan se ud til at have en anden filtype, end det har. Omdøb filen, "
                      "og prøv igen.")
    if re.search(r"[/\\]", name) or name.startswith(".."):
        raise BadFile("Filnavnet må ikke indeholde mapper (»/«, »\\« eller »..«). "
                      "Omdøb filen, og prøv igen.")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _RESERVED.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        raise BadFile("Filnavnet består kun af ugyldige tegn. Omdøb filen, og prøv igen.")
    if len(name) > MAX_NAME:
        _stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        name = (name[: MAX_NAME - len(keep) - 1] + "." + keep) if keep else name[:MAX_NAME]
    return name


def suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


# --- content -------------------------------------------------------------------------------------


def _read_all(fileobj: IO[bytes], limit: int) -> tuple[int, str, bytes, bool]:
    """Size, SHA-256, the first bytes, and whether the whole is UTF-8 text without NULs."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size, head, text = 0, b"", True
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise BadFile(f"Filen er for stor. Den største tilladte størrelse er {human_size(limit)}.")
        digest.update(chunk)
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        if text:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                text = False
            text = text and b"\x00" not in chunk
    if text:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            text = False
    fileobj.seek(0)
    return size, digest.hexdigest(), head, text


def _zip_type(fileobj: IO[bytes], name: str) -> str:
    """OOXML, ODF or a plain ZIP, by looking inside; nested executables and macros refused."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise BadFile(f"ZIP-filen indeholder over {MAX_ZIP_MEMBERS} filer. Del den op.")
            _refuse_bombs_and_paths(members)
            names = [m.filename for m in members]
            if any(m.flag_bits & 0x1 for m in members):
                raise BadFile("ZIP-filen er krypteret, så dens indhold kan ikke kontrolleres. "
                              "Upload filerne uden kryptering.")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise BadFile("Filen indeholder makroer, som ikke modtages. Gem den uden makroer "
                              "(fx som .docx eller .xlsx), og prøv igen.")
            if "[Content_Types].xml" in names:
                for prefix, content_type in OOXML_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return content_type
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype.startswith("application/vnd.oasis.opendocument."):
                    return mimetype
            for member in members:
                _refuse_executable_member(archive, member)
    except zipfile.BadZipFile:
        raise BadFile("Filen ligner en ZIP-fil, men er beskadiget. Prøv at gemme den igen.") from None
    finally:
        fileobj.seek(0)
    return "application/zip"


def _refuse_bombs_and_paths(members: list[zipfile.ZipInfo]) -> None:
    """An archive that unpacks to too much, or too much per byte (a ZIP bomb), or whose
    members would land outside the folder it is unpacked in, is refused whole (the archive
    rule, `anskaf.validation.archives`)."""
    try:
        check_members(members, max_unpacked=MAX_UNPACKED, max_ratio=MAX_RATIO,
                      ratio_floor=RATIO_FLOOR)
    except ArchiveRefused as exc:
        raise BadFile(exc.message) from None


def _refuse_executable_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    lower = member.filename.lower()
    if lower.endswith(EXECUTABLE_SUFFIXES):
        raise BadFile(f"ZIP-filen indeholder et program ({member.filename}), som ikke modtages.")
    if member.is_dir() or member.file_size == 0:
        return
    with archive.open(member) as inner:
        start = inner.read(8)
    if start.startswith(EXECUTABLE_MAGIC):
        raise BadFile(f"ZIP-filen indeholder et program ({member.filename}), som ikke modtages.")
    if start.startswith(b"PK\x03\x04") and lower.endswith(".zip"):
        raise BadFile("ZIP-filen indeholder en anden ZIP-fil. Pak den ud, og upload filerne direkte.")


def detect_type(fileobj: IO[bytes], name: str, head: bytes, is_text: bool) -> str:
    """The content type by the bytes; BadFile for anything not on the allow-list."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE_TYPES.get(suffix(name), "application/x-ole-storage")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_type(fileobj, name)
    if head.startswith(EXECUTABLE_MAGIC):
        raise BadFile("Filen er et program, og programmer modtages ikke – uanset filens navn. "
                      f"Tilladte typer: {ALLOWED_TEXT}.")
    if is_text:
        start = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
        if "<svg" in start or start.startswith("<?xml"):
            raise BadFile("SVG- og XML-filer modtages ikke, fordi de kan indeholde scripts. "
                          "Gem tegningen som PDF eller PNG, og prøv igen.")
        if start.startswith(("<!doctype html", "<html", "<script")):
            raise BadFile("HTML-filer modtages ikke. Gem siden som PDF, og prøv igen.")
        return "text/csv" if suffix(name) == ".csv" else "text/plain"
    raise BadFile(f"Filtypen kendes ikke eller er ikke tilladt. Tilladte typer: {ALLOWED_TEXT}. "
                  "Typen afgøres af filens indhold, ikke af dens navn.")


# The suffixes a name may have for the type its content has (the usual one first). A name
# that says another type (a PDF called .exe, an image called .docx) is refused, not renamed:
# the person sees the mismatch and names the file as it is. Text may be called many things,
# but never a program or another type.
SUFFIXES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "application/zip": (".zip",),
    **{t: (s,) for s, t in OLE_TYPES.items()},
    OOXML_TYPES["word/"]: (".docx", ".dotx"),
    OOXML_TYPES["xl/"]: (".xlsx", ".xltx"),
    OOXML_TYPES["ppt/"]: (".pptx", ".potx", ".ppsx"),
    "application/vnd.oasis.opendocument.text": (".odt", ".ott"),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods", ".ots"),
    "application/vnd.oasis.opendocument.presentation": (".odp", ".otp"),
    "application/vnd.oasis.opendocument.graphics": (".odg", ".otg"),
}
TYPE_NAMES = {"application/pdf": "en PDF", "image/png": "et PNG-billede",
              "image/jpeg": "et JPEG-billede", "application/zip": "et ZIP-arkiv",
              "text/plain": "tekst", "text/csv": "tekst"}
TEXT_REFUSED = set(EXECUTABLE_SUFFIXES) | {s for v in SUFFIXES.values() for s in v} | {
    ".html", ".htm", ".svg", ".xml", ".xhtml"}


def refuse_wrong_suffix(name: str, content_type: str) -> None:
    """BadFile when the name's suffix does not fit the detected content."""
    ext = suffix(name)
    if content_type.startswith("text/"):
        fits = ext not in TEXT_REFUSED
        expected = ".txt" if content_type == "text/plain" else ".csv"
    else:
        allowed = SUFFIXES.get(content_type)
        if allowed is None:
            return  # a type only known by its suffix (an old Office file): nothing to compare
        fits = ext in allowed
        expected = allowed[0]
    if not fits:
        what = TYPE_NAMES.get(content_type) or _office_name(content_type)
        raise BadFile(f"Filen hedder »{name}«, men indholdet er {what}. Navnet skal passe til "
                      f"indholdet: omdøb filen, så den ender på »{expected}«, og prøv igen.")


def _office_name(content_type: str) -> str:
    names = {"word": "et Word-dokument", "sheet": "et Excel-regneark",
             "presentation": "en PowerPoint-præsentation", "opendocument": "et OpenDocument"}
    return next((v for k, v in names.items() if k in content_type), "en anden filtype")


def check_file(fileobj: IO[bytes], raw_name: Any, declared_size: int | None = None) -> CheckedFile:
    """Name, size, type and virus scan; reads the file once (plus the ZIP directory)."""
    name = clean_name(raw_name)
    limit = max_size()
    if declared_size is not None and declared_size > limit:
        raise BadFile(f"Filen er for stor. Den største tilladte størrelse er {human_size(limit)}.")
    size, sha256, head, is_text = _read_all(fileobj, limit)
    if size == 0:
        raise BadFile("Filen er tom. Vælg en fil med indhold.")
    content_type = detect_type(fileobj, name, head, is_text)
    refuse_wrong_suffix(name, content_type)
    scan_or_refuse(fileobj)
    return CheckedFile(name=name, size=size, sha256=sha256, content_type=content_type)


# --- virus scan ----------------------------------------------------------------------------------


def scan_or_refuse(fileobj: IO[bytes]) -> None:
    """clamd's verdict as a refusal: BadFile unless the file is clean or scanning is off."""
    try:
        verdict = scan(fileobj)
    except ScanUnavailable:
        raise BadFile("Virusscanningen svarer ikke, så filen kan ikke modtages lige nu. "
                      "Prøv igen om lidt; fortsætter fejlen, så kontakt IT.") from None
    if verdict is None or verdict.endswith(" OK"):
        return
    if verdict.endswith("FOUND"):
        found = verdict.split(":", 1)[-1].removesuffix("FOUND").strip()
        raise BadFile(f"Virusscanningen fandt skadeligt indhold i filen ({found}). "
                      "Filen er ikke gemt.")
    raise BadFile("Virusscanningen kunne ikke afgøre, om filen er sikker, så den er ikke gemt. "
                  "Prøv igen, eller kontakt IT.")
