"""A municipality's complete export before it is offboarded (ADR 0030): every row of it
(offboarding.org_rows) as Django's JSON serialisation, one member per model and chunk, its
stored files and a signed manifest, written as a sealed archive (anskaf/sealed.py) and read
back before anything is deleted."""

from __future__ import annotations

import hashlib
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anskaf.audit.chain import GENESIS
from anskaf.audit.models import ChainHead
from anskaf.documents.storage import document_storage
from anskaf.orgs.models import Organisation
from anskaf.sealed import (
    CHUNK,
    DOCUMENTS,
    FORMAT,
    ArchiveRefused,
    BackupError,
    add_bytes,
    add_stored,
    draft_of,
    seal,
    sha256_file,
    version,
)

from . import offboarding


@dataclass
class ExportResult:
    path: Path
    manifest: dict[str, Any]
    sha256: str


EXPORT_CHUNK = 500


def org_export(organisation: Organisation, output: Path) -> ExportResult:
    """Every row of one municipality (installation.offboarding.org_rows) as Django's JSON
    serialisation, one member per model and chunk (``data/<app.Model>/<n>.json``), its stored
    files (``documents/<name>``) and a signed manifest with the sha256 of every member, the row
    counts and the municipality's audit chain head. Written to a draft and moved into place."""
    from django.core import serializers

    if output.exists():
        raise BackupError(f"{output} exists already; give a new file name")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory")
    rows = offboarding.org_rows(organisation.pk)
    head = ChainHead.objects.filter(organisation_id=organisation.pk).first()
    storage = document_storage()
    parts: list[dict[str, Any]] = []
    with draft_of(output) as draft, tarfile.open(draft, "w", format=tarfile.PAX_FORMAT) as tar:
        for model, pks in rows:
            for number, start in enumerate(range(0, len(pks), EXPORT_CHUNK)):
                chunk = model._default_manager.filter(pk__in=pks[start:start + EXPORT_CHUNK])
                data = serializers.serialize("json", chunk.order_by("pk"), indent=1).encode()
                name = f"data/{model._meta.label}/{number:05d}.json"
                add_bytes(tar, name, data)
                parts.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(),
                              "size": len(data)})
        for name in offboarding.storage_names(rows):
            if not storage.exists(name):
                raise BackupError(f"the stored file {name} is missing; nothing exported")
            part = add_stored(tar, storage, name)
            parts.append({**part, "name": DOCUMENTS + name})
        manifest = {
            "format": FORMAT, "kind": "organisation-export", "anskaf_version": version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "organisation": {"id": organisation.pk, "slug": organisation.slug,
                             "name": organisation.name, "cvr": organisation.cvr},
            "chain_head": {"seq": head.seq if head else 0,
                           "hash": head.hash if head else GENESIS},
            "rows": offboarding.counts(rows), "parts": parts,
        }
        seal(tar, manifest)
    check_export(output, manifest)
    return ExportResult(output, manifest, sha256_file(output))


def check_export(path: Path, manifest: dict[str, Any]) -> None:
    """Read the written export back: every part is there with its sha256 (ArchiveRefused)."""
    expected = {p["name"]: p["sha256"] for p in manifest["parts"]}
    seen: dict[str, str] = {}
    try:
        with tarfile.open(path, "r") as tar:
            for member in tar:
                if member.name in expected:
                    handle = tar.extractfile(member)
                    digest = hashlib.sha256()
                    while handle is not None and (chunk := handle.read(CHUNK)):
                        digest.update(chunk)
                    seen[member.name] = digest.hexdigest()
    except (OSError, tarfile.TarError) as exc:
        raise ArchiveRefused(f"the export {path} cannot be read back ({exc})") from None
    wrong = sorted(name for name, digest in expected.items() if seen.get(name) != digest)
    if wrong:
        raise ArchiveRefused(f"the export {path} does not read back as written: {wrong[:3]}")
