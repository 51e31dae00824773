from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "anskaf.orgs"
    label = "orgs"
    verbose_name = "Organisationer og personer"

    def ready(self) -> None:
        # The audit's actor_role is one of these roles (or a marker): audit knows no orgs.
        from anskaf.audit import events

        from .choices import Role

        events.register_roles(Role.values)
