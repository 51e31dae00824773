"""Sealed archives (ADR 0023): a tar written to a draft and moved into place, every part
hashed as it is written, and a manifest signed with the anchor key last. `anskaf backup` and a
municipality's export before it is offboarded (installation/export.py) both write them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from anskaf.audit import keys

FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DOCUMENTS = "documents/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Set-up or input that does not allow the command (exit 2)."""


class ArchiveRefused(Exception):
    """The archive is damaged, cut short or does not match its manifest (exit 1)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def version() -> str:
    try:
        return metadata.version("anskaf")
    except metadata.PackageNotFoundError:
        return "unknown"


class HashingReader:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


@contextmanager
def draft_of(output: Path) -> Iterator[Path]:
    """A draft file next to ``output``, synced and moved into place when the block completes
    (removed when it fails)."""
    draft = output.with_name(f".{output.name}.partial-{os.getpid()}")
    try:
        yield draft
        with draft.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(draft, output)
    except OSError as exc:
        raise BackupError(f"cannot write {output} ({exc.strerror or exc})") from None
    finally:
        draft.unlink(missing_ok=True)


def seal(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """The manifest and its signature, last in the archive."""
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    add_bytes(tar, MANIFEST, data)
    add_bytes(tar, SIGNATURE, signature(data))


def add_stored(tar: tarfile.TarFile, storage: Any, name: str) -> dict[str, Any]:
    """One stored file as ``documents/<name>``, hashed while it is read."""
    info = tarfile.TarInfo(DOCUMENTS + name)
    info.size, info.mode = storage.size(name), 0o640
    with storage.open(name, "rb") as handle:
        reader = HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return {"name": name, "sha256": reader.digest.hexdigest(), "size": info.size}


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def signature(manifest: bytes) -> bytes:
    """The manifest signed with the anchor key: a part changed together with its sha256 in the
    manifest is still caught (restore needs the public key, not the private one)."""
    try:
        signer = keys.signing_key()
    except keys.KeyDirError as exc:
        raise BackupError(str(exc)) from None
    assert signer is not None
    return json.dumps({"key": signer.key_id, "sig": signer.sign(manifest)}).encode("utf-8")
