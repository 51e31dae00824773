"""The archive rule: a ZIP (and so every .docx/.xlsx/.pptx and OpenDocument file) is judged by
the sizes and paths its directory declares, before anything is unpacked (ADR 0016).

Refused whole, with a Danish message naming the member: more than `max_unpacked` bytes
unpacked in all; a member of `ratio_floor` bytes or more unpacked that declares more than
`max_ratio` times its packed size (a ZIP bomb); a member whose path is absolute or climbs out
of the folder (`..`). Python's zipfile never unpacks more than a member declares, so a reader
that uses it after this check is bounded by these sizes.

Pure Python (the layers contract keeps Django out): the documents' uploads and the
organisation's XLSX import both use it, each with its own limits.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile

MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # the ratio is judged for members that unpack to 1 MB or more


class ArchiveRefused(ValueError):
    """An archive the rule refuses, with a Danish `message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def shown(name: str) -> str:
    """A member's name as a message may show it: no control characters, not too long."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else "?" for ch in name)
    return text if len(text) <= 120 else text[:117] + "..."


def check_members(
    members: list[zipfile.ZipInfo],
    *,
    max_unpacked: int = MAX_UNPACKED,
    max_ratio: int = MAX_RATIO,
    ratio_floor: int = RATIO_FLOOR,
) -> None:
    """ArchiveRefused for an archive that unpacks to too much, or too much per byte, or whose
    members would land outside the folder it is unpacked in."""
    for member in members:
        raw = member.filename
        parts = re.split(r"[/\\]", raw)
        if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
            raise ArchiveRefused(
                f"Arkivet indeholder filen »{shown(raw)}« med en absolut sti, "
                "som kunne pakkes ud uden for mappen. Filen er ikke gemt."
            )
        if ".." in parts:
            raise ArchiveRefused(
                f"Arkivet indeholder filen »{shown(raw)}«, hvis sti går op ad "
                "i mapperne (»..«) og kunne pakkes ud uden for mappen. Filen "
                "er ikke gemt."
            )
        if member.file_size >= ratio_floor and (member.file_size > max_ratio * max(member.compress_size, 1)):
            ratio = member.file_size // max(member.compress_size, 1)
            raise ArchiveRefused(
                f"Arkivet indeholder filen »{shown(raw)}«, som fylder "
                f"{human_size(member.file_size)} udpakket, {ratio} gange så meget som pakket "
                f"(højst {max_ratio} gange). Det ligner en ZIP-bombe, så filen er ikke gemt."
            )
    total = sum(m.file_size for m in members)
    if total > max_unpacked:
        biggest = max(members, key=lambda m: m.file_size)
        raise ArchiveRefused(
            f"Arkivet fylder {human_size(total)} udpakket (højst {human_size(max_unpacked)}); "
            f"den største fil er »{shown(biggest.filename)}« ({human_size(biggest.file_size)}). "
            "Filen er ikke gemt."
        )
