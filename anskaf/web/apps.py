from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anskaf.web"
    label = "web"
