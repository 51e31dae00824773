"""The "documents" storage (settings.STORAGES): local disk by default, S3 when configured."""

from __future__ import annotations

import uuid

from django.core.files.storage import Storage, storages


def document_storage() -> Storage:
    return storages["documents"]


def new_name(organisation_id: int, folder: str) -> str:
    """A random object name: nothing the uploader typed ever becomes part of a path."""
    return f"{organisation_id}/{folder}/{uuid.uuid4().hex}"


def save_or_clean(storage: Storage, name: str, fileobj) -> str:  # type: ignore[no-untyped-def]
    """Write the file; if writing fails half-way, remove what was written and re-raise."""
    fileobj.seek(0)
    try:
        saved = storage.save(name, fileobj)
    except BaseException:
        discard(storage, name)
        raise
    if saved != name:  # a storage that renamed it; should not happen with random names
        discard(storage, saved)
        raise RuntimeError(f"storage renamed {name} to {saved}")
    return saved


def discard(storage: Storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except Exception:
        pass
