"""/metrics: the Prometheus text format, for the operator's monitoring (docs/drift.md).

Answers only with `Authorization: Bearer $METRICS_TOKEN`: 404 when METRICS_TOKEN is unset (the
endpoint does not exist), 401 for a missing or wrong token (so a scrape job with the wrong
token shows up as such, not as a moved page); the token is compared in constant time.

Besides the counters every process keeps (anskaf.observability.metrics), the state that lives
in the database and the queue is read at each scrape: queue length, outbox backlog and failed
deliveries, KITOS registrations waiting, the worker's last heartbeat.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from anskaf.notifications import selectors as notification_selectors
from anskaf.observability import metrics
from anskaf.portfolio import selectors as portfolio_selectors

log = logging.getLogger(__name__)


def token_accepted(request: HttpRequest, expected: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404("/metrics is off (METRICS_TOKEN is not set)")
    if not token_accepted(request, expected):
        response = HttpResponse("a valid bearer token is required\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition([StateCollector()]), content_type=metrics.CONTENT_TYPE)


class StateCollector(Collector):
    """Read at each scrape. A part that cannot be read (the queue down) is left out and
    `anskaf_metrics_read_errors` names it, so the rest still arrives."""

    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily("anskaf_metrics_read_errors",
                                   "1 for each part of the state /metrics could not read",
                                   labels=["part"])
        for part, read in (("queue", _queue), ("outbox", _outbox), ("kitos", _kitos),
                           ("worker", _worker)):
            try:
                yield from read()
            except Exception:
                log.warning("/metrics could not read the %s state", part, exc_info=True)
                errors.add_metric([part], 1)
        yield errors


def _queue() -> Iterator[Metric]:
    yield GaugeMetricFamily("anskaf_queue_length", "Tasks waiting in the worker's queue",
                            value=notification_selectors.queue_length())


def _outbox() -> Iterator[Metric]:
    totals = notification_selectors.outbox_totals()
    count = GaugeMetricFamily("anskaf_outbox_messages",
                              "E-mails not sent: pending (the backlog) and failed (given up "
                              "after every attempt; an admin may send them again)",
                              labels=["status"])
    oldest = GaugeMetricFamily("anskaf_outbox_oldest_age_seconds",
                               "Age of the oldest pending or failed e-mail", labels=["status"])
    now = timezone.now()
    for status, row in totals.items():
        count.add_metric([status], row["count"])
        age = (now - row["oldest"]).total_seconds() if row["oldest"] else 0
        oldest.add_metric([status], max(age, 0))
    yield count
    yield oldest


def _kitos() -> Iterator[Metric]:
    yield GaugeMetricFamily("anskaf_kitos_pending_registrations",
                            "Systems whose registration KITOS has not accepted yet",
                            value=portfolio_selectors.kitos_pending_count())


def _worker() -> Iterator[Metric]:
    beat = notification_selectors.last_heartbeat()
    if beat is not None:
        yield GaugeMetricFamily("anskaf_worker_last_heartbeat_timestamp_seconds",
                                "When a worker last ran its heartbeat task (Unix time)",
                                value=beat.beat_at.timestamp())
