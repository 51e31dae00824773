"""Two app servers starting at once on a new version both migrate: the migration lock lets one
apply the migrations while the other waits and then finds nothing to do (ADR 0017).

Part of the upgrade story with the deployment tests (marker `deployment`, ADR 0024): both run
once, in the PostgreSQL pass of `make test`, the SQLite race included."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

pytestmark = pytest.mark.deployment
ROOT = Path(__file__).resolve().parents[1]
ANSKAF = Path(sys.executable).with_name("anskaf")


def migrate_twice_at_once(env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    full = {**os.environ, "ANSKAF_TESTING": "1", "DJANGO_SETTINGS_MODULE": "anskaf.settings",
            **env}
    procs = [subprocess.Popen([str(ANSKAF), "manage", "migrate", "--noinput"], cwd=ROOT,
                              env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def on_disk() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def check(results: list[subprocess.CompletedProcess], rows: list[tuple[str, str]]) -> None:
    for result in results:
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert len(rows) == len(set(rows)), "a migration was recorded twice"
    assert set(rows) == on_disk()
    # One of them applied everything; the other found nothing left.
    assert sum("No migrations to apply" in r.stdout for r in results) == 1, \
        [r.stdout[-300:] for r in results]


def in_the_postgresql_pass() -> None:
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the migration races run in the PostgreSQL pass")


def test_two_migrations_at_once_on_sqlite(tmp_path):
    in_the_postgresql_pass()
    path = tmp_path / "fresh.sqlite3"
    results = migrate_twice_at_once({"DATABASE_URL": "", "SQLITE_PATH": str(path),
                                     "ANSKAF_VAR_DIR": str(tmp_path)})
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
    check(results, rows)


@pytest.mark.django_db
def test_two_migrations_at_once_on_a_fresh_postgresql_database(tmp_path):
    in_the_postgresql_pass()
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_race_{uuid.uuid4().hex[:8]}"
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432,
              "user": db["USER"], "password": db["PASSWORD"] or None, "autocommit": True}
    with psycopg.connect(dbname="postgres", **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{user}@{params['host']}:{params['port']}/{name}"
        results = migrate_twice_at_once({"DATABASE_URL": url, "ANSKAF_VAR_DIR": str(tmp_path)})
        with psycopg.connect(dbname=name, **params) as fresh:
            rows = fresh.execute("SELECT app, name FROM django_migrations").fetchall()
        check(results, rows)
    finally:
        with psycopg.connect(dbname="postgres", **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
