from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "anskaf.api"
    label = "api"
