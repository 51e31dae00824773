from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "anskaf.orgs"
    label = "orgs"
    verbose_name = "Organisationer og personer"
