"""Optional virus scan with ClamAV's clamd, spoken directly (the INSTREAM command).

Off unless ANSKAF_CLAMD_SOCKET (a Unix socket path) or ANSKAF_CLAMD_HOST is set. This module
only speaks the protocol; what a verdict means for an upload is validation.py's business (when
scanning is on and clamd cannot be reached, uploads are refused rather than stored unscanned).
"""

from __future__ import annotations

import socket
import struct
from typing import IO

from django.conf import settings

CHUNK = 64 * 1024


class ScanUnavailable(Exception):
    pass


def _connect() -> socket.socket | None:
    path = getattr(settings, "ANSKAF_CLAMD_SOCKET", "")
    host = getattr(settings, "ANSKAF_CLAMD_HOST", "")
    timeout = float(getattr(settings, "ANSKAF_CLAMD_TIMEOUT", 30))
    if path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(path)
        return sock
    if host:
        port = int(getattr(settings, "ANSKAF_CLAMD_PORT", 3310))
        return socket.create_connection((host, port), timeout=timeout)
    return None


def instream(sock: socket.socket, fileobj: IO[bytes]) -> str:
    """Send the file as length-prefixed chunks, a zero-length chunk ends it; return the reply."""
    sock.sendall(b"zINSTREAM\0")
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
    sock.sendall(struct.pack("!L", 0))
    reply = b""
    while not reply.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        reply += part
    fileobj.seek(0)
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(fileobj: IO[bytes]) -> str | None:
    """None when scanning is off; else clamd's verdict, e.g. "stream: OK"."""
    try:
        sock = _connect()
    except OSError as exc:
        raise ScanUnavailable(str(exc)) from exc
    if sock is None:
        return None
    try:
        with sock:
            return instream(sock, fileobj)
    except OSError as exc:
        raise ScanUnavailable(str(exc)) from exc
