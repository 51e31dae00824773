"""`anskaf backup` and `anskaf restore` as an operator runs them, on SQLite and PostgreSQL
(issue 22, item 3), and `anskaf audit anchor` / `verify` catching a cut chain through the real
command (issue 21, item 4; ADR 0023).

Each database is a fresh one outside the test database: the source is migrated and loaded with
the demo (cases with documents) by the `anskaf` command; the target is a second, empty one.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
ANSKAF = Path(sys.executable).with_name("anskaf")


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(ANSKAF), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    if check:
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


class Site:
    """One installation: its database, its var/ (documents), and the shared key directory and
    anchor log (the same installation restoring, as an operator would)."""

    def __init__(self, base: Path, name: str, database_url: str = "") -> None:
        self.var = base / name
        self.var.mkdir()
        self.database_url = database_url
        self.sqlite = self.var / "anskaf.sqlite3"
        self.env = {**os.environ, "ANSKAF_TESTING": "1",
                    "DJANGO_SETTINGS_MODULE": "anskaf.settings", "SECRET_KEY": "backup-test",
                    "DATABASE_URL": database_url, "SQLITE_PATH": str(self.sqlite),
                    "ANSKAF_VAR_DIR": str(self.var),
                    "ANSKAF_DOCUMENTS_DIR": str(self.var / "documents"),
                    "ANSKAF_KEY_DIR": str(base / "keys"),
                    "ANSKAF_ANCHOR_LOG": str(base / "audit-anchors.jsonl")}

    def documents(self) -> dict[str, str]:
        folder = self.var / "documents"
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    def counts(self) -> dict[str, int]:
        if not self.database_url:
            with sqlite3.connect(self.sqlite) as db:
                tables = [r[0] for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'")]
                return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                        for t in tables}
        import psycopg

        with psycopg.connect(self.database_url) as db:
            tables = [r[0] for r in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def populate(site: Site) -> None:
    run(site.env, "manage", "migrate", "--noinput", "-v0")
    run(site.env, "demo")
    assert site.documents(), "the demo should have stored documents"
    run(site.env, "audit", "anchor")


def corrupt(archive: Path, target: Path, how: str) -> None:
    data = bytearray(archive.read_bytes())
    if how == "truncated":
        target.write_bytes(bytes(data[: len(data) // 2]))
        return
    if how == "forged":
        forge(archive, target)
        return
    with tarfile.open(archive) as tar:
        member = next(m for m in tar if m.name.startswith("documents/"))
    data[member.offset_data] ^= 0xFF  # one byte of one document
    target.write_bytes(bytes(data))


def forge(archive: Path, target: Path) -> None:
    """Change a document and write its new sha256 into the manifest as well."""
    with tarfile.open(archive) as tar, tarfile.open(target, "w") as out:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for member in tar:
            data = tar.extractfile(member).read()
            if member.name.startswith("documents/") and member.name[10:] == (
                    manifest["documents"][0]["name"]):
                data = data.replace(b"%PDF", b"%PDX")
                manifest["documents"][0]["sha256"] = hashlib.sha256(data).hexdigest()
            if member.name == "manifest.json":
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def round_trip(tmp_path: Path, source: Site, target: Site) -> None:
    populate(source)
    archive = tmp_path / "anskaf-backup.tar"
    done = run(source.env, "backup", "-o", str(archive))
    assert "document(s)" in done.stdout and "sha256 " in done.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] in ("database.sqlite3", "database.pgdump") and names[-2:] == ["manifest.json",
                                                                             "manifest.sig"]
    assert any(n.startswith("documents/") for n in names)
    assert not any("anchor-" in n or "keys" in n for n in names)

    # A tampered, a truncated and a forged archive (a document changed and its sha256 in the
    # manifest too): refused (exit 1), and nothing changes, not even in an empty target.
    before_counts, before_docs = target.counts(), target.documents()
    expected = {"tampered": "does not match its sha256", "truncated": "cut short",
                "forged": "signature does not verify"}
    for how in expected:
        bad = tmp_path / f"{how}.tar"
        corrupt(archive, bad, how)
        done = run(target.env, "restore", str(bad), "--force", check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "nothing restored" in done.stderr
        assert expected[how] in done.stderr
        assert (target.counts(), target.documents()) == (before_counts, before_docs)

    # Without the key directory's public key, the manifest cannot be trusted: put it back first.
    done = run({**target.env, "ANSKAF_KEY_DIR": str(tmp_path / "empty-keys")}, "restore",
               str(archive), check=False)
    assert done.returncode == 2 and "put the key directory back first" in done.stderr
    assert (target.counts(), target.documents()) == (before_counts, before_docs)

    done = run(target.env, "restore", str(archive))
    assert "Restored the backup of" in done.stdout
    assert "haderslev: OK" in done.stdout
    assert "haderslev: restored from the backup of" in done.stdout
    assert target.counts() == source.counts()
    assert target.documents() == source.documents()
    assert run(target.env, "audit", "verify").returncode == 0

    # A second restore over the restored data is refused without --force (exit 2).
    done = run(target.env, "restore", str(archive), check=False)
    assert done.returncode == 2
    assert "the target is not empty" in done.stderr


def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs in the SQLite pass")
    round_trip(tmp_path, Site(tmp_path, "source"), Site(tmp_path, "target"))


@pytest.fixture
def two_postgresql_databases():
    import psycopg

    db = connection.settings_dict
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432,
              "user": db["USER"], "password": db["PASSWORD"] or None, "autocommit": True}
    names = [f"{db['NAME']}_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    with psycopg.connect(dbname="postgres", **params) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [f"postgres://{user}@{params['host']}:{params['port']}/{n}" for n in names]
    finally:
        with psycopg.connect(dbname="postgres", **params) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_backup_and_restore_round_trip_on_postgresql(request, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    source_url, target_url = request.getfixturevalue("two_postgresql_databases")
    round_trip(tmp_path, Site(tmp_path, "source", source_url),
               Site(tmp_path, "target", target_url))


def test_audit_verify_names_a_cut_chain_and_anchor_refuses_it(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs in the SQLite pass")
    site = Site(tmp_path, "site")
    populate(site)
    assert "anchored up to seq" in run(site.env, "audit", "verify").stdout
    with sqlite3.connect(site.sqlite) as db:
        org_id, seq = db.execute("SELECT o.id, h.seq FROM orgs_organisation o JOIN "
                                 "audit_chainhead h ON h.organisation_id = o.id "
                                 "WHERE o.slug = 'haderslev'").fetchone()
        keep = seq - 3
        digest = db.execute("SELECT hash FROM audit_auditevent WHERE organisation_id = ? "
                            "AND seq = ?", [org_id, keep]).fetchone()[0]
        db.execute("DELETE FROM audit_auditevent WHERE organisation_id = ? AND seq > ?",
                   [org_id, keep])
        db.execute("UPDATE audit_chainhead SET seq = ?, hash = ? WHERE organisation_id = ?",
                   [keep, digest, org_id])
    done = run(site.env, "audit", "verify", check=False)
    assert done.returncode == 1
    assert f"haderslev: BROKEN at seq {keep + 1} (chain head): cut off" in done.stdout
    assert "nabo: OK" in done.stdout
    done = run(site.env, "audit", "anchor", check=False)
    assert done.returncode == 1
    assert f"haderslev: NOT anchored: the chain ends at seq {keep}" in done.stdout
