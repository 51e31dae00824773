"""/readyz: the database, Redis when configured, the documents' storage and a worker's recent
heartbeat; 503 with the reason otherwise. /healthz stays the cheap liveness check."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from anskaf.notifications import tasks
from anskaf.notifications.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_worker(monkeypatch):
    """As in production: tasks go to a worker, not run in the web process."""
    monkeypatch.setattr(HUEY, "immediate", False)


def test_ready_in_the_tests_immediate_mode(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "worker"}  # no REDIS_URL: no redis
    assert body["checks"]["storage"]["backend"] == "FileSystemStorage"


def test_not_ready_until_a_worker_beats_its_heart_and_again_when_it_stops(client, with_worker):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "worker: no worker has ever beaten its heart" in response.json()["reason"]

    tasks.heartbeat.call_local()  # what the worker runs every minute
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["age_seconds"] <= 1

    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no worker heartbeat for 36" in response.json()["reason"]
    assert client.get("/healthz").status_code == 200  # liveness does not care


def test_not_ready_when_the_documents_storage_is_not_usable(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocker / "documents")}}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"].startswith("storage: ")


def test_redis_is_checked_when_configured(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    def refuse():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "storage", SimpleNamespace(conn=SimpleNamespace(ping=refuse)))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "redis: ConnectionError" in response.json()["reason"]

    monkeypatch.setattr(HUEY, "storage", SimpleNamespace(conn=SimpleNamespace(ping=lambda: True)))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == {"status": "ok"}
