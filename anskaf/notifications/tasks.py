"""The periodic huey tasks: thin wrappers around delivery.py and jobs.py. (The task the services
enqueue for each message, deliver_message, is in queue.py.)

Periodic tasks are scheduled only by a consumer started with the scheduler on (`anskaf worker`,
the default); extra workers run `anskaf worker --no-periodic`. The jobs are idempotent as well
(locked, and keyed so nothing fires twice), so a second scheduler by mistake does no harm.
"""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import audit_alerts, delivery, jobs, services


def _at(**when: str) -> crontab:
    """The job's time, or every minute with ANSKAF_JOBS_EVERY_MINUTE (trials, deployment test)."""
    return crontab(minute="*") if settings.ANSKAF_JOBS_EVERY_MINUTE else crontab(**when)


@db_periodic_task(crontab(minute="*"), name="anskaf.heartbeat")
def heartbeat() -> None:
    """The worker's heartbeat (/readyz): whichever worker runs it proves the queue moves."""
    services.heartbeat_record()


@db_periodic_task(crontab(minute="*"), name="anskaf.sweep_outbox")
@lock_task("anskaf.sweep_outbox")
def sweep_outbox() -> int:
    return delivery.sweep_outbox()


@db_periodic_task(_at(minute="7"), name="anskaf.deadline_reminders")
@lock_task("anskaf.deadline_reminders")
def deadline_reminders() -> int:
    return jobs.deadline_reminders()


@db_periodic_task(_at(minute="17"), name="anskaf.contract_reminders")
@lock_task("anskaf.contract_reminders")
def contract_reminders() -> int:
    return jobs.contract_reminders()


@db_periodic_task(_at(minute="27"), name="anskaf.dpa_reminders")
@lock_task("anskaf.dpa_reminders")
def dpa_reminders() -> int:
    return jobs.dpa_reminders()


@db_periodic_task(_at(minute="0", hour=str(settings.ANSKAF_DIGEST_HOUR)),
                  name="anskaf.send_digests")
@lock_task("anskaf.send_digests")
def send_digests() -> int:
    return jobs.send_digests()


@db_periodic_task(crontab(minute=f"*/{settings.ANSKAF_ANCHOR_MINUTES}"), name="anskaf.audit_anchor")
@lock_task("anskaf.audit_anchor")
def audit_anchor() -> int:
    """Anchor the chain heads (ADR 0023); a refusal or failure alerts."""
    return audit_alerts.alert(audit_alerts.anchor_run(), what="forankring")


@db_periodic_task(crontab(minute="37"), name="anskaf.audit_verify")
@lock_task("anskaf.audit_verify")
def audit_verify() -> int:
    """Verify every chain against every anchor, hourly (a full walk: heavier than anchoring)."""
    return audit_alerts.alert(audit_alerts.verify_run(), what="verifikation")


@db_periodic_task(crontab(minute="37", hour="6"), name="anskaf.threshold_reminders")
@lock_task("anskaf.threshold_reminders")
def threshold_reminders() -> int:
    return jobs.threshold_reminders()
