"""In-app notices, the e-mail outbox, each person's mail preferences, step deadlines and the
record of reminders already sent (so none fires twice for the same moment)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Kind, MailMode, OutboxStatus


class Notification(models.Model):
    """One notice to one person, shown in their notification centre."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Waits for the person's daily digest e-mail (MailMode.DIGEST) until it is put in one.
    digest_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read"),
            models.Index(fields=["digest_pending", "recipient"], name="notif_digest_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"


class OutboxMessage(models.Model):
    """An e-mail written in the transaction that caused it and delivered by the worker."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    to_email = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    # Fixed when the row is written: a duplicate after a crash carries the same Message-ID.
    message_id = models.CharField(max_length=250, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
            models.Index(fields=["organisation", "status", "-created_at"], name="outbox_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject} ({self.status})"


class NotificationPreference(models.Model):
    """How a person wants one kind of notice by e-mail; no row means immediately."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=MailMode.choices, default=MailMode.IMMEDIATE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"


class StepDeadline(models.Model):
    """The target date for one step of a case, set by the coordinator."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField()
    due_date = models.DateField(_("frist"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date", "step"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="step_deadline_unique"),
        ]
        indexes = [models.Index(fields=["due_date"], name="step_deadline_due")]

    def __str__(self) -> str:
        return f"{self.case_id} trin {self.step}: {self.due_date}"


class ReminderSent(models.Model):
    """One reminder moment that has fired. The unique key makes a second firing impossible."""

    key = models.CharField(max_length=200, unique=True)
    deadline = models.ForeignKey(StepDeadline, null=True, on_delete=models.SET_NULL, related_name="+")
    level = models.CharField(max_length=20)  # assignee, coordinator, management
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class AnnouncedStep(models.Model):
    """A waiting step whose performers have been told. Gone once the step stops waiting, so a
    step that opens again (reopened, or sent back by a Måske) is announced again."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="announced_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} trin {self.step}"


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat task (every minute, and once at its start):
    proof that the queue is consumed and the scheduler runs. /readyz reads it."""

    name = models.CharField(max_length=40, primary_key=True, default="worker")
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
