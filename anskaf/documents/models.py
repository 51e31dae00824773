"""Documents of a case's steps, their versions, organisation templates and journal entries.

The file bytes live in the "documents" storage (local disk or S3) under a random name; the
database keeps what people see (the sanitised original name) and what proves the content
(size and SHA-256).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Document(models.Model):
    """One document of a step, e.g. "Kontrakt.pdf" of the type "signed_contract"."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    step = models.PositiveSmallIntegerField()
    type_key = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["step", "type_key", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "type_key", "title"],
                                    name="document_unique_title"),
        ]
        indexes = [models.Index(fields=["case", "step"], name="document_case_step")]

    def __str__(self) -> str:
        return f"{self.case_id} trin {self.step}: {self.title}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=255, unique=True)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["document_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class OrgTemplate(models.Model):
    """A template an organisation offers on a step (IT's standard requirements, a DPA template)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("titel", max_length=200)
    step = models.PositiveSmallIntegerField("trin")
    # The step's key: a template stays on its step when a model inserts or moves steps (the
    # number is what the model said when it was uploaded; ADR 0015).
    step_key = models.CharField("trinnets nøgle", max_length=100, blank=True)
    storage_name = models.CharField(max_length=255, unique=True)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["step", "title", "id"]

    def __str__(self) -> str:
        return f"{self.title} (trin {self.step})"


class JournalEntry(models.Model):
    """A document version handed to the records system (ESDH), with the number it got there."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="journal_entries")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    records_number = models.CharField(max_length=60)
    adapter = models.CharField(max_length=40)
    package_sha256 = models.CharField(max_length=64)
    journalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                       on_delete=models.PROTECT, related_name="+")
    journalised_at = models.DateTimeField()

    class Meta:
        ordering = ["-journalised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.records_number}"
