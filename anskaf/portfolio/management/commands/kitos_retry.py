"""`anskaf manage kitos_retry [--all]`: hand the KITOS registrations that are due to the worker.

The worker does this itself every minute (`anskaf.kitos_due`, ADR 0035); the command is for an
operator who wants it now, and with --all for registrations the worker has given up on (after
KITOS_RETRY_ATTEMPTS failures in a row), e.g. once KITOS is back after a long outage. It sends
nothing itself: the worker does, so a cron line from before the worker is harmless.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from anskaf.portfolio import kitos_sync, tasks


class Command(BaseCommand):
    help = ("Læg KITOS-registreringer, der skal forsøges nu, i arbejderens kø (--all: også "
            "dem, arbejderen har opgivet).")

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--all", action="store_true",
                            help="også registreringer, hvis automatiske forsøg er opbrugt")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        now = timezone.now()
        rearmed = kitos_sync.rearm_given_up(now) if options["all"] else 0
        queued = tasks.enqueue_due(now)
        self.stdout.write(f"KITOS: {queued} lagt i arbejderens kø"
                          + (f" ({rearmed} opgivne genoptaget)" if options["all"] else "") + ".")
