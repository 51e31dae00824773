"""The append-only audit trail: one hash chain per organisation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    actor_role = models.CharField(max_length=30, blank=True)
    event_type = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    case_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.organisation_id}#{self.seq} {self.event_type}"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="audit_chain_unique_seq")
        ]
        indexes = [models.Index(fields=["case_id", "seq"], name="audit_case_idx")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class ChainHead(models.Model):
    """One row per organisation: locked while appending so concurrent writers cannot fork it."""

    organisation = models.OneToOneField(
        "orgs.Organisation", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    # The hash of the newest event that can move anyone's work (events.EventType.moves_work):
    # the task counter is kept under it, so a remark does not recompute everyone's tasks.
    work_hash = models.CharField(max_length=64, default="")
    # The hash of the newest such event that is not bound to one case (a role, a deputy, a
    # referral, a system): it keys every per-case part of the task lists (ADR 0045).
    shared_work_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.organisation_id}@{self.seq}"


class CaseWorkHead(models.Model):
    """Per case: the hash of the newest event that moved work on this case alone (a step, a
    decision, the case's own fields; events.EventType.case_local). The part of each person's
    task list that this case contributes is kept under it, so a completion recomputes one
    case's part of everyone's list, not every case's (ADR 0045)."""

    case_id = models.BigIntegerField(primary_key=True)  # no key: audit sits below cases
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.case_id}@{self.hash[:12]}"
