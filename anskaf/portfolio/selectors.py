"""Reads of the portfolio, each a fixed number of queries whatever the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from anskaf.cases import permissions
from anskaf.cases.models import Case
from anskaf.orgs.models import User

from . import notice
from .models import (
    CaseSystem,
    Contract,
    DataProcessingAgreement,
    KitosSync,
    Lifecycle,
    LinkKind,
    OversightMethod,
    SyncStatus,
    System,
    TenderThreshold,
    ThresholdConfirmation,
)

# --- systems ----------------------------------------------------------------------------------


def systems(viewer: User) -> QuerySet[System]:
    return System.objects.filter(organisation_id=viewer.municipality_id)


def system_list(viewer: User, filters: dict[str, Any]) -> QuerySet[System]:
    qs = systems(viewer).select_related("owner_unit")
    if filters.get("lifecycle"):
        qs = qs.filter(lifecycle=filters["lifecycle"])
    if filters.get("unit"):
        qs = qs.filter(owner_unit_id=filters["unit"])
    if filters.get("supplier"):
        qs = qs.filter(supplier__icontains=filters["supplier"])
    if filters.get("personal_data") in ("ja", "nej"):
        qs = qs.filter(personal_data=filters["personal_data"] == "ja")
    return qs


# The columns the system list shows (name, supplier, lifecycle, unit, personal data, KITOS).
LIST_COLUMNS = ("id", "name", "supplier", "lifecycle", "personal_data", "kitos_uuid",
                "owner_unit", "owner_unit__name")


def system_list_rows(viewer: User, filters: dict[str, Any]) -> QuerySet[System]:
    """The system list page's rows: only the columns it shows (paged by the view)."""
    return system_list(viewer, filters).only(*LIST_COLUMNS)


# What the API's system record shows (a list row too): all but the search text and the times,
# with the owning unit's name and the archive assessor's username joined (no query per row).
RECORD_COLUMNS = ("id", "name", "supplier", "purpose", "notes", "owner_unit", "owner_unit__name",
                  "system_owner", "hosting", "personal_data", "case_records", "archive_decision",
                  "archive_plan", "archive_assessed_by", "archive_assessed_by__username",
                  "archive_assessed_at", "lifecycle", "kitos_uuid", "kitos_system_uuid",
                  "predecessor", "version")


def system_records(viewer: User, filters: dict[str, Any]) -> QuerySet[System]:
    """The API list's rows: the columns a record shows (paged by the caller)."""
    return (system_list(viewer, filters).select_related("archive_assessed_by")
            .only(*RECORD_COLUMNS))


def search(viewer: User, text: str, limit: int = 20) -> list[System]:
    """Systems whose name, supplier, purpose or notes match: on PostgreSQL full-text search
    with Danish stemming (»økonomisystemer« finds »økonomisystem«), plus a casefolded contains
    on every database so that parts of words are found too."""
    text = (text or "").strip()
    if not text:
        return []
    # The rows carry their unit and archive assessor (the API shows both; no query per row).
    qs = systems(viewer).select_related("owner_unit", "archive_assessed_by")
    contains = Q(search_text__contains=text.casefold())
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (SearchVector("name", weight="A", config="danish")
                  + SearchVector("purpose", "notes", "supplier", weight="B", config="danish"))
        query = SearchQuery(text, config="danish", search_type="websearch")
        return list(qs.annotate(rank=SearchRank(vector, query))
                    .filter(Q(rank__gt=0) | contains).order_by("-rank", "name")[:limit])
    return list(qs.filter(contains).order_by("name")[:limit])


@dataclass
class ContractView:
    contract: Contract
    dates: notice.Dates

    @property
    def decided(self) -> bool:
        """The notice decision for the binding period's notice date is recorded."""
        return notice_decided(self.contract)


@dataclass
class DpaView:
    dpa: DataProcessingAgreement
    next_oversight: date | None


def contract_views(contracts: list[Contract], today: date) -> list[ContractView]:
    return [ContractView(c, notice.compute(terms_of(c), today)) for c in contracts]


def contract_register(viewer: User, today: date, limit: int = 5000) -> list[ContractView]:
    """The municipality's contracts with their dates (the export): one query, bounded."""
    rows = (Contract.objects.filter(organisation_id=viewer.municipality_id)
            .select_related("system").order_by("system__name", "start_date", "id")[:limit])
    return contract_views(list(rows), today)


def contracts_newest_first(system_id: Any) -> QuerySet[Contract]:
    """A system's contracts, newest first: the first is the one a case's contract step sends to
    KITOS and shows."""
    return Contract.objects.filter(system_id=system_id).order_by("-start_date", "-id")


def notice_deadline(c: Contract, today: date) -> date | None:
    """The contract's notice date as everyone shows it (`notice.notice_date`); None once
    terminated."""
    return notice.notice_date(terms_of(c), today)


