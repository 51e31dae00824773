"""Acquisition cases, the state of each step, and gate decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CaseStatus, Outcome, StepStatus


class ModelVersion(models.Model):
    """One stored version of a process model: its YAML and the SHA-256 of it."""

    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who published it, when and why (issue 17); null for versions stored before publishing
    # existed and for the shipped default. A CLI publish has no person: published_by stays null.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_via = models.CharField(max_length=20, null=True, blank=True)  # "web" or "cli"
    reason = models.TextField(null=True, blank=True)
    # A forvaltning's own version (issue 17, ADR 0032): null for the municipality's and the
    # shared ones. Numbers run per municipality, across its units (the constraint below).
    unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The shared version this one descends from (adopted, then maybe adapted): a newer shared
    # version than this is shown to the municipality with the diff. Null for shared versions.
    adopted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key", "version"],
                                    name="model_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class CaseNumberSequence(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_number_seq_unique")
        ]


class Case(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("sagsnummer"), max_length=20)
    title = models.CharField(_("titel"), max_length=200)
    need = models.TextField(_("behov"))
    strategic_fit = models.TextField(_("sammenhæng med organisationen"))
    user_impact = models.TextField(_("betydning for slutbrugere/borgere"))
    requesting_unit = models.ForeignKey(
        "orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    candidate_system = models.CharField(_("kandidatsystem"), max_length=200, blank=True)
    supplier_name = models.CharField(_("leverandør"), max_length=200, blank=True)
    replaces_system = models.BooleanField(_("erstatter et eksisterende system"), default=False)
    replaced_system_name = models.CharField(_("system der erstattes"), max_length=200, blank=True)
    estimated_contract_value = models.DecimalField(
        _("anslået kontraktværdi (kr. ekskl. moms)"), max_digits=14, decimal_places=2,
        null=True, blank=True,
    )
    records_case_number = models.CharField(_("ESDH-sagsnummer"), max_length=60, blank=True)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    phase = models.PositiveSmallIntegerField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    restricted = models.BooleanField(
        _("begrænset adgang"), default=False,
        help_text=_("Kun sagens enhed, koordinator, trinnenes udførende og administratorer kan se den."),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    # Derived from the step states on every move, so lists need no per-case step queries.
    waiting_steps = models.JSONField(default=list)
    waiting_roles = models.JSONField(default=list)
    # The same roles as "|it|it_board|": a plain text any database can filter on.
    waiting_roles_key = models.CharField(max_length=400, default="", editable=False)
    steps_in_progress = models.JSONField(default=list)
    waiting_since = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique")
        ]
        indexes = [
            models.Index(fields=["organisation", "-updated_at", "-id"], name="case_org_updated"),
            models.Index(fields=["organisation", "status"], name="case_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in {CaseStatus.REJECTED, CaseStatus.WITHDRAWN, CaseStatus.COMPLETED}


class StepState(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="step_states")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=StepStatus.choices,
                              default=StepStatus.NOT_STARTED)
    checked = models.JSONField(default=list)  # ids of checklist items marked done
    # Items a decision added to this step ([{"id", "label", "round"}]): Måske's missing
    # documentation becomes required checklist items of the first step it reopens (the board's
    # documentation step) in the next round.
    extra_items = models.JSONField(default=list, blank=True)
    # Requirements the model lets be declared not relevant ("Hvis relevant"), declared so:
    # {checklist id or document key: the reason}.
    waived = models.JSONField(default=dict, blank=True)
    remarks = models.TextField(blank=True)
    not_relevant_reason = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The model version whose texts the step was finished under, set when a migration moves
    # the case to another version (null: the case's own version). ADR 0032.
    completed_under = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.case_id} trin {self.number}: {self.status}"

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="step_state_unique")
        ]


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    step = models.PositiveSmallIntegerField()
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rationale = models.TextField()
    recommendations = models.TextField(blank=True)
    it_contacts = models.JSONField(default=list)
    missing_documentation = models.JSONField(default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_role = models.CharField(max_length=30, blank=True)
    decided_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} trin {self.step} runde {self.round}: {self.outcome}"

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "round"], name="decision_unique_round")
        ]


class SavedFilter(models.Model):
    """A filter and sort of the case list a person saved under a name (issue 20): the case
    list's own query parameters, checked and in a fixed order, so applying it is a link."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="saved_filters")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.name}"

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_owner_name")
        ]
