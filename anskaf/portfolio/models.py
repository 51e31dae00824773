"""The municipality's system portfolio: systems, their links to cases, contracts, data
processing agreements, tender thresholds and what is still to be sent to KITOS."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Lifecycle(models.TextChoices):
    """KITOS's life-cycle values (LifeCycleStatusChoice in KITOS API v2), stored as KITOS
    names them so that a push needs no translation."""

    UNDECIDED = "Undecided", "Ikke taget stilling"
    PHASING_IN = "PhasingIn", "Under indfasning"
    OPERATIONAL = "Operational", "I drift"
    PHASING_OUT = "PhasingOut", "Under udfasning"
    NOT_IN_USE = "NotInUse", "Ikke i drift"


class ArchiveDecision(models.TextChoices):
    ARCHIVE = "archive", "Skal arkiveres"
    NO_ARCHIVE = "no_archive", "Skal ikke arkiveres"


class Hosting(models.TextChoices):
    LOCAL = "local", "Lokalt installeret"
    WEB = "web", "Webbaseret"


class System(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField("navn", max_length=200)
    supplier = models.CharField("leverandør", max_length=200, blank=True)
    purpose = models.TextField("formål", blank=True)
    notes = models.TextField("noter", blank=True)
    owner_unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name="ansvarlig enhed")
    system_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name="systemejer")
    hosting = models.CharField("drift", max_length=10, choices=Hosting.choices,
                               default=Hosting.WEB)
    personal_data = models.BooleanField("behandler personoplysninger", default=False)
    case_records = models.BooleanField("indeholder sagsakter", default=False)
    # The archive role's assessment (issue 19): to be archived or not, and the plan for the
    # archive version (or why not). Asked for before the case's archive step can complete.
    archive_decision = models.CharField("arkivvurdering", max_length=12, blank=True,
                                        choices=ArchiveDecision.choices)
    archive_plan = models.TextField("plan for arkiveringsversionen", blank=True)
    archive_assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    archive_assessed_at = models.DateTimeField(null=True, blank=True)
    lifecycle = models.CharField("livscyklus", max_length=20, choices=Lifecycle.choices,
                                 default=Lifecycle.UNDECIDED)
    # The usage's UUID in KITOS (what "registered in KITOS" means) and the catalogue system's.
    kitos_uuid = models.UUIDField("KITOS-UUID (anvendelse)", null=True, blank=True)
    kitos_system_uuid = models.UUIDField("KITOS-UUID (katalogsystem)", null=True, blank=True)
    predecessor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="successors", verbose_name="forgænger")
    # Casefolded name, purpose and notes: a contains-search that works for æøå on every DB.
    search_text = models.TextField(default="", editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation", "name"], name="system_org_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_archive_assessment(self) -> bool:
        """Systems with personal data or case records are assessed by the archive role."""
        return self.personal_data or self.case_records


class LinkKind(models.TextChoices):
    ACQUIRED = "acquired", "Anskaffet system"
    REPLACED = "replaced", "Erstattet system"


class CaseSystem(models.Model):
    """A case's link to the system it acquires or the one it replaces (one of each)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="case_links")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"],
                                               name="case_system_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.system_id}"


class NoticeTo(models.TextChoices):
    NONE = "none", "Løbende (fra dag til dag)"
    MONTH = "month", "Til udgangen af en måned"
    QUARTER = "quarter", "Til udgangen af et kvartal"


class Contract(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField("kontraktnummer", max_length=60)
    supplier = models.CharField("leverandør", max_length=200, blank=True)
    start_date = models.DateField("startdato")
    duration_months = models.PositiveSmallIntegerField("løbetid (måneder)")
    option_count = models.PositiveSmallIntegerField("antal optioner på forlængelse", default=0)
    option_months = models.PositiveSmallIntegerField("måneder pr. option", default=0)
    options_used = models.PositiveSmallIntegerField("udnyttede optioner", default=0)
    notice_months = models.PositiveSmallIntegerField("opsigelsesvarsel (måneder)", default=0)
    notice_to = models.CharField("opsigelse til", max_length=10, choices=NoticeTo.choices,
                                 default=NoticeTo.NONE)
    terminated_on = models.DateField("opsagt til", null=True, blank=True)
    annual_cost = models.DecimalField("årlig udgift (kr.)", max_digits=14, decimal_places=2,
                                      null=True, blank=True)
    # Someone has decided whether to give notice (issue 7): it stops the reminders for the
    # notice date it answers (`notice_decision_for`); a later notice date starts them again.
    notice_decision_on = models.DateField("opsigelse besluttet", null=True, blank=True)
    notice_decision_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+",
                                           verbose_name="besluttet af")
    notice_decision_for = models.DateField("besluttet for opsigelsesfrist", null=True,
                                           blank=True)
    # The contract's UUID in KITOS, once "Registrér i KITOS" has created it there (issue 6).
    kitos_uuid = models.UUIDField("KITOS-UUID (kontrakt)", null=True, blank=True,
                                  editable=False)
    version = models.PositiveIntegerField(default=1)  # a stale edit is refused (409)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "id"]

    def __str__(self) -> str:
        return self.number


