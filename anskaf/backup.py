"""`anskaf backup` and `anskaf restore`: one tar archive with the database, the stored documents
and a manifest (issue 22, item 3; ADR 0023).

The archive holds, in this order:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app runs) or
  ``database.pgdump`` (``pg_dump`` custom format, taken in an exported snapshot so the chain
  heads in the manifest are exactly those of the dump);
- ``documents/<name>`` for every file of the documents storage (disk or S3, through the
  storage API);
- ``manifest.json``: format, anskaf version, time, the database's vendor, the sha256 and size
  of every part, the applied migrations, and the audit chain head of every organisation;
- ``manifest.sig``: the manifest's Ed25519 signature with the anchor key (audit/keys.py).

The key directory (ANSKAF_KEY_DIR) is never in it: keys are kept apart from the data they sign.

Restore checks everything before it changes anything: the archive reads to its end, the
manifest's signature verifies with a public key of the key directory, every
member is listed in the manifest with its sha256 and nothing else is there, the database vendor
and the migrations fit this installation, and the target is empty (or ``--force``). Then it
writes the documents, restores the database, migrates, checks the restored chain heads against
the manifest, writes the signed restore record into the anchor log and verifies.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from anskaf.audit import keys
from anskaf.audit.anchors import record_restore
from anskaf.audit.chain import GENESIS
from anskaf.audit.models import AuditEvent, ChainHead
from anskaf.documents.storage import discard, document_storage
from anskaf.orgs.models import Organisation, User
from anskaf.sealed import (
    CHUNK,
    DOCUMENTS,
    FORMAT,
    MANIFEST,
    SIGNATURE,
    ArchiveRefused,
    BackupError,
)
from anskaf.sealed import add_stored as _add_stored
from anskaf.sealed import draft_of as _draft_of
from anskaf.sealed import seal as _seal
from anskaf.sealed import sha256_file as _sha256_file
from anskaf.sealed import version as _version

DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class RestoreIncomplete(Exception):
    """The restore ran, but its result does not match the backup (exit 1)."""


# --- the database -------------------------------------------------------------------------------

_HEADS_SQL = (
    "SELECT o.id, o.slug, COALESCE(h.seq, 0), COALESCE(h.hash, %s) FROM {org} o "
    "LEFT JOIN {head} h ON h.organisation_id = o.id ORDER BY o.id")


def _heads_sql(placeholder: str) -> str:
    return _HEADS_SQL.replace("%s", placeholder).format(
        org=Organisation._meta.db_table, head=ChainHead._meta.db_table)


def _heads(rows: list[tuple]) -> list[dict[str, Any]]:
    return [{"org_id": r[0], "org": r[1], "seq": r[2], "hash": r[3]} for r in rows]


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGUSER": db.get("USER") or "",
           "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or "")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return {k: v for k, v in env.items() if v != ""}


def _run_pg(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: postgresql-client, the same "
                          "major version as the server or newer)")
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True)
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{argv[0]} failed: {lines[-1] if lines else done.returncode}")


def _dump_sqlite(target: Path) -> tuple[list[dict[str, Any]], list[list[str]]]:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # SQLite's online backup: one consistent snapshot
        heads = _heads(copy.execute(_heads_sql("?"), [GENESIS]).fetchall())
        applied = [list(r) for r in copy.execute("SELECT app, name FROM django_migrations")]
    finally:
        copy.close()
        source.close()
    return heads, applied


def _dump_postgresql(target: Path) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """pg_dump in a snapshot exported by our own repeatable-read transaction: the heads read
    here are the heads in the dump, however busy the application is meanwhile."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(_heads_sql("%s"), [GENESIS])
        heads = _heads(cursor.fetchall())
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = [list(r) for r in cursor.fetchall()]
        _run_pg(["pg_dump", "--format=custom", "--no-owner", "--no-acl",
                 f"--snapshot={snapshot}", f"--file={target}"])
    return heads, applied


# --- the documents ------------------------------------------------------------------------------


