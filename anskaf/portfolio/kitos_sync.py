"""Sending the portfolio to KITOS: what the worker does (ADR 0035).

The services queue a registration (`services._queue`: one pending `KitosSync` per system) and
hand it to the worker when their transaction commits; `tasks.py` runs `attempt` there, never
on a web request's thread. A failed attempt is tried again with backoff: its row says when
(`next_attempt_at`), and the worker's periodic `kitos_due` hands every due row to the queue,
so a retry survives a lost task or a restarted queue. Plain functions of `now`, so tests drive
them with a fixed clock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import audit_append
from anskaf.observability.metrics import KITOS_FAILURES

from . import kitos
from .models import CaseSystem, Contract, KitosSync, LinkKind, SyncStatus, System

log = logging.getLogger(__name__)

# How long a registration handed to the worker is not handed over again: longer than one
# attempt can take (a token and a handful of calls, each at most KITOS_TIMEOUT, GETs three
# times), so the periodic sweep does not send what is on its way. A worker that died mid-way
# is covered: after the lease the sweep hands it over again.
LEASE = timedelta(minutes=15)
LONGEST_WAIT = timedelta(hours=6)
SWEEP_BATCH = 200  # per minute; the rest next minute (the oldest due first)


def delay_after(failures: int) -> timedelta | None:
    """The wait after the n-th failed attempt in a row: KITOS_RETRY_DELAY, three times longer
    each time, at most LONGEST_WAIT; None once KITOS_RETRY_ATTEMPTS have failed (given up)."""
    if failures >= settings.KITOS_RETRY_ATTEMPTS:
        return None
    seconds = settings.KITOS_RETRY_DELAY * 3 ** max(failures - 1, 0)  # an int: never overflows
    return timedelta(seconds=min(seconds, LONGEST_WAIT.total_seconds()))


def arm(sync: KitosSync, now: datetime) -> datetime:
    """Something new to send (a change, a person's "Registrér i KITOS"): a fresh run of
    attempts, the first handed to the worker at commit (so leased against the sweep). Returns
    the lease the hand-over carries."""
    sync.failures = 0
    sync.next_attempt_at = lease = now + LEASE
    return lease


def take(sync_id: int, lease: datetime) -> bool:
    """The task's claim on a registration handed over with `lease`: False when it was handed
    over again since (a second change in the same transaction, a newer change, or the sweep
    once the lease ran out). The newest hand-over sends it, so one change is sent once."""
    return bool(KitosSync.objects.filter(
        pk=sync_id, status=SyncStatus.PENDING, next_attempt_at=lease).update(
            next_attempt_at=timezone.now() + LEASE))


def _case_contract(sync: KitosSync) -> Contract | None:
    """The contract sent with the usage: the newest contract of the case's acquired system.
    None when the registration is for another system (the replaced one) or has no case."""
    from .selectors import contracts_newest_first

    if sync.case_id is None or not CaseSystem.objects.filter(
            case_id=sync.case_id, kind=LinkKind.ACQUIRED, system_id=sync.system_id).exists():
        return None
    return contracts_newest_first(sync.system_id).first()


def attempt(sync_id: int, *, now: datetime | None = None) -> KitosSync:
    """Send one pending registration to KITOS: the system's usage, then the case's contract
    linked to it. The HTTP calls run outside any transaction; the outcome (the UUIDs, or the
    error and when to try again) is written in one afterwards. A usage that KITOS took is
    recorded even when the contract fails, so the retry updates it instead of creating it.
    A suspended municipality's registrations wait, untouched, until it is resumed (ADR 0030)."""
    sync = KitosSync.objects.select_related("system", "organisation").get(pk=sync_id)
    if sync.status != SyncStatus.PENDING:
        return sync
    if sync.organisation.suspended_at is not None:
        log.info("KITOS registration %s skipped: the municipality is suspended", sync.pk)
        return sync
    system = sync.system
    contract = _case_contract(sync)
    error = ""
    result = None
    contract_uuid = None
    try:
        client = kitos.connect(sync.organisation_id)
        result = kitos.push_usage(
            name=system.name, lifecycle=sync.lifecycle, client=client,
            usage_uuid=str(system.kitos_uuid) if system.kitos_uuid else None,
            system_uuid=str(system.kitos_system_uuid) if system.kitos_system_uuid else None)
        if contract is not None:
            contract_uuid = kitos.push_contract(
                client=client,
                name=f"{system.name} – {contract.number}", usage_uuid=result.usage_uuid,
                contract_uuid=str(contract.kitos_uuid) if contract.kitos_uuid else None,
                sections=kitos.contract_sections(
                    number=contract.number, start_date=contract.start_date,
                    duration_months=contract.duration_months,
                    options_used=contract.options_used, terminated_on=contract.terminated_on))
    except kitos.KitosError as exc:
        error = str(exc)
        if result is not None:
            error = f"Kontrakten: {error}"
    return _record_attempt(sync.pk, result, error, now or timezone.now(), sync.lifecycle,
                           contract_id=contract.pk if contract else None,
                           contract_uuid=contract_uuid)


def _schedule(sync: KitosSync, error: str, now: datetime, *, done: bool) -> None:
    """When the next attempt comes by itself: none when done; at once when KITOS took it but
    the life cycle moved meanwhile; after the backoff when it failed; none once given up."""
    if done:
        sync.failures, sync.next_attempt_at = 0, None
    elif not error:
        sync.failures, sync.next_attempt_at = 0, now
    else:
        sync.failures += 1
        wait = delay_after(sync.failures)
        sync.next_attempt_at = now + wait if wait is not None else None
        if wait is None:
            log.warning("KITOS registration %s given up after %s failed attempts in a row: %s",
                        sync.pk, sync.failures, error[:200])


@transaction.atomic
def _record_attempt(sync_id: int, result: kitos.UsageResult | None, error: str,
                    now: datetime, pushed: str, *, contract_id: int | None = None,
                    contract_uuid: str | None = None) -> KitosSync:
    sync = KitosSync.objects.select_for_update().select_related("system").get(pk=sync_id)
    if sync.status != SyncStatus.PENDING:  # a concurrent attempt (or the retry) got there first
        return sync
    system = System.objects.select_for_update().get(pk=sync.system_id)
    contract = (Contract.objects.select_for_update().filter(pk=contract_id).first()
                if contract_id is not None else None)
    sync.attempts += 1
    sync.last_attempt_at = now
    sync.last_error = error[:1000]
    before = {"status": sync.status, "kitos_uuid": str(system.kitos_uuid or "")}
    if result is not None:
        # Done when KITOS took everything and the life cycle did not move meanwhile (else
        # the new one is sent next).
        if not error and sync.lifecycle == pushed:
            sync.status, sync.done_at = SyncStatus.DONE, now
        system.kitos_uuid = result.usage_uuid
        system.kitos_system_uuid = result.system_uuid or system.kitos_system_uuid
        system.save(update_fields=["kitos_uuid", "kitos_system_uuid", "updated_at"])
    _schedule(sync, error, now, done=sync.status == SyncStatus.DONE)
    sync.save()
    after = {"case_id": sync.case_id, "status": sync.status, "error": sync.last_error,
             "kitos_uuid": str(system.kitos_uuid or "")}
    if contract is not None:
        before["contract_kitos_uuid"] = str(contract.kitos_uuid or "")
        if contract_uuid and str(contract.kitos_uuid or "") != contract_uuid:
            contract.kitos_uuid = contract_uuid
            contract.save(update_fields=["kitos_uuid"])
        after["contract_id"] = contract.pk
        after["contract_kitos_uuid"] = str(contract.kitos_uuid or "")
    if error:
        transaction.on_commit(KITOS_FAILURES.inc)
    audit_append(organisation_id=sync.organisation_id, actor=None, actor_role=events.SYSTEM,
                 event_type="kitos.registered" if result and not error else "kitos.failed",
                 object_id=sync.pk, before=before, after=after)
    return sync


def _open() -> dict[str, object]:
    """Pending registrations of municipalities that are not suspended (ADR 0030)."""
    return {"status": SyncStatus.PENDING, "organisation__suspended_at__isnull": True}


def claim_due(now: datetime) -> list[tuple[int, datetime]]:
    """The pending registrations whose next attempt is due, each leased to the caller (who
    hands it to the worker with its lease): a row another sweep leased first is left out, so
    two sweeps by mistake never hand one over twice."""
    due = list(KitosSync.objects.filter(**_open(), next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", "next_attempt_at")
               [:SWEEP_BATCH])
    lease = now + LEASE
    claimed = []
    for pk, at in due:  # one conditional update each: whoever changes the row first has it
        if KitosSync.objects.filter(pk=pk, status=SyncStatus.PENDING,
                                    next_attempt_at=at).update(next_attempt_at=lease):
            claimed.append((pk, lease))
    return claimed


def rearm_given_up(now: datetime) -> int:
    """The operator's `kitos_retry --all`: every registration given up on (of a municipality
    not suspended) gets a fresh run of attempts, the first due now."""
    return KitosSync.objects.filter(**_open(), next_attempt_at__isnull=True).update(
        failures=0, next_attempt_at=now)
