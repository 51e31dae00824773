from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "anskaf.portfolio"
    label = "portfolio"
    verbose_name = "Systemportefølje"

    def ready(self) -> None:
        # The cases app knows nothing of the portfolio: we plug into its events, guards and
        # case-page panels.
        from anskaf.cases.extensions import register_bindings
        from anskaf.cases.panels import register_panel

        from . import handlers
        from .panels import PANELS
        from .steps import BINDINGS

        handlers.register()
        for panel in PANELS:
            register_panel(panel)
        register_bindings(BINDINGS)  # the Procesmodel page warns when a model lacks one
        from . import tasks  # noqa: F401 - registers the KITOS tasks with the consumer