def _document_names(storage: Any, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # no document stored yet: the folder was never made
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _document_names(storage, f"{folder}/{sub}" if folder else sub)


def _excluded(storage: Any, name: str) -> bool:
    """The key directory never goes into a backup, even if it sits inside the documents."""
    location = getattr(storage, "location", None)
    if not location:
        return False
    path = (Path(location) / name).resolve()
    return Path(settings.ANSKAF_KEY_DIR).resolve() in path.parents


# --- backup -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    sha256: str


def backup(output: Path) -> BackupResult:
    """Write the archive to a draft next to ``output`` and move it into place when complete."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"cannot back up a {vendor} database")
    if output.exists():
        raise BackupError(f"{output} exists already; give a new file name")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory")
    with _draft_of(output) as draft, tempfile.TemporaryDirectory(prefix="anskaf-backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        dumper = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
        heads, applied = dumper(dump)
        manifest = {
            "format": FORMAT, "anskaf_version": _version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "member": dump.name,
                         "sha256": _sha256_file(dump), "size": dump.stat().st_size},
            "migrations": sorted(applied), "chain_heads": heads,
        }
        with tarfile.open(draft, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(dump, arcname=dump.name)
            manifest["documents"] = _add_documents(tar)
            _seal(tar, manifest)
    return BackupResult(output, manifest, _sha256_file(output))


def _check_signature(folder: Path) -> None:
    try:
        signed = json.loads((folder / SIGNATURE).read_text(encoding="utf-8"))
        kid, sig = signed["key"], signed["sig"]
    except FileNotFoundError:
        raise ArchiveRefused("the archive has no manifest signature (manifest.sig)") from None
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise ArchiveRefused("the manifest signature is not readable") from None
    public = keys.public_keys().get(kid)
    if public is None:
        raise BackupError(f"the manifest is signed with anchor key {kid}, whose public key "
                          f"(anchor-{kid}.pub) is not in the key directory "
                          f"{settings.ANSKAF_KEY_DIR}: put the key directory back first "
                          "(docs/drift.md)")
    if not keys.signature_ok(public, (folder / MANIFEST).read_bytes(), sig):
        raise ArchiveRefused("the manifest's signature does not verify (the manifest was "
                             "changed)")


def _add_documents(tar: tarfile.TarFile) -> list[dict[str, Any]]:
    storage = document_storage()
    listed = []
    for name in _document_names(storage):
        if _excluded(storage, name):
            continue
        listed.append(_add_stored(tar, storage, name))
    return listed


# --- restore: check everything first ------------------------------------------------------------


@dataclass
class Unpacked:
    folder: Path
    manifest: dict[str, Any]

    @property
    def dump(self) -> Path:
        return self.folder / self.manifest["database"]["member"]

    def document(self, name: str) -> Path:
        return self.folder / DOCUMENTS / name


def _safe_member(member: tarfile.TarInfo) -> str:
    path = PurePosixPath(member.name)
    if (not member.isfile() or path.is_absolute() or ".." in path.parts
            or not path.parts):
        raise ArchiveRefused(f"the archive holds {member.name!r}, which no anskaf backup holds")
    return str(path)


def unpack(archive: Path, folder: Path) -> Unpacked:
    """Read the whole archive into ``folder`` and check it against its manifest."""
    try:
        with tarfile.open(archive, "r:") as tar:
            names = []
            for member in tar:
                name = _safe_member(member)
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                with target.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
                if target.stat().st_size != member.size:
                    raise ArchiveRefused(f"{name} is cut short")
                names.append(name)
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file") from None
    except IsADirectoryError:
        raise BackupError(f"{archive} is a directory, not a backup archive") from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveRefused(f"the archive is damaged or cut short ({exc})") from None
    if MANIFEST not in names:
        raise ArchiveRefused("the archive has no manifest (cut short, or not an anskaf backup)")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveRefused(f"the manifest is not readable JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused(f"the manifest is not of backup format {FORMAT}")
    _check_signature(folder)
    unpacked = Unpacked(folder, manifest)
    _check_parts(unpacked, set(names) - {MANIFEST, SIGNATURE})
    return unpacked


def _check_parts(unpacked: Unpacked, present: set[str]) -> None:
    manifest = unpacked.manifest
    try:
        expected = {manifest["database"]["member"]: manifest["database"]["sha256"]}
        expected.update({DOCUMENTS + d["name"]: d["sha256"] for d in manifest["documents"]})
    except (KeyError, TypeError):
        raise ArchiveRefused("the manifest lacks the parts' sha256") from None
    if missing := sorted(set(expected) - present):
        raise ArchiveRefused(f"the archive lacks {missing[0]} (and {len(missing) - 1} more), "
                             "which its manifest lists")
    if extra := sorted(present - set(expected)):
        raise ArchiveRefused(f"the archive holds {extra[0]}, which its manifest does not list")
    for name, sha in expected.items():
        if _sha256_file(unpacked.folder / name) != sha:
            raise ArchiveRefused(f"{name} does not match its sha256 in the manifest "
                                 "(changed or damaged)")


def _check_fits(manifest: dict[str, Any]) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database, this installation uses "
                          f"{connection.vendor}; restore into the same kind of database")
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations", [])
               if (app, name) not in known]
    if unknown:
        raise BackupError(f"the backup is from a newer anskaf ({manifest.get('anskaf_version')}"
                          f"; migration {unknown[0]} is unknown here): install that version")


def target_contents() -> list[str]:
    """What the target database and storage already hold; empty when restoring is safe."""
    held = []
    tables = set(connection.introspection.table_names())
    for model, what in ((Organisation, "organisation(s)"), (User, "user(s)"),
                        (AuditEvent, "audit event(s)")):
        if model._meta.db_table in tables and (count := model.objects.count()):
            held.append(f"{count} {what}")
    storage = document_storage()
    try:
        folders, files = storage.listdir("")
    except FileNotFoundError:
        folders, files = [], []
    if folders or files:
        held.append("stored documents")
    return held


# --- restore: then change ---------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    documents: int


@contextmanager
def _documents_written() -> Iterator[list[str]]:
    """The names written; removed again if the restore fails after them."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = document_storage()
        for name in written:
            discard(storage, name)  # best effort; the error that matters is re-raised
        raise


def restore(archive: Path, *, force: bool = False) -> RestoreResult:
    with tempfile.TemporaryDirectory(prefix="anskaf-restore-") as work:
        unpacked = unpack(archive, Path(work))
        manifest = unpacked.manifest
        _check_fits(manifest)
        held = target_contents()
        if held and not force:
            raise BackupError(f"the target is not empty (it holds {', '.join(held)}); restore "
                              "into an empty database and storage, or give --force to replace "
                              "what is there")
        with _documents_written() as written:
            _restore_documents(unpacked, written)
            _restore_database(unpacked)
        call_command("migrate", interactive=False, verbosity=0)  # an older backup: catch up
        _check_heads(manifest["chain_heads"])
        record_restore(manifest["chain_heads"], backup_at=manifest["created_at"])
    return RestoreResult(manifest, len(manifest["documents"]))


def _restore_documents(unpacked: Unpacked, written: list[str]) -> None:
    storage = document_storage()
    for item in unpacked.manifest["documents"]:
        name = item["name"]
        if storage.exists(name):
            storage.delete(name)  # --force: the archive's copy wins
        with unpacked.document(name).open("rb") as handle:
            saved = storage.save(name, handle)
        written.append(saved)
        if saved != name:
            raise BackupError(f"the storage saved {name} as {saved}")


def _restore_database(unpacked: Unpacked) -> None:
    connections.close_all()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(unpacked.dump)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            with target:
                source.backup(target)  # replaces the target's pages in one go
        finally:
            target.close()
            source.close()
        return
    _run_pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
             "--single-transaction", "--exit-on-error",
             f"--dbname={connection.settings_dict['NAME']}", str(unpacked.dump)])


def _check_heads(expected: list[dict[str, Any]]) -> None:
    restored = _heads(_restored_heads())
    if restored != expected:
        raise RestoreIncomplete("the restored database's audit chain heads differ from the "
                                "manifest's")


def _restored_heads() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_heads_sql("%s"), [GENESIS])
        return cursor.fetchall()
