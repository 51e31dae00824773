"""A comment on a case (optionally on one of its steps), with the people it mentions."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Comment(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="comments")
    step = models.PositiveSmallIntegerField(null=True, blank=True)  # None: the case as a whole
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"], name="comment_case_created")]

    def __str__(self) -> str:
        return f"Kommentar {self.pk} på sag {self.case_id}"
