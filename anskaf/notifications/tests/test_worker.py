"""`anskaf worker` as a real subprocess: it takes a delivery off the queue (Redis when REDIS_URL
is set, SQLite otherwise) and hands the e-mail to a real SMTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from huey import RedisHuey, SqliteHuey

from anskaf.notifications import queue as notification_queue
from anskaf.notifications.models import OutboxMessage, WorkerHeartbeat

from .smtp import Collector, free_port, start

REDIS_URL = os.environ.get("ANSKAF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db(transaction=True)


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def database_env() -> dict[str, str]:
    """Point the subprocess at this test's database (committed data: transaction=True)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"DATABASE_URL": "", "SQLITE_PATH": str(db["NAME"])}
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {"DATABASE_URL": f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                            f"/{db['NAME']}"}


@pytest.fixture(params=["redis", "sqlite"])
def queue(request, tmp_path):
    name = f"anskaf-test-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        if not redis_answers():
            if os.environ.get("REQUIRE_REDIS") == "1":
                pytest.fail(f"REQUIRE_REDIS=1 but Redis does not answer at {REDIS_URL}")
            pytest.skip(f"Redis does not answer at {REDIS_URL}")
        huey = RedisHuey(name, url=REDIS_URL)
        env = {"REDIS_URL": REDIS_URL}
    else:
        huey = SqliteHuey(name, filename=str(tmp_path / "huey.sqlite3"))
        env = {"REDIS_URL": "", "ANSKAF_HUEY_FILE": str(tmp_path / "huey.sqlite3")}
    # The same task class the worker runs, registered on this producer-side queue.
    huey._registry.register(type(notification_queue.deliver_message.s(0)))
    yield request.param, huey, {**env, "ANSKAF_HUEY_NAME": name}
    if request.param == "redis":
        huey.flush()


def run_worker(env: dict[str, str], tmp_path: Path) -> subprocess.Popen:
    full = {**os.environ, **env, "ANSKAF_TESTING": "1", "ANSKAF_HUEY_IMMEDIATE": "0",
            "ANSKAF_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "anskaf.settings"}
    return subprocess.Popen([sys.executable, "-m", "anskaf.cli", "worker", "--no-periodic"],
                            env=full, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_the_worker_delivers_from_its_queue(queue, org, tmp_path):
    mode, huey, env = queue
    port = free_port()
    collector = Collector()
    controller = start(port, collector)
    message = OutboxMessage.objects.create(
        organisation=org, to_email="it@haderslev.dk", subject=f"Via {mode}", body="Hej",
        message_id=f"<test.{uuid.uuid4().hex}@haderslev.dk>", next_attempt_at=timezone.now(),
        created_at=timezone.now())
    huey.enqueue(notification_queue.deliver_message.s(message.pk))
    worker = run_worker({**env, **database_env(), "EMAIL_HOST": "127.0.0.1",
                         "EMAIL_PORT": str(port)}, tmp_path)
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and worker.poll() is None:
            message.refresh_from_db()
            if message.status == "sent" and WorkerHeartbeat.objects.exists():
                break
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0]
        controller.stop()
    message.refresh_from_db()
    assert message.status == "sent", output
    expected = "Redis" if mode == "redis" else "SQLite"
    assert f"in {expected} (" in output and "periodic jobs off" in output
    assert [m["Message-ID"] for m in collector.messages] == [message.message_id]
    # The worker beats its heart at start (then every minute): /readyz sees it.
    assert WorkerHeartbeat.objects.get(name="worker").pid > 0


def test_the_worker_logs_a_delivery_under_the_request_id_that_enqueued_it(org, tmp_path):
    """The request id travels in the task: the worker's JSON log line for the delivery names the
    request that wrote the message (LOG_FORMAT=json: one JSON object per line)."""
    port = free_port()
    controller = start(port, Collector())
    name = f"anskaf-test-{uuid.uuid4().hex[:8]}"
    huey = SqliteHuey(name, filename=str(tmp_path / "huey.sqlite3"))
    huey._registry.register(type(notification_queue.deliver_message.s(0)))
    message = OutboxMessage.objects.create(
        organisation=org, to_email="it@haderslev.dk", subject="Med id", body="Hej",
        message_id=f"<test.{uuid.uuid4().hex}@haderslev.dk>", next_attempt_at=timezone.now(),
        created_at=timezone.now())
    huey.enqueue(notification_queue.deliver_message.s(message.pk, request_id="req-from-web-1"))
    worker = run_worker({"REDIS_URL": "", "ANSKAF_HUEY_FILE": str(tmp_path / "huey.sqlite3"),
                         "ANSKAF_HUEY_NAME": name, "LOG_FORMAT": "json", **database_env(),
                         "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}, tmp_path)
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and worker.poll() is None:
            message.refresh_from_db()
            if message.status == "sent":
                break
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0]
        controller.stop()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    sent = [line for line in lines if line["logger"] == "anskaf.notifications.delivery"]
    assert sent, output
    assert sent[0]["request_id"] == "req-from-web-1"
    assert f"outbox message {message.pk} sent" in sent[0]["message"]
    assert {"time", "level", "logger", "request_id", "message"} <= set(sent[0])
