"""The periodic jobs, as plain functions of `now` so tests can drive them with a fixed clock.
The huey tasks in tasks.py only call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anskaf.cases.models import Case, StepState
from anskaf.cases.process_models import model_for
from anskaf.orgs.models import Membership, User
from anskaf.portfolio.models import Contract, DataProcessingAgreement, OversightMethod, System
from anskaf.portfolio.notice import binding_notice_date
from anskaf.portfolio.selectors import (
    ThresholdWatch,
    next_oversight_of,
    notice_deadline,
    notice_decided,
    terms_of,
    threshold_watch,
)
from anskaf.process.engine import CLOSED, FINISHED

from . import recipients
from .choices import Kind
from .grouping import digest_text
from .models import Notification, ReminderSent, StepDeadline
from .services import Notice, absolute, case_path, notify, outbox_add

# --- deadlines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    key: str  # assignee, coordinator, management
    starts_after_days: int  # days past the due date before this level is told

# A suspended municipality's reminders and digests wait until it is resumed (ADR 0030).
ACTIVE = {"organisation__suspended_at__isnull": True}


def levels() -> tuple[Level, ...]:
    """Who is reminded, from how many days past the due date: the step's people from the first
    day, then the coordinator, then management (ANSKAF_DEADLINE_ESCALATE_* settings)."""
    return (
        Level("assignee", 1),
        Level("coordinator", settings.ANSKAF_DEADLINE_ESCALATE_COORDINATOR_DAYS),
        Level("management", settings.ANSKAF_DEADLINE_ESCALATE_MANAGEMENT_DAYS),
    )


def reminder_key(deadline: StepDeadline, level: str, slot: int) -> str:
    """One key per deadline, due date, level and repeat slot: the same moment never fires twice
    (moving the due date starts a new schedule)."""
    return f"deadline:{deadline.pk}:{deadline.due_date.isoformat()}:{level}:{slot}"


def _recipients(level: str, case: Case, step_number: int, assignee_id: int | None) -> list[User]:
    if level == "assignee":
        people = recipients.step_performers(case, model_for(case).step(step_number), assignee_id)
    elif level == "coordinator":
        people = list(User.objects.filter(pk=case.coordinator_id, is_active=True))
    else:
        people = recipients.role_holders(case, ["management"])
    return recipients.with_deputies(people)


def _notice(level: str, case: Case, step_number: int, deadline: StepDeadline, days: int) -> Notice:
    step_title = model_for(case).step(step_number).title.da
    late = f"{days} dag{'e' if days != 1 else ''}"
    lead = {"assignee": "Påmindelse", "coordinator": "Eskalering til koordinator",
            "management": "Eskalering til ledelsen"}[level]
    return Notice(
        kind=Kind.DEADLINE, organisation_id=case.organisation_id, case=case, step=step_number,
        subject=f"{case.number}: trin {step_number} er {late} over fristen",
        body=(f"{lead}: Trin {step_number}. {step_title} i sagen {case.number} »{case.title}« "
              f"skulle være færdigt {deadline.due_date.strftime('%d.%m.%Y')} og er {late} "
              "over fristen."),
        path=case_path(case, step_number))


def deadline_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind and escalate for every overdue, unfinished step. Returns the reminders fired."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    repeat = max(settings.ANSKAF_REMINDER_REPEAT_DAYS, 1)
    fired = 0
    overdue = (StepDeadline.objects.filter(due_date__lt=today, **ACTIVE)
               .exclude(case__status__in=[s.value for s in CLOSED]).select_related("case"))
    for deadline in overdue:
        state = StepState.objects.filter(case_id=deadline.case_id, number=deadline.step).first()
        if state is None or state.status in {s.value for s in FINISHED}:
            continue
        days = (today - deadline.due_date).days
        for level in levels():
            if days < level.starts_after_days:
                continue
            slot = (days - level.starts_after_days) // repeat
            fired += _fire(deadline, level.key, slot, state.assignee_id, days, now)
    return fired


def _fire(deadline: StepDeadline, level: str, slot: int, assignee_id: int | None, days: int,
          now: dt.datetime) -> int:
    case = deadline.case
    return _fire_once(reminder_key(deadline, level, slot), level, now,
                      lambda: (_recipients(level, case, deadline.step, assignee_id),
                               _notice(level, case, deadline.step, deadline, days)),
                      deadline=deadline)


def _fire_once(key: str, level: str, now: dt.datetime,
               what: Callable[[], tuple[list[User], Notice]],
               deadline: StepDeadline | None = None) -> int:
    """Record the moment and send its notices in one transaction; a recorded moment is skipped."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key, deadline=deadline, level=level, sent_at=now)
            people, notice = what()
            notify(people, notice, now=now)
    except IntegrityError:
        return 0  # fired before (by this or another scheduler run)
    return 1


# --- contract notice dates and DPA oversight (ADR 0008, "Contracts and DPAs") -----------------


