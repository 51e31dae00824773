from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    ADMINISTRATION = "administration", _("Forvaltning")
    DEPARTMENT = "department", _("Afdeling")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Koordinerende funktion")
    REQUESTER = "requester", _("Afdeling eller forvaltning")
    MANAGEMENT = "management", _("Ledelse")
    IT = "it", _("IT og Digitalisering")
    IT_BOARD = "it_board", _("IT-visitationen")
    SECURITY = "security", _("Informationssikkerhedskonsulent (ISK)")
    PROCUREMENT = "procurement", _("Udbud/Indkøb")
    LEGAL = "legal", _("Jura")
    ARCHIVE = "archive", _("Arkivansvarlig")
    PROJECT_LEAD = "project_lead", _("Projektleder")
    STEERING_GROUP = "steering_group", _("Styregruppe")
    ADMIN = "admin", _("Administrator")
