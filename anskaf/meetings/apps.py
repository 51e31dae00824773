from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "anskaf.meetings"
    label = "meetings"
    verbose_name = "IT-visitationens møder"

    def ready(self) -> None:
        # The case page's section on the board's rounds, through the cases' panel registry.
        from anskaf.cases.panels import register_panel

        from .panels import PANELS
        for panel in PANELS:
            register_panel(panel)