def schedule_slot(due: dt.date, today: dt.date) -> str | None:
    """The reminder moment `today` falls in for a date: the nearest lead time it is within
    ("lead90", "lead30", "lead7"), then after the date "after0", "after1"... one per
    ANSKAF_REMINDER_REPEAT_DAYS. None while the date is further off than every lead time.
    A run that missed a lead time sends the current one only, not the ones it missed."""
    days_left = (due - today).days
    if days_left >= 0:
        within = [d for d in settings.ANSKAF_CONTRACT_REMINDER_DAYS if days_left <= d]
        return f"lead{min(within)}" if within else None
    repeat = max(settings.ANSKAF_REMINDER_REPEAT_DAYS, 1)
    return f"after{(-days_left - 1) // repeat}"


def _when(due: dt.date, today: dt.date) -> str:
    days_left = (due - today).days
    if days_left > 0:
        return f"om {days_left} dag{'e' if days_left != 1 else ''} ({due.strftime('%d.%m.%Y')})"
    if days_left == 0:
        return f"i dag ({due.strftime('%d.%m.%Y')})"
    return f"{due.strftime('%d.%m.%Y')}, for {-days_left} dag{'e' if days_left != -1 else ''} siden"


def _system_path(system: System) -> str:
    return reverse("portfolio:system_detail", kwargs={"system_pk": system.pk})


def _contract_holders(contract: Contract) -> list[User]:
    """Contracts have no holder field: the system owner and procurement hold them (ADR 0008)."""
    system = contract.system
    owner = list(User.objects.filter(pk=system.system_owner_id, is_active=True))
    procurement = recipients.unit_role_holders(contract.organisation_id, system.owner_unit_id,
                                               ["procurement"])
    return recipients.with_deputies(recipients.unique([*owner, *procurement]))


def _contract_notice(contract: Contract, due: dt.date, today: dt.date) -> Notice:
    system = contract.system
    return Notice(
        kind=Kind.DEADLINE, organisation_id=contract.organisation_id,
        subject=f"{system.name}: opsigelsesfrist for kontrakt {contract.number} {_when(due, today)}",
        body=(f"Kontrakt {contract.number} på systemet »{system.name}« skal opsiges senest "
              f"{due.strftime('%d.%m.%Y')}, hvis den ikke skal fortsætte. Tag stilling, og "
              "markér beslutningen som truffet på systemets side."),
        path=_system_path(system))


def contract_moment(contract: Contract, today: dt.date) -> tuple[dt.date, str] | None:
    """The notice date a reminder sent `today` names (the page's: `notice_deadline`) and the
    key of its moment; None when no reminder is due. Until the binding period's notice date
    the lead times count towards it; after it the contract runs on and the page's date moves
    with today, so the reminder repeats every ANSKAF_REMINDER_REPEAT_DAYS (keyed on the
    binding period's date) until the decision is marked."""
    due = notice_deadline(contract, today)
    first = binding_notice_date(terms_of(contract))
    if due is None or first is None or notice_decided(contract):
        return None
    if today <= first:
        slot = schedule_slot(due, today)
        return (due, f"contract:{contract.pk}:{due.isoformat()}:{slot}") if slot else None
    repeat = max(settings.ANSKAF_REMINDER_REPEAT_DAYS, 1)
    slot = f"after{((today - first).days - 1) // repeat}"
    return due, f"contract:{contract.pk}:{first.isoformat()}:{slot}"


def contract_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the contract's holders of its notice date until the decision is marked taken."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    fired = 0
    live = Contract.objects.filter(terminated_on__isnull=True, **ACTIVE).select_related("system")
    for contract in live.iterator(chunk_size=2000):  # all municipalities' contracts: stream them
        moment = contract_moment(contract, today)
        if moment is None:
            continue
        due, key = moment
        fired += _fire_once(key, "contract", now,
                            lambda c=contract, d=due: (_contract_holders(c),
                                                       _contract_notice(c, d, today)))
    return fired


def _dpa_notice(dpa: DataProcessingAgreement, due: dt.date, today: dt.date) -> Notice:
    system = dpa.system
    return Notice(
        kind=Kind.DEADLINE, organisation_id=dpa.organisation_id,
        subject=f"{system.name}: tilsyn med databehandler {dpa.supplier} {_when(due, today)}",
        body=(f"Næste tilsyn med databehandleren {dpa.supplier} for systemet »{system.name}« er "
              f"{due.strftime('%d.%m.%Y')}. Registrér tilsynet i databehandleraftalen, når det "
              "er gennemført."),
        path=_system_path(system))


