from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "anskaf.discussion"
    label = "discussion"
    verbose_name = "Drøftelse"

    def ready(self) -> None:
        from anskaf.cases.panels import register_panel

        from .panels import PANELS
        for panel in PANELS:
            register_panel(panel)
        from anskaf.cases.extensions import register_renumberer

        from . import renumber
        register_renumberer(renumber.renumber)
