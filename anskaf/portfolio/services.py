"""The only place that writes the portfolio. Each service: one transaction, permission check,
write, audit_append - like anskaf/cases/services.py. KITOS is called by the worker (ADR 0035)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from anskaf.audit.services import Payload, audit_append
from anskaf.cases import permissions
from anskaf.cases.errors import (
    CombinationRefused,
    Conflict,
    NotFound,
    PermissionDenied,  # noqa: F401  (tests and callers catch services.PermissionDenied)
    ReferenceRefused,
    ValidationFailed,
)
from anskaf.cases.models import Case
from anskaf.cases.services import acting_role, lock_visible_case
from anskaf.orgs.models import User
from anskaf.validation.text import text_problem

from . import kitos, kitos_sync, tasks
from .inputs import ContractValues, DpaValues, OversightValues, SystemValues, ThresholdValues
from .models import (
    ArchiveDecision,
    CaseSystem,
    Contract,
    DataProcessingAgreement,
    DpaOversight,
    KitosSync,
    Lifecycle,
    LinkKind,
    SyncStatus,
    System,
    TenderThreshold,
    ThresholdConfirmation,
)
from .permissions import (  # noqa: F401  (views, the API and handlers ask through services)
    AGREEMENT_WRITERS,
    ARCHIVE_ASSESSORS,
    SYSTEM_WRITERS,
    THRESHOLD_CONFIRMERS,
    kitos_register_refusal,
    may,
    require_role,
    roles_of,
)

log = logging.getLogger(__name__)

# Who may write what: anskaf/portfolio/permissions.py (ADR 0012, ADR 0039).


def _audit(actor: User | None, role: str, event_type: str, obj: models.Model, before: Payload,
           after: Payload,
           case_id: int | None = None, organisation_id: int | None = None) -> None:
    """Audit a portfolio write. The case it happened for is named inside `after`, not as the
    event's case: the case's timeline (and its tests) shows the case's own moves only."""
    if case_id is not None:
        after = {**(after or {}), "case_id": case_id}
    if organisation_id is None:
        if actor is None:
            raise ValueError("an event without an actor names its organisation")
        organisation_id = actor.municipality_id
    audit_append(organisation_id=organisation_id, actor=actor,
                 actor_role=role, event_type=event_type, object_id=obj.pk, before=before,
                 after=after)