def dpa_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the security role of each DPA's next oversight (the date its page shows: from the
    last oversight, or from the signing when none is recorded) until a recorded oversight
    moves it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    fired = 0
    agreements = (DataProcessingAgreement.objects.exclude(oversight_method=OversightMethod.NONE)
                  .filter(Q(last_oversight_on__isnull=False) | Q(signed_on__isnull=False))
                  .filter(**ACTIVE).select_related("system"))
    for dpa in agreements.iterator(chunk_size=2000):
        due = next_oversight_of(dpa)
        slot = schedule_slot(due, today) if due is not None else None
        if slot is None:
            continue
        fired += _fire_once(
            f"dpa:{dpa.pk}:{due.isoformat()}:{slot}", "dpa", now,
            lambda a=dpa, d=due: (recipients.with_deputies(recipients.unit_role_holders(
                a.organisation_id, a.system.owner_unit_id, ["security"])),
                _dpa_notice(a, d, today)))
    return fired


# --- tender thresholds (issue 19 item 9) ------------------------------------------------------

THRESHOLD_SOURCES = (
    "Kilder: Kommissionens delegerede forordning (EU) 2025/2152 (tærskelværdierne for 2026-27), "
    "beløbene i kroner i Kommissionens meddelelse C/2025/7081 af 23. oktober 2025 og på "
    "Konkurrence- og Forbrugerstyrelsens sider (kfst.dk).")


def _threshold_notice(watch: ThresholdWatch, today: dt.date, organisation_id: int) -> Notice:
    last = watch.last
    if watch.state == "missing":
        what = "Der er ingen udbudsgrænse (EU-tærskelværdi) i anskaf"
        then = "Sagernes kontraktværdi kan ikke tjekkes mod udbudsgrænsen, før den er indtastet."
    elif watch.state == "expired":
        what = f"Udbudsgrænsen udløb {last.valid_to.strftime('%d.%m.%Y')}"
        then = ("Sagerne tjekkes indtil videre mod de sidst kendte værdier, der vises som "
                "»udløbet«.")
    else:
        what = f"Udbudsgrænsen udløber {_when(last.valid_to, today)}"
        then = "Indtast den nye periode, før den gamle udløber."
    return Notice(
        kind=Kind.DEADLINE, organisation_id=organisation_id,
        subject=f"{what}: indtast de nye tærskelværdier",
        body=f"{what}. {then} Indtast den nye periodes beløb med kilde under Administration » "
             f"Udbudsgrænser. {THRESHOLD_SOURCES}",
        path=reverse("portfolio:threshold_admin"))


def threshold_reminders(*, now: dt.datetime | None = None) -> int:
    """Tell whoever keeps the thresholds (each municipality's administrators, until operators
    do) to enter new ones: once WARN_DAYS before the last period runs out, then every
    ANSKAF_REMINDER_REPEAT_DAYS while none is in force."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    watch = threshold_watch(today)
    if watch.state == "ok":
        return 0
    anchor = watch.last.valid_to.isoformat() if watch.last else "none"
    slot = "lead"
    if watch.state != "ending":
        start = watch.last.valid_to if watch.last else dt.date(2000, 1, 1)
        days = max((today - start).days - 1, 0)
        slot = f"after{days // max(settings.ANSKAF_REMINDER_REPEAT_DAYS, 1)}"
    fired = 0
    for org_id in Membership.objects.filter(role="admin", unit__isnull=True, **ACTIVE).values_list(
            "organisation_id", flat=True).distinct():
        fired += _fire_once(
            f"threshold:{org_id}:{anchor}:{watch.state}:{slot}", "threshold", now,
            lambda o=org_id: (recipients.unit_role_holders(o, None, ["admin"]),
                              _threshold_notice(watch, today, o)))
    return fired


# --- the daily digest -------------------------------------------------------------------------


def send_digests(*, now: dt.datetime | None = None) -> int:
    """One e-mail per person with the notices they chose to get as a daily digest."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = (Notification.objects.filter(digest_pending=True).values_list("recipient_id", flat=True)
              .distinct())
    made = 0
    for person in (User.objects.filter(pk__in=list(people), is_active=True, **ACTIVE)
                   .exclude(email="")):
        try:
            with transaction.atomic():
                items = list(Notification.objects.select_for_update()
                             .filter(recipient=person, digest_pending=True)
                             .prefetch_related("case").order_by("-created_at", "-id"))
                if not items:
                    continue
                body = digest_text(items, absolute)  # per case, deduplicated, with why
                outbox_add(organisation_id=items[0].organisation_id, to_email=person.email,
                           recipient=person, now=now,
                           # One digest per person per day: the Message-ID is its unique key.
                           message_id=f"<anskaf.digest.{person.pk}.{today.isoformat()}"
                                      f"@{settings.ANSKAF_MAIL_DOMAIN}>",
                           subject=f"[anskaf] {_count_notices(len(items))}",
                           body=f"Hej {person.display_name()}\n\nDit daglige overblik fra anskaf:"
                                f"\n\n{body}\n")
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                    digest_pending=False)
                made += 1
        except IntegrityError:
            continue  # today's digest went already; the rest waits for tomorrow's
    return made


def _count_notices(n: int) -> str:
    """Danish plural: 1 ny notifikation, 2 nye notifikationer."""
    return "1 ny notifikation" if n == 1 else f"{n} nye notifikationer"
