from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "anskaf.documents"
    label = "documents"
    verbose_name = "Dokumenter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The cases app knows no documents: required documents gate a step through its guard.
        from anskaf.cases.extensions import register_guard

        from .guards import require_documents

        register_guard("complete", require_documents)
        from anskaf.cases.extensions import register_renumberer

        from . import renumber
        register_renumberer(renumber.renumber, renumber.blockers)
        from anskaf.cases.panels import register_panel

        from .panels import PANELS
        for panel in PANELS:
            register_panel(panel)
