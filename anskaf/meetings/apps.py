from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "anskaf.meetings"
    label = "meetings"
    verbose_name = "IT-visitationens møder"
