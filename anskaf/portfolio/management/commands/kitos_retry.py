"""`anskaf manage kitos_retry`: send every pending KITOS registration once more."""

from django.core.management.base import BaseCommand

from anskaf.portfolio.services import kitos_retry_pending


class Command(BaseCommand):
    help = "Prøv ventende KITOS-registreringer igen."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        counts = kitos_retry_pending()
        self.stdout.write(f"KITOS: {counts['done']} registreret, {counts['pending']} afventer.")
