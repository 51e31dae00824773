"""Kinds of notice, how a person wants them by e-mail, and where an e-mail is in its delivery."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    STEP_OPENED = "step_opened", _("Et trin venter på dig")
    STEP_ASSIGNED = "step_assigned", _("Du er tildelt et trin")
    DECISION = "decision", _("Beslutning i et beslutningspunkt")
    AGENDA = "agenda", _("Dagsorden offentliggjort")
    DEADLINE = "deadline", _("Frist overskredet (påmindelse og eskalering)")
    DEPUTY = "deputy", _("Du er blevet stedfortræder, eller ikke længere")
    HANDOVER = "handover", _("En sag er overdraget til dig, eller fra dig")
    MENTION = "mention", _("Du er nævnt i en kommentar")
    MODEL = "model", _("En sag er flyttet til en ny version af procesmodellen")


class MailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Straks på e-mail")
    DIGEST = "digest", _("Samlet i en daglig e-mail")
    NONE = "none", _("Ikke på e-mail (kun i anskaf)")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Afventer afsendelse")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Fejlet")
