from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "anskaf.notifications"
    label = "notifications"
    verbose_name = "Notifikationer"

    def ready(self) -> None:
        # Every case event this app listens to is registered here, in one visible place.
        from anskaf.cases.extensions import register_deadline_finder, register_handler

        from . import handlers

        for event_type, handler in handlers.HANDLERS:
            register_handler(event_type, handler)
        from anskaf.orgs import hooks

        for event_type, listener in handlers.ORG_LISTENERS:
            hooks.register(event_type, listener)
        from .selectors import deadlines_of
        register_deadline_finder(deadlines_of)  # the status panel's and Mine opgaver's "Frist"
        from anskaf.cases.panels import register_panel

        from .panels import PANELS
        for panel in PANELS:
            register_panel(panel)
        from anskaf.cases.extensions import register_renumberer

        from . import renumber
        register_renumberer(renumber.renumber)
        from . import queue, tasks  # noqa: F401 - registers the huey tasks with the consumer