class OversightMethod(models.TextChoices):
    ISAE_3000 = "isae3000", "ISAE 3000-erklæring"
    ISAE_3402 = "isae3402_2", "ISAE 3402 type 2-erklæring"
    OWN = "own", "Egen kontrol (skriftligt tilsyn)"
    PHYSICAL = "physical", "Fysisk tilsyn"
    NONE = "none", "Intet tilsyn aftalt"


class DataProcessingAgreement(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="dpas")
    supplier = models.CharField("databehandler", max_length=200)
    signed_on = models.DateField("underskrevet", null=True, blank=True)
    sub_processors = models.TextField("underdatabehandlere", blank=True)
    third_countries = models.TextField("tredjelande", blank=True)
    oversight_method = models.CharField("tilsynsmetode", max_length=12,
                                        choices=OversightMethod.choices,
                                        default=OversightMethod.ISAE_3000)
    oversight_interval_months = models.PositiveSmallIntegerField("tilsynsinterval (måneder)",
                                                                 default=12)
    last_oversight_on = models.DateField("seneste tilsyn", null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")  # the case whose step 11 linked it
    version = models.PositiveIntegerField(default=1)  # a stale edit is refused (409)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "id"]

    def __str__(self) -> str:
        return f"{self.supplier} ({self.system_id})"


class OversightResult(models.TextChoices):
    SATISFACTORY = "satisfactory", "Tilfredsstillende"
    REMARKS = "remarks", "Tilfredsstillende med bemærkninger"
    UNSATISFACTORY = "unsatisfactory", "Ikke tilfredsstillende"


class DpaOversight(models.Model):
    """A completed oversight of a data processor: it becomes the DPA's last oversight, so the
    next one moves by the DPA's interval and the reminder for the old date stops."""

    dpa = models.ForeignKey(DataProcessingAgreement, on_delete=models.PROTECT,
                            related_name="oversights")
    done_on = models.DateField("tilsynsdato")
    method = models.CharField("tilsynsmetode", max_length=12, choices=OversightMethod.choices)
    result = models.CharField("resultat", max_length=20, choices=OversightResult.choices)
    notes = models.TextField("bemærkninger", blank=True)
    document_ref = models.CharField("dokument", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.dpa_id} {self.done_on}"


class TenderThreshold(models.Model):
    """A published EU threshold with its period. National, so shared by all municipalities."""

    valid_from = models.DateField("gælder fra")
    valid_to = models.DateField("gælder til")
    amount = models.DecimalField("beløb (kr. ekskl. moms)", max_digits=14, decimal_places=2)
    kind = models.CharField("type", max_length=20, default="goods_services",
                            choices=[("goods_services", "Varer og tjenesteydelser")])
    # Where the figure is published (issue 19 item 9: no figure without its source).
    source = models.CharField("kilde", max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from}–{self.valid_to}: {self.amount}"


class ThresholdConfirmation(models.Model):
    """Procurement's confirmation that it has seen a case at or above the threshold."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    threshold = models.ForeignKey(TenderThreshold, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id}: {self.value}"


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Afventer"
    DONE = "done", "Registreret"


class KitosSync(models.Model):
    """What must be registered in KITOS for a system; pending until KITOS has accepted it."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="kitos_syncs")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    lifecycle = models.CharField(max_length=20, choices=Lifecycle.choices)
    status = models.CharField(max_length=10, choices=SyncStatus.choices,
                              default=SyncStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The worker's schedule (ADR 0035): when the next attempt is due (while one is on its way,
    # a lease past its end), or null when none will come by itself (done, or given up after
    # KITOS_RETRY_ATTEMPTS failures in a row); `failures` counts those since it was last queued.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "organisation"], name="kitos_sync_status"),
                   models.Index(fields=["status", "next_attempt_at"], name="kitos_sync_due")]

    @property
    def given_up(self) -> bool:
        """Pending, but no attempt will come by itself any more."""
        return self.status == SyncStatus.PENDING and self.next_attempt_at is None

    def __str__(self) -> str:
        return f"{self.system_id} {self.lifecycle} {self.status}"
