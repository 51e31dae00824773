from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_shipped_model(sender: Any, **kwargs: Any) -> None:
    """After `migrate` (an upgrade): a changed shipped model becomes a newer shared version,
    audited, with the municipalities that ran the shared default pinned first (ADR 0032)."""
    from django.db import DatabaseError

    from .process_models import sync_shipped_model

    try:
        result = sync_shipped_model()
    except DatabaseError as exc:  # migrated backwards, to before the columns it reads
        print(f"  Shipped process model not compared with the stored ones ({exc}).")
        return
    if result is not None and kwargs.get("verbosity", 1):
        print(f"  Shipped process model stored as shared version {result.version.version} "
              f"(sha256 {result.version.sha256}).")


class CasesConfig(AppConfig):
    name = "anskaf.cases"
    label = "cases"
    verbose_name = "Anskaffelsessager"

    def ready(self) -> None:
        post_migrate.connect(_sync_shipped_model, sender=self,
                             dispatch_uid="anskaf.cases.sync_shipped_model")
        from .panels import register_panel
        from .parts import TIMELINE

        register_panel(TIMELINE)
