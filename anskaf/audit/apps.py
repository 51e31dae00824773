from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "anskaf.audit"
    label = "audit"
    verbose_name = "Revisionsspor"
