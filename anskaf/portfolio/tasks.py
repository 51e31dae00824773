"""The worker's KITOS tasks (ADR 0035): thin wrappers around kitos_sync.py.

`kitos_attempt` is what the services hand over when their transaction commits, so a web
request never waits on KITOS; `kitos_due` (every minute, on the worker that schedules the
periodic jobs) hands over every registration whose retry is due. PortfolioConfig.ready imports
this module, so the consumer knows both.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from anskaf.observability import context as request_context

from . import kitos_sync

log = logging.getLogger(__name__)


@db_task(name="anskaf.kitos_attempt")
def kitos_attempt(sync_id: int, lease: datetime, request_id: str | None = None) -> str:
    """One attempt at a registration, under the id of the request that queued it; none when
    it was handed over again since (kitos_sync.take)."""
    with request_context.bound_request_id(request_id):
        if not kitos_sync.take(sync_id, lease):
            return "handed over again"
        return str(kitos_sync.attempt(sync_id).status)


def enqueue_attempt(sync_id: int, lease: datetime) -> None:
    """Hand a registration to the worker. If the queue is down, `kitos_due` hands it over
    once its lease has run out (kitos_sync.LEASE): nothing is lost."""
    try:
        kitos_attempt(sync_id, lease, request_id=request_context.request_id())
    except Exception:  # the queue's own errors (Redis down, ...): the sweep is the safety net
        log.warning("could not enqueue KITOS registration %s; the sweep will", sync_id,
                    exc_info=True)


def enqueue_due(now: datetime | None = None) -> int:
    """Hand every registration whose attempt is due to the worker; how many."""
    claimed = kitos_sync.claim_due(now or timezone.now())
    for sync_id, lease in claimed:
        enqueue_attempt(sync_id, lease)
    return len(claimed)


@db_periodic_task(crontab(minute="*"), name="anskaf.kitos_due")
@lock_task("anskaf.kitos_due")
def kitos_due() -> int:
    return enqueue_due()
