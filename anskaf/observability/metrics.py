"""The Prometheus metrics anskaf counts as it works (prometheus-client).

Under gunicorn every worker process counts for itself: with PROMETHEUS_MULTIPROC_DIR set
(`anskaf serve` sets it to $ANSKAF_VAR_DIR/prometheus and clears dead processes' files at
start, gunicorn's settings mark a stopped worker dead), each process writes its counts to files
there and /metrics adds them up (prometheus-client's multiprocess mode). Without it (tests,
`anskaf manage runserver`) the counts live in the process. The variable must be set before
prometheus_client is imported, which is why `anskaf serve` and `anskaf worker` set it first.

What needs the database (queue length, outbox backlog, failed deliveries, the worker's last
heartbeat) is not counted here but read at scrape time (anskaf/web/metrics.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import REGISTRY, Collector

from .multiproc import multiprocess_dir

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter("anskaf_http_requests", "HTTP requests answered, by view, method and status",
                   ["view", "method", "status"])
LATENCY = Histogram("anskaf_http_request_duration_seconds",
                    "Time from the request reaching Django to its answer, by view", ["view"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
AUDIT_EVENTS = Counter("anskaf_audit_events_written",
                       "Audit events written (counted when their transaction commits), by type",
                       ["event_type"])
KITOS_FAILURES = Counter("anskaf_kitos_failures", "Attempts to register a system in KITOS that failed")
MAIL_FAILURES = Counter("anskaf_mail_delivery_failures",
                        "Attempts to hand an e-mail to the mail server that failed, by outcome "
                        "(retry: tried again later; failed: given up)", ["outcome"])


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text /metrics answers: every process's counts (multiprocess mode) or this one's,
    plus the collectors read at scrape time."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


class _ProcessMetrics(Collector):
    """This process's own metrics from the default registry (single-process mode)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
