"""IT-visitation meetings: the queue of cases put forward, agendas, questions, outcomes, minutes.

An outcome is not a separate table: it is the `Decision` at the case's board gate, which the agenda item
points to. The decision is written by `anskaf.cases.services.decision_record` (one rule, one
place); the meeting only records where and when it was taken.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import Addressee, MeetingState, QuestionStatus, ReferralStatus


class Meeting(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("titel", max_length=200, default="Møde i IT-visitationen")
    state = models.CharField(max_length=20, choices=MeetingState.choices,
                             default=MeetingState.PLANNED)
    starts_at = models.DateTimeField("starter")
    ends_at = models.DateTimeField("slutter")
    place = models.CharField("sted", max_length=200, blank=True)
    online_link = models.URLField("link til onlinemøde", max_length=500, blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # Meetings made together by one recurrence share a series key (a UUID) and the interval.
    series = models.CharField(max_length=36, blank=True)
    recurrence_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organisation", "starts_at"], name="meeting_org_start")]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_locked(self) -> bool:
        return self.state == MeetingState.MINUTES_APPROVED


class Referral(models.Model):
    """A case put forward to the board ("Kontakt IT-visitationen"): one per round."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=ReferralStatus.choices,
                              default=ReferralStatus.WAITING)
    note = models.TextField("bemærkning til IT-visitationen", blank=True)
    put_forward_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                       on_delete=models.PROTECT, related_name="+")
    put_forward_at = models.DateTimeField()
    # When the documentation step (kind board_documentation) was done for this round: the start
    # of "days from documentation to decision".
    documentation_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["put_forward_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "round"],
                                               name="referral_case_round_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} runde {self.round}: {self.status}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    order = models.PositiveSmallIntegerField()
    # Null for "other items" (eventuelt, orientering, ...).
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    referral = models.OneToOneField(Referral, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="agenda_item")
    title = models.CharField("titel", max_length=200)
    notes = models.TextField("noter", blank=True)
    supplier_meeting_needed = models.BooleanField("møde med leverandøren er nødvendigt",
                                                  default=False)
    decision = models.OneToOneField("cases.Decision", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} punkt {self.order}: {self.title}"


class Question(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="questions")
    addressed_to = models.CharField(max_length=20, choices=Addressee.choices)
    text = models.TextField("spørgsmål")
    answer = models.TextField("svar", blank=True)
    status = models.CharField(max_length=10, choices=QuestionStatus.choices,
                              default=QuestionStatus.OPEN)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                 related_name="+")
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.text[:40]}"


class MinutesRevision(models.Model):
    """One version of a meeting's minutes. Never changed once approved: a correction is a new
    revision (with its reason), and the earlier ones stay readable."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    snapshot = models.JSONField(default=dict)  # the structured content the text was made from
    reason = models.TextField(blank=True)  # why a correction was made
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField()
    approved = models.BooleanField(default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"],
                                               name="minutes_revision_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id} referat v{self.number}"
