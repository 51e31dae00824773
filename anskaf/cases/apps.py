from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "anskaf.cases"
    label = "cases"
    verbose_name = "Anskaffelsessager"
