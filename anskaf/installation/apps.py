from django.apps import AppConfig


class InstallationConfig(AppConfig):
    name = "anskaf.installation"
    label = "installation"
    verbose_name = "Installationens drift"
