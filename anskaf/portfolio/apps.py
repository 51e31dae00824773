from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "anskaf.portfolio"
    label = "portfolio"
    verbose_name = "Systemportefølje"

    def ready(self) -> None:
        # The cases app knows nothing of the portfolio: we plug into its events, guards and
        # case-page panels.
        from anskaf.cases.panels import register_panel

        from . import handlers
        from .panels import PANELS

        handlers.register()
        for panel in PANELS:
            register_panel(panel)
