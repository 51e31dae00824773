"""Uploads: archives that unpack to too much or climb out of their folder, and names whose
suffix lies about the content, are refused whole, nothing stored (issue 21.5).

The archives are built in memory and judged by the sizes their directory declares: a member
that "unpacks to 1 GiB" is 1 MB of real data whose declared size is set to 1 GiB, so the test
needs neither 1 GiB of memory nor of disk (and neither does the check)."""

from __future__ import annotations

import io
import os
import zipfile

import docx
import pytest

from anskaf.documents.testing import MINIMAL_PDF
from anskaf.documents.validation import BadFile, check_file

from .test_bad_files import refused, send

GIB = 1024 ** 3
MB = 1024 * 1024


def _zip(members: list[tuple[str, bytes, int | None]], *,
         method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP whose members may declare another unpacked size than they have (a bomb's)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content, declared in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            archive.writestr(info, content)
            if declared is not None:
                archive.getinfo(name).file_size = declared  # the central directory says so
    return buffer.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def _check(content: bytes, name: str) -> str:
    with pytest.raises(BadFile) as info:
        check_file(io.BytesIO(content), name, len(content))
    return info.value.message


def test_a_member_that_unpacks_to_1_gib_from_1_mb_is_refused_as_a_bomb(coordinator, case,
                                                                        store):
    bomb = _zip([("rapport.txt", os.urandom(MB), GIB)], method=zipfile.ZIP_STORED)
    assert len(bomb) < 2 * MB
    assert zipfile.ZipFile(io.BytesIO(bomb)).getinfo("rapport.txt").file_size == GIB
    message = refused(coordinator, case, store, bomb, "bilag.zip")
    assert "»rapport.txt«" in message and "ZIP-bombe" in message


def test_a_highly_compressed_member_over_100_to_1_is_refused(coordinator, case, store):
    zeros = _zip([("nuller.bin", bytes(5 * MB), None)])  # deflate: ~1000:1, really
    message = refused(coordinator, case, store, zeros, "bilag.zip")
    assert "»nuller.bin«" in message and "højst 100 gange" in message


def test_an_archive_over_200_mb_unpacked_in_all_is_refused(coordinator, case, store):
    members = [(f"del{i}.bin", os.urandom(MB), 80 * MB) for i in range(3)]  # 80:1 each
    message = refused(coordinator, case, store, _zip(members, method=zipfile.ZIP_STORED),
                      "bilag.zip")
    assert "240 MB udpakket" in message and "højst 200 MB" in message


def test_an_office_file_is_an_archive_too(coordinator, case, store):
    document = io.BytesIO(_docx())
    with zipfile.ZipFile(document, "a") as archive:
        archive.writestr("word/media/bombe.bin", bytes(5 * MB), zipfile.ZIP_DEFLATED)
    message = refused(coordinator, case, store, document.getvalue(), "aftale.docx")
    assert "»word/media/bombe.bin«" in message


@pytest.mark.parametrize("member", ["../../etc/evil.txt", "docs/../../evil.txt",
                                    "/etc/passwd", "C:/Windows/evil.txt", "..\\evil.txt",
                                    "\\\\server\\share\\evil.txt"])
def test_members_with_absolute_or_climbing_paths_are_refused(coordinator, case, store, member):
    archive = _zip([("ok.txt", b"fint", None), (member, b"ondt", None)])
    message = refused(coordinator, case, store, archive, "bilag.zip")
    assert f"»{member}«" in message and "uden for mappen" in message


@pytest.mark.parametrize(("content", "name", "says"), [
    (MINIMAL_PDF, "faktura.exe", "en PDF"),
    (MINIMAL_PDF, "faktura.docx", "en PDF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "billede.pdf", "et PNG-billede"),
    (b"Almindelig tekst\n", "noter.pdf", "tekst"),
    (b"Almindelig tekst\n", "script.bat", "tekst"),
])
def test_a_name_whose_suffix_does_not_fit_the_content_is_refused(coordinator, case, store,
                                                                  content, name, says):
    message = refused(coordinator, case, store, content, name)
    assert f"indholdet er {says}" in message and "omdøb filen" in message


def test_a_word_file_named_pdf_is_refused_with_the_right_suffix():
    assert "».docx«" in _check(_docx(), "aftale.pdf")


def test_a_bidi_override_in_the_name_is_refused(coordinator, case, store):
    message = refused(coordinator, case, store, MINIMAL_PDF, "invoice\u202efdp.exe")
    assert "skriveretningen" in message
    assert "skriveretningen" in _check(MINIMAL_PDF, "rapport\u2066.pdf")


def test_fitting_names_and_ordinary_archives_are_still_stored(coordinator, case):
    assert send(coordinator, case, MINIMAL_PDF, "Aftale.PDF").content_type == "application/pdf"
    assert send(coordinator, case, b"navn;type\n", "liste.csv").content_type == "text/csv"
    assert send(coordinator, case, b"Noter\n", "noter.md").content_type == "text/plain"
    ordinary = _zip([("a/b.txt", b"tekst " * 1000, None), ("c.pdf", MINIMAL_PDF, None)])
    assert send(coordinator, case, ordinary, "bilag.zip").content_type == "application/zip"
    assert send(coordinator, case, _docx(), "aftale.docx").content_type.endswith(".document")
