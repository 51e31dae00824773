"""/metrics: the token rules, the counters (requests, audit events, KITOS failures) and the state
read at scrape time (queue, outbox, worker), in Prometheus' text format."""

from __future__ import annotations

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from anskaf import testing
from anskaf.notifications import services as notification_services
from anskaf.notifications.models import OutboxMessage
from anskaf.portfolio import kitos_sync
from anskaf.portfolio.models import KitosSync, System

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-metrics-token"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
                                    "Bearer"])
def test_a_missing_or_wrong_token_is_401(client, metrics_on, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "anskaf_" not in response.content.decode()


def test_requests_are_counted_by_view_method_and_status_and_timed(client, metrics_on):
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/findes-ikke/").status_code == 404
    after = scrape(client)
    ok = {"view": "healthz", "method": "GET", "status": "200"}
    assert value(after, "anskaf_http_requests_total", **ok) - value(
        before, "anskaf_http_requests_total", **ok) == 2
    missing = {"view": "unmatched", "method": "GET", "status": "404"}
    assert value(after, "anskaf_http_requests_total", **missing) - value(
        before, "anskaf_http_requests_total", **missing) == 1
    # The latency histogram: two more observations for the view, in the +Inf bucket too.
    count = "anskaf_http_request_duration_seconds_count"
    assert value(after, count, view="healthz") - value(before, count, view="healthz") == 2
    bucket = "anskaf_http_request_duration_seconds_bucket"
    assert value(after, bucket, view="healthz", le="+Inf") - value(
        before, bucket, view="healthz", le="+Inf") == 2


def test_audit_events_are_counted_when_their_transaction_commits(
        client, metrics_on, org, django_capture_on_commit_callbacks):
    admin = testing.make_user(org, "admin", "admin")
    message = notification_services.outbox_add(organisation_id=org.pk, to_email="x@haderslev.dk",
                                               subject="Prøve", body="Hej")
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        notification_services.outbox_retry(actor=admin, message_id=message.pk)
    after = scrape(client)
    name = "anskaf_audit_events_written_total"
    assert value(after, name, event_type="outbox.retried") - value(
        before, name, event_type="outbox.retried") == 1


def test_the_state_is_read_at_scrape_time(client, metrics_on, org):
    now = timezone.now()
    for status in ("failed", "failed", "pending", "sent"):
        msg = notification_services.outbox_add(organisation_id=org.pk, to_email="x@haderslev.dk",
                                               subject=status, body="Hej")
        OutboxMessage.objects.filter(pk=msg.pk).update(status=status)
    notification_services.heartbeat_record()
    samples = scrape(client)
    assert value(samples, "anskaf_outbox_messages", status="failed") == 2
    assert value(samples, "anskaf_outbox_messages", status="pending") == 1
    assert ("anskaf_queue_length", ()) in samples
    beat = value(samples, "anskaf_worker_last_heartbeat_timestamp_seconds")
    assert abs(beat - now.timestamp()) < 60
    assert value(samples, "anskaf_kitos_pending_registrations") == 0
    assert value(samples, "anskaf_metrics_read_errors", part="queue") == 0


def test_a_failed_kitos_registration_is_counted(client, metrics_on, org, settings,
                                                django_capture_on_commit_callbacks):
    settings.KITOS_URL = "http://127.0.0.1:9/"  # nothing listens: the attempt fails
    system = System.objects.create(organisation=org, name="Booking")
    sync = KitosSync.objects.create(organisation=org, system=system, lifecycle="operating")
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        kitos_sync.attempt(sync.pk)
    after = scrape(client)
    assert value(after, "anskaf_kitos_failures_total") - value(
        before, "anskaf_kitos_failures_total") == 1
    assert value(after, "anskaf_kitos_pending_registrations") == 1
