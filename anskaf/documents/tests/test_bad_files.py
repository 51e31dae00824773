"""Each class of bad file is refused with its own Danish message, and nothing is stored."""

from __future__ import annotations

import io
import socket
import struct
import threading
import zipfile

import pytest

from anskaf.audit.models import AuditEvent
from anskaf.documents import services
from anskaf.documents.models import Document, DocumentVersion
from anskaf.documents.testing import MINIMAL_PDF, NamedBytes
from anskaf.documents.validation import BadFile, clean_name

from .conftest import stored_names


def send(actor, case, content: bytes, name: str, size: int | None = None):
    f = NamedBytes(content, name)
    return services.document_upload(actor=actor, case_id=case.pk, number=4,
                                    type_key="product_description", fileobj=f, name=name,
                                    size=size if size is not None else f.size)


def refused(actor, case, store, content: bytes, name: str, size: int | None = None) -> str:
    before = set(stored_names(store))
    with pytest.raises(BadFile) as info:
        send(actor, case, content, name, size)
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not AuditEvent.objects.filter(event_type="document.uploaded").exists()
    assert set(stored_names(store)) == before, "a refused file was stored"
    assert info.value.status == 409 and info.value.code == "file_refused"
    return info.value.message


def zip_of(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


def test_an_oversized_file_is_refused_with_the_limit(coordinator, case, store, settings):
    settings.ANSKAF_DOCUMENT_MAX_BYTES = 1024
    message = refused(coordinator, case, store, MINIMAL_PDF + b"x" * 2000, "stor.pdf")
    assert "for stor" in message and "1024 bytes" in message


def test_an_oversized_file_is_refused_even_when_its_declared_size_lies(coordinator, case, store,
                                                                        settings):
    settings.ANSKAF_DOCUMENT_MAX_BYTES = 1024
    message = refused(coordinator, case, store, MINIMAL_PDF + b"x" * 2000, "stor.pdf", size=10)
    assert "for stor" in message


def test_the_default_limit_is_50_mb():
    from anskaf.documents.validation import max_size

    assert max_size() == 50 * 1024 * 1024


def test_an_exe_renamed_to_pdf_is_refused_by_its_content(coordinator, case, store):
    message = refused(coordinator, case, store, b"MZ\x90\x00\x03" + b"\x00" * 200, "faktura.pdf")
    assert "program" in message and "uanset filens navn" in message


def test_a_traversal_name_is_refused(coordinator, case, store):
    for name in ("../../etc/passwd.pdf", "..\\..\\boot.ini", "/etc/hosts.pdf", "..pdf"):
        message = refused(coordinator, case, store, MINIMAL_PDF, name)
        assert "mapper" in message


def test_an_empty_file_is_refused(coordinator, case, store):
    assert "tom" in refused(coordinator, case, store, b"", "tom.pdf")


def test_an_svg_is_refused(coordinator, case, store):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert "SVG" in refused(coordinator, case, store, svg, "tegning.svg")


def test_an_unknown_binary_is_refused_with_the_allowed_types(coordinator, case, store):
    message = refused(coordinator, case, store, b"\x00\x01\x02garbage\xff\xfe", "data.bin")
    assert "PDF, Word, Excel" in message


def test_a_zip_with_a_nested_executable_is_refused(coordinator, case, store):
    assert "program" in refused(coordinator, case, store,
                                zip_of(**{"bilag__setup.exe": b"MZ\x90\x00"}), "bilag.zip")
    assert "program" in refused(coordinator, case, store,
                                zip_of(**{"bilag__readme.txt": b"MZ\x90\x00"}), "bilag.zip")


def test_a_word_file_with_macros_is_refused(coordinator, case, store):
    docm = zip_of(**{"[Content_Types].xml": b"<Types/>", "word__document.xml": b"<w/>",
                     "word__vbaProject.bin": b"macro"})
    assert "makroer" in refused(coordinator, case, store, docm, "rapport.docx")


def test_text_with_nul_or_invalid_utf8_is_not_text(coordinator, case, store):
    refused(coordinator, case, store, "navn;beløb\x00\n".encode(), "data.csv")
    refused(coordinator, case, store, "navn;beløb\n".encode("latin-1"), "data.csv")


@pytest.mark.parametrize(("content", "name", "content_type"), [
    (MINIMAL_PDF, "a.pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "a.png", "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "a.jpg", "image/jpeg"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "a.doc", "application/msword"),
    ("navn;beløb\nÆble;12\n".encode(), "a.csv", "text/csv"),
    ("Noter om æøå".encode(), "a.txt", "text/plain"),
    (zip_of(**{"[Content_Types].xml": b"<Types/>", "word__document.xml": b"<w/>"}), "a.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (zip_of(**{"[Content_Types].xml": b"<Types/>", "xl__workbook.xml": b"<w/>"}), "a.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (zip_of(mimetype=b"application/vnd.oasis.opendocument.text", **{"content.xml": b"<x/>"}),
     "a.odt", "application/vnd.oasis.opendocument.text"),
    (zip_of(**{"bilag__notat.txt": b"hej"}), "a.zip", "application/zip"),
])
def test_allowed_types_are_recognised_by_content(coordinator, case, content, name, content_type):
    assert send(coordinator, case, content, name).content_type == content_type


def test_names_keep_danish_letters_and_lose_control_characters():
    assert clean_name("Kontrakt – Ærø Å.pdf") == "Kontrakt – Ærø Å.pdf"
    assert clean_name("ond\x00navn\r\n.pdf") == "ondnavn.pdf"
    assert clean_name('a<b>c:"d|e?.pdf') == "a_b_c__d_e_.pdf"
    assert len(clean_name("x" * 300 + ".pdf")) == 150 and clean_name("x" * 300 + ".pdf").endswith(".pdf")


# --- interrupted uploads -------------------------------------------------------------------------


class BreaksOnSecondPass(NamedBytes):
    """Reads fine once (the checks), then fails part-way through the write to storage: like a
    client that disconnects or a disk that fills up mid-write."""

    passes = 0

    def seek(self, pos: int, whence: int = 0) -> int:
        if pos == 0 and whence == 0:
            self.passes += 1
        return super().seek(pos, whence)

    def read(self, size: int = -1) -> bytes:
        if self.passes >= 4 and self.tell() > 0:
            raise ConnectionResetError("client went away")
        return super().read(min(size, 1024) if size and size > 0 else 1024)


def test_an_upload_interrupted_mid_write_leaves_nothing_behind(coordinator, case, store):
    before = set(stored_names(store))
    f = BreaksOnSecondPass(MINIMAL_PDF + b"x" * 10_000, "afbrudt.pdf")
    with pytest.raises(ConnectionResetError):
        services.document_upload(actor=coordinator, case_id=case.pk, number=4,
                                 type_key="product_description", fileobj=f, name=f.name)
    assert f.passes >= 4, "the failure must happen during the write, after the checks"
    assert set(stored_names(store)) == before
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not AuditEvent.objects.filter(event_type="document.uploaded").exists()


# --- ClamAV ----------------------------------------------------------------------------------


class FakeClamd:
    """A tiny TCP server speaking clamd's INSTREAM: 'FOUND' when the stream holds EICAR."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                data = b""
                while True:
                    size = struct.unpack("!L", self._exact(conn, 4))[0]
                    if size == 0:
                        break
                    data += self._exact(conn, size)
                self.received.append(data)
                verdict = b"stream: Eicar-Test-Signature FOUND" if b"EICAR" in data else b"stream: OK"
                conn.sendall(verdict + b"\0")

    @staticmethod
    def _exact(conn: socket.socket, n: int) -> bytes:
        out = b""
        while len(out) < n:
            part = conn.recv(n - len(out))
            if not part:
                raise OSError("closed")
            out += part
        return out

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.ANSKAF_CLAMD_HOST = "127.0.0.1"
    settings.ANSKAF_CLAMD_PORT = server.port
    yield server
    server.close()


def test_with_clamd_a_clean_file_is_scanned_and_stored(coordinator, case, clamd):
    version = send(coordinator, case, MINIMAL_PDF + b"ren", "ren.pdf")
    assert version.number == 1
    assert clamd.received == [MINIMAL_PDF + b"ren"]


def test_with_clamd_an_infected_file_is_refused_and_not_stored(coordinator, case, store, clamd):
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    message = refused(coordinator, case, store, eicar, "virus.txt")
    assert "skadeligt indhold" in message and "Eicar-Test-Signature" in message


def test_with_clamd_configured_but_down_uploads_are_refused(coordinator, case, store, settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings.ANSKAF_CLAMD_HOST, settings.ANSKAF_CLAMD_PORT = "127.0.0.1", port
    assert "svarer ikke" in refused(coordinator, case, store, MINIMAL_PDF, "a.pdf")
