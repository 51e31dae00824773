from django.db import models
from django.utils.translation import gettext_lazy as _

from anskaf.process.engine import CaseStatus as EngineCaseStatus
from anskaf.process.engine import StepStatus as EngineStepStatus


class CaseStatus(models.TextChoices):
    ACTIVE = EngineCaseStatus.ACTIVE.value, _("Aktiv")
    REJECTED = EngineCaseStatus.REJECTED.value, _("Afvist")
    WITHDRAWN = EngineCaseStatus.WITHDRAWN.value, _("Trukket tilbage")
    IN_OPERATION = EngineCaseStatus.IN_OPERATION.value, _("I drift")
    COMPLETED = EngineCaseStatus.COMPLETED.value, _("Afsluttet")


class StepStatus(models.TextChoices):
    NOT_STARTED = EngineStepStatus.NOT_STARTED.value, _("Ikke påbegyndt")
    IN_PROGRESS = EngineStepStatus.IN_PROGRESS.value, _("I gang")
    DONE = EngineStepStatus.DONE.value, _("Gennemført")
    NOT_RELEVANT = EngineStepStatus.NOT_RELEVANT.value, _("Ikke relevant")


class Outcome(models.TextChoices):
    YES = "yes", _("Ja")
    MAYBE = "maybe", _("Måske")
    NO = "no", _("Nej")