def notice_decided(c: Contract) -> bool:
    """A notice decision is recorded for the current binding period: taken for a date on or
    after the binding period's notice date (a used option or a longer term moves that date
    past the decision, and the reminders start again)."""
    first = notice.binding_notice_date(terms_of(c))
    return (first is not None and c.notice_decision_for is not None
            and c.notice_decision_for >= first)


def terms_of(c: Contract) -> notice.Terms:
    return notice.Terms(start=c.start_date, duration_months=c.duration_months,
                        option_count=c.option_count, option_months=c.option_months,
                        options_used=c.options_used, notice_months=c.notice_months,
                        notice_to=c.notice_to, terminated_on=c.terminated_on)


def dpa_view(dpa: DataProcessingAgreement) -> DpaView:
    return DpaView(dpa, next_oversight_of(dpa))


def next_oversight_of(dpa: DataProcessingAgreement) -> date | None:
    """The DPA's next oversight as its page shows it and its reminders count towards; none
    when no oversight is agreed."""
    if dpa.oversight_method == OversightMethod.NONE:
        return None
    return notice.next_oversight(dpa.last_oversight_on, dpa.oversight_interval_months,
                                 dpa.signed_on)


@dataclass
class SystemDetail:
    system: System
    successors: list[System]
    cases: list[tuple[Case, str]]
    contracts: list[ContractView]
    dpas: list[DpaView]
    syncs: list[KitosSync]


def system_detail(viewer: User, system_id: int, today: date) -> SystemDetail | None:
    system = (systems(viewer).select_related("owner_unit", "system_owner", "predecessor")
              .filter(pk=system_id).first())
    if system is None:
        return None
    links = (CaseSystem.objects.filter(system=system)
             .filter(case__in=Case.objects.filter(permissions.visible_filter(viewer)))
             .select_related("case").order_by("-case__created_at"))
    return SystemDetail(
        system=system,
        successors=list(System.objects.filter(predecessor=system)),
        cases=[(link.case, link.get_kind_display()) for link in links],
        contracts=contract_views(list(system.contracts.all()), today),
        dpas=[dpa_view(d) for d in system.dpas.all()],
        syncs=list(system.kitos_syncs.order_by("-created_at")[:10]),
    )


# --- tender threshold -------------------------------------------------------------------------


def threshold_in_force(day: date) -> TenderThreshold | None:
    return (TenderThreshold.objects.filter(valid_from__lte=day, valid_to__gte=day,
                                           kind="goods_services").order_by("-valid_from").first())


def _last_known(day: date) -> QuerySet[TenderThreshold]:
    """The period in force on `day`, else the last one that began before it (expired)."""
    return (TenderThreshold.objects.filter(valid_from__lte=day, kind="goods_services")
            .order_by("-valid_from"))


def threshold_for_check(day: date) -> TenderThreshold | None:
    """What the check compares with: the period in force, or when none is (issue 19 item 9)
    the last known one, still checked against but shown as »udløbet« (`is_expired`)."""
    return _last_known(day).first()


def is_expired(threshold: TenderThreshold | None, day: date) -> bool:
    return threshold is not None and threshold.valid_to < day


ABOVE, BELOW, NO_VALUE, OUTDATED = "above", "below", "no_value", "outdated"


@dataclass(frozen=True)
class ThresholdStatus:
    kind: str  # above / below / no_value / outdated (no threshold at all)
    threshold: TenderThreshold | None
    value: Decimal | None
    expired: bool = False  # checked against the last known values: shown as »udløbet«


def threshold_rule(value: Decimal | None, threshold: TenderThreshold | None) -> str:
    """At or above the threshold: the EU rules apply (a warning and procurement's task);
    below: national rules may still apply; no threshold known at all: enter one."""
    if threshold is None:
        return OUTDATED
    if value is None:
        return NO_VALUE
    return ABOVE if value >= threshold.amount else BELOW


def threshold_status(case: Case, today: date) -> ThresholdStatus:
    threshold = threshold_for_check(today)
    return ThresholdStatus(threshold_rule(case.estimated_contract_value, threshold), threshold,
                           case.estimated_contract_value, is_expired(threshold, today))


@dataclass(frozen=True)
class ThresholdWatch:
    """What the threshold keeper must do: nothing, enter new values before the last period
    runs out (`ending`, from 60 days before), or now (`expired` / `missing`)."""

    state: str  # ok / ending / expired / missing
    last: TenderThreshold | None


WARN_DAYS = 60


def threshold_watch(today: date) -> ThresholdWatch:
    last = TenderThreshold.objects.filter(kind="goods_services").order_by("-valid_to").first()
    if last is None:
        return ThresholdWatch("missing", None)
    if last.valid_to < today:
        return ThresholdWatch("expired", last)
    if (last.valid_to - today).days <= WARN_DAYS:
        return ThresholdWatch("ending", last)
    return ThresholdWatch("ok", last)


