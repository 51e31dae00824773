from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "anskaf.portfolio"
    label = "portfolio"
    verbose_name = "Systemportefølje"

    def ready(self) -> None:
        # The cases app knows nothing of the portfolio: we plug into its events and guards.
        from . import handlers

        handlers.register()