def _view(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for f in fields:
        value = getattr(obj, f)
        out[f] = value.isoformat() if isinstance(value, date) else (
            str(value) if isinstance(value, Decimal) or hasattr(value, "hex") else value)
    return out


SYSTEM_FIELDS = ("name", "supplier", "purpose", "notes", "owner_unit_id", "system_owner_id",
                 "hosting", "personal_data", "case_records", "lifecycle", "kitos_uuid", "kitos_system_uuid",
                 "predecessor_id")


def system_search_text(system: System) -> str:
    """What the system list searches: name, supplier, purpose and notes, case-folded."""
    return " ".join((system.name, system.supplier, system.purpose, system.notes)).casefold()


def _system_of(actor: User, system_id: int, *, lock: bool = False) -> System:
    qs = System.objects.filter(organisation_id=actor.municipality_id, pk=system_id)
    system = (qs.select_for_update() if lock else qs).first()
    if system is None:
        raise NotFound("Systemet findes ikke.")
    return system


# --- systems ----------------------------------------------------------------------------------

ARCHIVE_FIELDS = ("archive_decision", "archive_plan", "archive_assessed_by_id")


@transaction.atomic
def archive_assessment_record(*, actor: User, system_id: int, decision: str | None,
                              plan: str | None, case_id: int | None = None,
                              version: int | None = None) -> System:
    """The archive role's assessment of a system: to be archived or not, and the plan for the
    archive version (or why it is not archived). Recorded on the system, audited."""
    role = require_role(actor, ARCHIVE_ASSESSORS, "Den arkivansvarlige")
    system = _system_of(actor, system_id, lock=True)
    if case_id is not None:  # the case it was asked for must be one the actor may see
        lock_visible_case(actor, case_id)
    errors = {}
    if decision not in ArchiveDecision.values:
        errors["decision"] = ("Vælg om systemet skal arkiveres (archive) eller ikke "
                              "(no_archive).")
    plan = plan.strip() if isinstance(plan, str) else ""
    if not plan:
        errors["plan"] = ("Beskriv planen for arkiveringsversionen, eller hvorfor systemet "
                          "ikke skal arkiveres.")
    elif len(plan) > 20000:
        errors["plan"] = "Planen må højst være 20.000 tegn."
    elif problem := text_problem(plan, multiline=True):
        errors["plan"] = problem
    if errors or decision is None:  # a missing decision is among the errors
        raise ValidationFailed(errors)
    if version is not None and version != system.version:
        raise Conflict("Systemet er ændret af en anden. Genindlæs siden og prøv igen.")
    before = _view(system, ARCHIVE_FIELDS)
    system.archive_decision, system.archive_plan = decision, plan
    system.archive_assessed_by, system.archive_assessed_at = actor, timezone.now()
    system.version += 1
    system.save(update_fields=["archive_decision", "archive_plan", "archive_assessed_by",
                               "archive_assessed_at", "version", "updated_at"])
    _audit(actor, role, "system.archive_assessed", system, before,
           _view(system, ARCHIVE_FIELDS), case_id=int(case_id) if case_id is not None else None)
    return system


def archive_pending(case_id: int) -> list[System]:
    """The case's systems that hold personal data or case records and have no assessment."""
    links = CaseSystem.objects.filter(case_id=case_id).select_related("system")
    return [link.system for link in links
            if link.system.needs_archive_assessment and not link.system.archive_decision]


Row = TypeVar("Row", bound=models.Model)


def _assigned(obj: Row, values: Mapping[str, object]) -> Row:
    """`obj` with the validated values (from the app's forms, at the boundary) set on it."""
    for field, value in values.items():
        setattr(obj, field, value)
    return obj


def _check_references(actor: User, values: SystemValues, system: System | None) -> None:
    """The unit, owner and predecessor named are the municipality's own (the form offers no
    other; a caller that built the values itself is held to the same)."""
    org = actor.organisation_id
    errors = {}
    unit, owner, predecessor = (values.get("owner_unit"), values.get("system_owner"),
                                values.get("predecessor"))
    if unit is not None and unit.organisation_id != org:
        errors["owner_unit"] = "Vælg en af mulighederne."
    if owner is not None and owner.organisation_id != org:
        errors["system_owner"] = "Vælg en af mulighederne."
    if predecessor is not None and (predecessor.organisation_id != org or (
            system is not None and predecessor.pk == system.pk)):
        errors["predecessor"] = "Vælg en af mulighederne."
    if errors:
        raise ReferenceRefused(errors)


@transaction.atomic
def system_save(*, actor: User, values: SystemValues, system_id: int | None = None,
                version: int | None = None) -> System:
    """Create a system, or change one, with the values `forms.system_values` validated. A
    changed life cycle goes to KITOS like a case's (`_lifecycle_to_kitos`)."""
    role = require_role(actor, SYSTEM_WRITERS, "IT, indkøb og administratorer")
    system = _system_of(actor, system_id, lock=True) if system_id is not None else None
    if system is not None:
        _check_version(version, system.version, "Systemet")
    before = _view(system, SYSTEM_FIELDS) if system else None
    _check_references(actor, values, system)
    system = _assigned(system or System(), values)
    system.organisation_id = actor.municipality_id
    system.search_text = system_search_text(system)
    if before is not None:
        system.version += 1
    system.save()
    _audit(actor, role, "system.updated" if before else "system.created", system, before,
           _view(system, SYSTEM_FIELDS))
    if before is not None and before["lifecycle"] != system.lifecycle:
        _lifecycle_to_kitos(system, None)
    return system


def _lifecycle_to_kitos(system: System, case_id: int | None) -> None:
    """Every life-cycle change of a system registered in KITOS (or being registered) is queued
    for KITOS, however it was made: its page, the API, a case's step (issue 19 item 10). The
    worker sends it once the transaction commits, and retries with backoff."""
    if not (system.kitos_uuid or KitosSync.objects.filter(system=system).exists()):
        return
    if case_id is None:  # the case that acquired it, so its contract is sent along
        case_id = (CaseSystem.objects.filter(system=system, kind=LinkKind.ACQUIRED)
                   .values_list("case_id", flat=True).first())
    _queue(system, case_id)


def system_lifecycle_set(*, system: System, lifecycle: str, actor: User, role: str,
                         case_id: int | None) -> bool:
    """Move a system to another life cycle on a case's behalf (a step of the case done, the
    case's system registered in KITOS, the demo's catch-up), not by a person's edit of the
    system: audited with the case named, and queued for KITOS when the system is registered
    there (or being registered). Runs in the caller's transaction. False when the system is
    already in that life cycle."""
    if system.lifecycle == lifecycle:
        return False
    before = {"lifecycle": system.lifecycle}
    system.lifecycle = lifecycle
    system.version += 1
    system.save(update_fields=["lifecycle", "version", "updated_at"])
    _audit(actor, role, "system.lifecycle_changed", system, before, {"lifecycle": lifecycle},
           case_id=case_id, organisation_id=system.organisation_id)
    _lifecycle_to_kitos(system, case_id)  # registered (or being registered): KITOS follows
    return True


# --- the case's links -------------------------------------------------------------------------


def _case_of(actor: User, case_id: int, *, edit: bool) -> Case:
    case = lock_visible_case(actor, case_id)
    if edit:
        permissions.require(permissions.edit_refusal(actor, case))
    return case


def link_of(case_id: int, kind: str) -> CaseSystem | None:
    return CaseSystem.objects.select_related("system").filter(case_id=case_id, kind=kind).first()


LINK_EVENTS: dict[str, str] = {LinkKind.ACQUIRED: "portfolio.acquired_system_linked",
               LinkKind.REPLACED: "portfolio.replaced_system_linked"}


@transaction.atomic
def case_link(*, actor: User, case_id: int, kind: str, system_id: int | None
              ) -> CaseSystem | None:
    """Point the case at the system it acquires or replaces (empty `system_id` unlinks).
    Anyone who may edit the case may do this; the replaced system's name follows the link."""
    if kind not in LinkKind.values:
        raise ValidationFailed({"kind": "Vælg anskaffet eller erstattet system."})
    case = _case_of(actor, case_id, edit=True)
    current = link_of(case.pk, kind)
    before = {"system_id": current.system_id if current else None}
    role = acting_role(actor, (*permissions.CASE_MANAGERS, "admin"))  # as edit_refusal
    if system_id is None:
        if current:
            current.delete()
        link = None
    else:
        system = _system_of(actor, system_id)
        if current:
            current.system = system
            current.save(update_fields=["system"])
            link = current
        else:
            link = CaseSystem.objects.create(case=case, system=system, kind=kind)
        if kind == LinkKind.REPLACED and case.replaced_system_name != system.name[:200]:
            # The case's free text now names the linked system (it stays for the old data).
            Case.objects.filter(pk=case.pk).update(replaced_system_name=system.name[:200])
    audit_append(organisation_id=case.organisation_id, actor=actor, actor_role=role,
                 event_type=LINK_EVENTS[kind], object_id=link.pk if link else None,
                 before=before,
                 after={"case_id": case.pk, "system_id": link.system_id if link else None})
    return link


def ensure_acquired(case: Case, actor: User, role: str, lifecycle: str | None) -> System:
    """The case's acquired system, created from the case's fields when it has none."""
    link = link_of(case.pk, LinkKind.ACQUIRED)
    if link is not None:
        system = System.objects.select_for_update().get(pk=link.system_id)
    else:
        system = System(organisation_id=case.organisation_id,
                        name=(case.candidate_system or case.title)[:200],
                        supplier=case.supplier_name, purpose=case.need,
                        owner_unit_id=case.requesting_unit_id,
                        lifecycle=lifecycle or Lifecycle.UNDECIDED)
        replaced = link_of(case.pk, LinkKind.REPLACED)
        if replaced is not None:
            system.predecessor_id = replaced.system_id
        system.search_text = system_search_text(system)
        system.save()
        CaseSystem.objects.create(case=case, system=system, kind=LinkKind.ACQUIRED)
        _audit(actor, role, "system.created", system, None, _view(system, SYSTEM_FIELDS),
               case_id=case.pk, organisation_id=case.organisation_id)
    if lifecycle:
        system_lifecycle_set(system=system, lifecycle=lifecycle, actor=actor, role=role,
                             case_id=case.pk)
    return system


# --- contracts and DPAs -----------------------------------------------------------------------

CONTRACT_FIELDS = ("number", "supplier", "start_date", "duration_months", "option_count",
                   "option_months", "options_used", "notice_months", "notice_to",
                   "terminated_on", "annual_cost")
DPA_FIELDS = ("supplier", "signed_on", "sub_processors", "third_countries", "oversight_method",
              "oversight_interval_months", "last_oversight_on", "case_id")


def _check_version(expected: int | None, actual: int, what: str) -> None:
    """An edit names the version it was made from; a stale one is refused (409), so nobody
    overwrites a change they have not seen."""
    if expected is None:
        return
    if expected != actual:
        raise Conflict(f"{what} er blevet ændret af en anden i mellemtiden (version {actual}, "
                       f"du havde version {expected}). Se den nyeste udgave, og gem igen.")


_Agreement = TypeVar("_Agreement", Contract, DataProcessingAgreement)


def _agreement_of(model: type[_Agreement], actor: User, pk: int, system_id: int | None,
                  lock: bool, missing: str) -> _Agreement:
    """A contract or DPA of the actor's organisation (and of the system, when given); 404
    for anything else."""
    qs = model.objects.filter(organisation_id=actor.municipality_id, pk=pk)
    if system_id is not None:
        qs = qs.filter(system_id=system_id)
    found = (qs.select_for_update() if lock else qs).first()
    if found is None:
        raise NotFound(missing)
    return found


def contract_of(actor: User, contract_id: int, *, system_id: int | None = None,
                lock: bool = False) -> Contract:
    return _agreement_of(Contract, actor, contract_id, system_id, lock,
                         "Kontrakten findes ikke.")


def dpa_of(actor: User, dpa_id: int, *, system_id: int | None = None,
           lock: bool = False) -> DataProcessingAgreement:
    return _agreement_of(DataProcessingAgreement, actor, dpa_id,
                         system_id, lock, "Databehandleraftalen findes ikke.")


@transaction.atomic
def contract_save(*, actor: User, system_id: int, values: ContractValues,
                  contract_id: int | None = None, version: int | None = None) -> Contract:
    """Register a contract, or change any of its fields (an option used, a prolongation, a
    termination, a new notice period), with the values `forms.contract_values` validated:
    audited with the values before and after."""
    role = require_role(actor, AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og administratorer")
    system = _system_of(actor, system_id)
    contract = None
    if contract_id is not None:
        contract = contract_of(actor, contract_id, system_id=system.pk, lock=True)
        _check_version(version, contract.version, "Kontrakten")
    before = _view(contract, CONTRACT_FIELDS) if contract else None
    contract = _assigned(contract or Contract(), values)
    contract.system, contract.organisation_id = system, system.organisation_id
    if before is not None:
        contract.version += 1
    contract.save()
    _audit(actor, role, "contract.updated" if before else "contract.created", contract, before,
           _view(contract, CONTRACT_FIELDS))
    _follow_in_kitos(contract, system)
    return contract


def _follow_in_kitos(contract: Contract, system: System) -> None:
    """The contract of a system registered in KITOS follows there, new or edited: queue the
    system's registration again for the case that acquired it (that sends the contract)."""
    if system.kitos_uuid is None:
        return
    case_id = (CaseSystem.objects.filter(system=system, kind=LinkKind.ACQUIRED)
               .values_list("case_id", flat=True).first())
    if case_id is not None:
        _queue(system, case_id)


@transaction.atomic
def contract_mark_notice_decided(*, actor: User, contract_id: int) -> Contract:
    """Record that the notice decision for the contract's notice date is taken: the reminders
    for that date stop. Same writers as editing a contract; marking twice changes nothing."""
    from .selectors import notice_deadline, notice_decided

    role = require_role(actor, AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og administratorer")
    contract = (Contract.objects.select_for_update()
                .filter(organisation_id=actor.municipality_id, pk=contract_id).first())
    if contract is None:
        raise NotFound("Kontrakten findes ikke.")
    deadline = notice_deadline(contract, timezone.localdate())
    if deadline is None:
        raise CombinationRefused({"contract": "Kontrakten er opsagt; der er ingen frist at "
                                            "beslutte om."})
    if notice_decided(contract):
        return contract
    fields = ("notice_decision_on", "notice_decision_for")
    before = _view(contract, fields)
    contract.notice_decision_on = timezone.localdate()
    contract.notice_decision_by = actor
    contract.notice_decision_for = deadline
    contract.save(update_fields=["notice_decision_on", "notice_decision_by",
                                 "notice_decision_for"])
    _audit(actor, role, "contract.notice_decided", contract, before, _view(contract, fields))
    return contract


@transaction.atomic
def dpa_save(*, actor: User, system_id: int, values: DpaValues, case_id: int | None = None,
             dpa_id: int | None = None, version: int | None = None
             ) -> DataProcessingAgreement:
    """Record a data processing agreement for a system (from the DPA step: linked to the case),
    or change any of its fields, with the values `forms.dpa_values` validated: audited with
    the values before and after."""
    role = require_role(actor, AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og administratorer")
    system = _system_of(actor, system_id)
    dpa = None
    if dpa_id is not None:
        dpa = dpa_of(actor, dpa_id, system_id=system.pk, lock=True)
        _check_version(version, dpa.version, "Databehandleraftalen")
    before = _view(dpa, DPA_FIELDS) if dpa else None
    case = _case_of(actor, case_id, edit=False) if case_id is not None else None
    dpa = _assigned(dpa or DataProcessingAgreement(), values)
    dpa.system, dpa.organisation_id = system, system.organisation_id
    if case is not None:
        dpa.case = case
    if before is not None:
        dpa.version += 1
    dpa.save()
    _audit(actor, role, "dpa.updated" if before else "dpa.created", dpa, before,
           _view(dpa, DPA_FIELDS), case_id=case.pk if case else None)
    return dpa


OVERSIGHT_FIELDS = ("done_on", "method", "result", "notes", "document_ref")


@transaction.atomic
def dpa_oversight_record(*, actor: User, dpa_id: int, values: OversightValues,
                         system_id: int | None = None, version: int | None = None
                         ) -> DpaOversight:
    """Record a completed oversight of a data processor. It becomes the DPA's last oversight
    (unless an even later one is recorded), so the next date moves by the DPA's interval and
    the reminder for the old date stops."""
    from .selectors import next_oversight_of

    role = require_role(actor, AGREEMENT_WRITERS, "IT, indkøb, jura, ISK og administratorer")
    dpa = dpa_of(actor, dpa_id, system_id=system_id, lock=True)
    _check_version(version, dpa.version, "Databehandleraftalen")
    oversight = _assigned(DpaOversight(), values)
    oversight.dpa, oversight.recorded_by = dpa, actor
    oversight.save()
    before = {"last_oversight_on": _iso(dpa.last_oversight_on),
              "next_oversight_on": _iso(next_oversight_of(dpa))}
    if dpa.last_oversight_on is None or oversight.done_on > dpa.last_oversight_on:
        dpa.last_oversight_on = oversight.done_on
    dpa.version += 1
    dpa.save(update_fields=["last_oversight_on", "version"])
    _audit(actor, role, "dpa.oversight_recorded", dpa, before,
           {**_view(oversight, OVERSIGHT_FIELDS), "oversight_id": oversight.pk,
            "last_oversight_on": _iso(dpa.last_oversight_on),
            "next_oversight_on": _iso(next_oversight_of(dpa))})
    return oversight


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# --- tender thresholds ------------------------------------------------------------------------


@transaction.atomic
def threshold_save(*, actor: User, values: ThresholdValues) -> TenderThreshold:
    """Admins enter each new period's published figure with its source; periods may not
    overlap. The amount is read the Danish way ("1.893.000,50")."""
    role = require_role(actor, ("admin",), "administratorer")
    threshold = threshold_add(values)
    _audit(actor, role, "threshold.created", threshold, None, threshold_view(threshold))
    return threshold


def threshold_add(values: ThresholdValues) -> TenderThreshold:
    """A new period's threshold (validated by `forms.threshold_values`), not overlapping
    another, saved. The caller checks who may and audits in its own transaction: a
    municipality's admin (`threshold_save`) or the installation's operator
    (anskaf.installation.services.threshold_save, ADR 0030)."""
    overlapping = TenderThreshold.objects.filter(
        kind=values["kind"], valid_from__lte=values["valid_to"],
        valid_to__gte=values["valid_from"]).exists()
    if overlapping:
        raise CombinationRefused({"valid_from": "Perioden overlapper en eksisterende periode."})
    return TenderThreshold.objects.create(**values)


def threshold_view(threshold: TenderThreshold) -> dict[str, Any]:
    return _view(threshold, ("valid_from", "valid_to", "amount", "kind", "source"))


@transaction.atomic
def threshold_confirm(*, actor: User, case_id: int, note: str = "") -> ThresholdConfirmation:
    """Procurement has seen that the case is at or above the threshold (a warning, no block)."""
    from .selectors import threshold_for_check

    role = require_role(actor, THRESHOLD_CONFIRMERS, "Udbud/Indkøb")
    case = _case_of(actor, case_id, edit=False)
    threshold = threshold_for_check(timezone.localdate())
    if threshold is None or case.estimated_contract_value is None:
        raise CombinationRefused({"case": "Der er ingen tærskel eller kontraktværdi at bekræfte."})
    note = note if isinstance(note, str) else ""
    if (problem := text_problem(note)) is not None:
        raise ValidationFailed({"note": problem})
    confirmation, _ = ThresholdConfirmation.objects.update_or_create(
        case=case, defaults={"threshold": threshold, "value": case.estimated_contract_value,
                             "note": note[:2000], "confirmed_by": actor,
                             "confirmed_at": timezone.now()})
    audit_append(organisation_id=case.organisation_id, actor=actor, actor_role=role,
                 event_type="threshold.confirmed", object_id=confirmation.pk, before=None,
                 after={"case_id": case.pk, "value": str(case.estimated_contract_value),
                        "threshold": str(threshold.amount)})
    return confirmation


# --- KITOS ------------------------------------------------------------------------------------


def _queue(system: System, case_id: int | None) -> KitosSync:
    """Keep one pending registration per system, carrying the latest life cycle; something new
    to send starts a fresh run of attempts (kitos_sync.arm)."""
    sync = (KitosSync.objects.select_for_update()
            .filter(system=system, status=SyncStatus.PENDING).first())
    if sync is None:
        sync = KitosSync(organisation_id=system.organisation_id, system=system, case_id=case_id)
    sync.lifecycle = system.lifecycle
    sync.case_id = sync.case_id or case_id
    lease = kitos_sync.arm(sync, timezone.now())
    sync.save()
    # The worker sends it after commit, never this request's thread (ADR 0035).
    transaction.on_commit(lambda: tasks.enqueue_attempt(sync.pk, lease))
    return sync


@transaction.atomic
def kitos_register(*, actor: User, case_id: int) -> KitosSync:
    """"Registrér i KITOS" on the contract step: the acquired system (made now if the case has none,
    under indfasning) is queued for KITOS; the worker sends it once the transaction commits."""
    case = _case_of(actor, case_id, edit=False)
    from anskaf.cases.process_models import model_for

    from .steps import CONTRACT

    step = CONTRACT.find(model_for(case))
    step_roles = step.role_keys if step is not None else ()
    permissions.require(kitos_register_refusal(actor, case, tuple(step_roles)))
    role = acting_role(actor, (*step_roles, "coordinator", "it", "admin"))
    system = ensure_acquired(case, actor, role, None)
    if system.lifecycle == Lifecycle.UNDECIDED:
        system_lifecycle_set(system=system, lifecycle=Lifecycle.PHASING_IN, actor=actor,
                             role=role, case_id=case.pk)
    sync = _queue(system, case.pk)
    audit_append(organisation_id=case.organisation_id, actor=actor, actor_role=role,
                 event_type="kitos.queued", object_id=sync.pk,
                 before=None, after={"case_id": case.pk, "system_id": system.pk,
                                     "lifecycle": sync.lifecycle})
    return sync


def kitos_connection_test(*, actor: User, organisation_id: int) -> kitos.ConnectionCheck:
    """"Test forbindelsen": the municipality's KITOS tried step by step with its saved
    configuration (Administration -> Indstillinger). Reads nothing but KITOS; writes nothing.
    Who may: as who may change the settings (anskaf.orgs.tenancy.may_configure)."""
    from anskaf.orgs.errors import NotAllowed
    from anskaf.orgs.tenancy import may_configure

    if not may_configure(actor, organisation_id):
        raise NotAllowed("Kun kommunens administratorer kan teste KITOS-forbindelsen.")
    return kitos.check_connection(organisation_id)