def cases_to_confirm(viewer: User, today: date) -> tuple[TenderThreshold | None, list[Any]]:
    """Procurement's tasks: visible cases at or above the threshold checked against (the one
    in force, else the last known), with any confirmation already given (one query for the
    cases, one for the threshold)."""
    threshold = threshold_for_check(today)
    if threshold is None:
        return None, []
    cases = list(Case.objects.filter(permissions.visible_filter(viewer),
                                     estimated_contract_value__gte=threshold.amount)
                 .order_by("-updated_at"))
    confirmed = {c.case_id: c for c in ThresholdConfirmation.objects.filter(
        case__in=[c.pk for c in cases]).select_related("confirmed_by")}
    return threshold, [(c, confirmed.get(c.pk)) for c in cases]


# --- on the case page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmed:
    at: Any
    by: str


@dataclass(frozen=True)
class Pending:
    system: System
    lifecycle_label: str
    attempts: int
    last_error: str
    retrying: bool = True  # False: the worker has given up; a person or the operator resumes


@dataclass
class CasePortfolio:
    acquired: System | None = None
    replaced: System | None = None
    threshold: ThresholdStatus | None = None
    confirmation: Confirmed | None = None
    dpa_signed_on: date | None = None  # the acquired system's latest signed DPA
    pending: list[Pending] = field(default_factory=list)
    # The acquired system's newest contract (the one step 12 sends to KITOS): its number and
    # KITOS UUID; empty number when the system has no contract.
    contract_number: str = ""
    contract_kitos_uuid: Any = None


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def case_portfolio(case: Case, today: date) -> CasePortfolio:
    """Everything the case page shows of the portfolio, set-wise and without correlated
    subqueries (issue 23): the threshold to check against (one row of a small table), the
    case's system links, and only when it has systems their latest signed DPA, pending KITOS
    registration and newest contract (one query each, for all its systems). Procurement's
    confirmation is read only where it is shown (at or above the threshold). A case with no
    system: two queries."""
    threshold = threshold_for_check(today)
    out = CasePortfolio()
    out.threshold = ThresholdStatus(threshold_rule(case.estimated_contract_value, threshold),
                                    threshold, case.estimated_contract_value,
                                    is_expired(threshold, today))
    if out.threshold.kind == "above":
        out.confirmation = _confirmation(case)
    links = list(CaseSystem.objects.filter(case=case).select_related("system"))
    if not links:
        return out
    ids = {link.system_id for link in links}
    signed = _first_per_system(DataProcessingAgreement.objects.filter(
        system_id__in=ids, signed_on__isnull=False).order_by("system_id", "-signed_on")
        .values("system_id", "signed_on"))
    pending = _first_per_system(KitosSync.objects.filter(
        system_id__in=ids, status=SyncStatus.PENDING).order_by("system_id", "pk")
        .values("system_id", "attempts", "last_error", "lifecycle",
                "next_attempt_at"))
    newest = _first_per_system(Contract.objects.filter(system_id__in=ids)
                               .order_by("system_id", "-start_date", "-id")
                               .values("system_id", "number", "kitos_uuid"))
    for link in links:
        if link.kind == LinkKind.ACQUIRED:
            out.acquired = link.system
            out.dpa_signed_on = signed.get(link.system_id, {}).get("signed_on")
            contract = newest.get(link.system_id, {})
            out.contract_number = contract.get("number") or ""
            out.contract_kitos_uuid = contract.get("kitos_uuid")
        else:
            out.replaced = link.system
        if (sync := pending.get(link.system_id)) and sync["lifecycle"]:
            out.pending.append(Pending(link.system, dict(Lifecycle.choices)[sync["lifecycle"]],
                                       sync["attempts"], sync["last_error"] or "",
                                       retrying=sync["next_attempt_at"] is not None))
    return out


def _first_per_system(rows: Any) -> dict[int, dict[str, Any]]:
    """The first row per system of rows ordered by system first (one query for them all)."""
    first: dict[int, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["system_id"], row)
    return first


def _confirmation(case: Case) -> Confirmed | None:
    row = (ThresholdConfirmation.objects.filter(case=case)
           .values("confirmed_at", "confirmed_by__first_name", "confirmed_by__last_name",
                   "confirmed_by__username").first())
    if row is None:
        return None
    return Confirmed(row["confirmed_at"], _name(row["confirmed_by__first_name"],
                                                row["confirmed_by__last_name"],
                                                row["confirmed_by__username"]))


def kitos_pending_count() -> int:
    """Registrations KITOS has not accepted yet, across every organisation (/metrics)."""
    return KitosSync.objects.filter(status=SyncStatus.PENDING).count()
