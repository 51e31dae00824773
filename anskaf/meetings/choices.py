from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    AGENDA_PUBLISHED = "agenda_published", _("Dagsorden udsendt")
    HELD = "held", _("Afholdt")
    MINUTES_APPROVED = "minutes_approved", _("Referat godkendt")


class Addressee(models.TextChoices):
    COORDINATOR = "coordinator", _("Koordinator")
    SUPPLIER = "supplier", _("Leverandør")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    ANSWERED = "answered", _("Besvaret")


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", _("Venter på et møde")
    ON_AGENDA = "on_agenda", _("På dagsordenen")
    TREATED = "treated", _("Behandlet")
