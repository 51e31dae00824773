"""Django's `migrate`, under a lock: two app servers starting at once on a new version (each
`anskaf serve` migrates first) must not both apply the same migration (ADR 0017).

PostgreSQL: a session advisory lock on the migrating connection. SQLite: an exclusive `flock`
on a file beside the database file (migrate runs many transactions of its own, so one
BEGIN EXCLUSIVE cannot cover it). Either lock goes with the process if it dies. The second
process waits, then finds nothing left to do.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

# pg_advisory_lock's key: any fixed 64-bit number; this one spells "anskaf-m".
LOCK_KEY = int.from_bytes(b"anskaf-m", "big") & 0x7FFF_FFFF_FFFF_FFFF


@contextlib.contextmanager
def migration_lock(alias: str = "default") -> Iterator[None]:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                _say_waiting()
                cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
        import fcntl

        path = Path(f"{connection.settings_dict['NAME']}.migrate-lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                _say_waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def _say_waiting() -> None:
    print("Another process is migrating this database; waiting for it to finish ...",
          file=sys.stderr, flush=True)


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Takes the migration lock first (anskaf: ADR 0017)."

    def handle(self, *args: Any, **options: Any) -> Any:
        with migration_lock(options.get("database") or "default"):
            return super().handle(*args, **options)
