"""KITOS through the worker (ADR 0035): a request queues and returns while KITOS sleeps; the
worker sends; failures back off a bounded number of times; a suspended municipality waits."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.installation.services import org_resume, org_suspend
from anskaf.portfolio import kitos as kitos_api
from anskaf.portfolio import kitos_sync, services, tasks
from anskaf.portfolio.models import KitosSync, System

SLEEP = 5.0  # seconds KITOS takes per call in the request tests


@pytest.fixture
def queue(monkeypatch):
    """The queue as in production: a task is stored for the worker, not run in the caller (the
    test settings' immediate mode would run it in the request, which is what must not be)."""
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", MemoryStorage(HUEY.name))
    return HUEY


def queued_attempts(queue) -> list:
    return [t for t in queue.pending() if t.name == "anskaf.kitos_attempt"]


def work(queue, monkeypatch) -> None:
    """Be the worker: take every queued KITOS attempt off the queue and run it (in immediate
    mode, so huey leaves the test's database connection open)."""
    found = queued_attempts(queue)
    monkeypatch.setattr(HUEY, "_immediate", True)
    for task in found:
        queue.execute(task)


@pytest.fixture
def registered(org, unit, kitos):
    kitos.add_system("Omsorg")
    system = System.objects.create(organisation=org, name="Omsorg", owner_unit=unit,
                                   lifecycle="Operational")
    kitos_sync.attempt(KitosSync.objects.create(organisation=org, system=system,
                                                lifecycle="Operational").pk)
    system.refresh_from_db()
    assert system.kitos_uuid is not None
    return system


def test_registering_returns_while_kitos_sleeps_and_the_worker_then_sends(
        client, coordinator, kitos, settings, queue, monkeypatch,
        django_capture_on_commit_callbacks):
    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    settings.KITOS_TIMEOUT = 30  # a caller that did call KITOS would wait out every sleep
    kitos.delay = SLEEP
    client.force_login(coordinator)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio:kitos_register", args=[case.pk]))
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert kitos.requests == []  # nothing reached KITOS on the request's thread
    assert elapsed < SLEEP / 2
    sync = KitosSync.objects.get(case=case)
    assert sync.status == "pending" and sync.attempts == 0
    (task,) = queued_attempts(queue)
    assert task.args == (sync.pk, sync.next_attempt_at)  # the registration and its lease
    kitos.delay = 0.1  # the worker waits on KITOS instead; quickly, for the test's sake
    work(queue, monkeypatch)
    sync.refresh_from_db()
    assert sync.status == "done" and sync.attempts == 1
    assert kitos.lifecycle_of(str(System.objects.get(pk=sync.system_id).kitos_uuid)) == "PhasingIn"


def test_a_life_cycle_changed_through_the_api_is_queued_not_sent_in_the_request(
        registered, it_person, kitos, settings, queue, monkeypatch,
        django_capture_on_commit_callbacks):
    settings.KITOS_TIMEOUT = 30
    kitos.delay = SLEEP
    sent_before = len(kitos.requests)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=it_person)}")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"/api/v1/systems/{registered.pk}",
                             data=json.dumps({"lifecycle": "PhasingOut",
                                              "version": registered.version}),
                             content_type="application/json")
    assert response.status_code == 200, response.content
    assert time.monotonic() - started < SLEEP / 2
    assert len(kitos.requests) == sent_before
    assert len(queued_attempts(queue)) == 1
    kitos.delay = 0
    work(queue, monkeypatch)
    assert kitos.lifecycle_of(str(registered.kitos_uuid)) == "PhasingOut"


def test_the_request_id_travels_with_the_task(coordinator, kitos, queue,
                                              django_capture_on_commit_callbacks):
    from anskaf.observability import context

    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    with context.bound_request_id("req-kitos-1"), \
            django_capture_on_commit_callbacks(execute=True):
        services.kitos_register(actor=coordinator, case_id=case.pk)
    (task,) = queued_attempts(queue)
    assert task.kwargs == {"request_id": "req-kitos-1"}


def test_two_changes_in_one_transaction_are_sent_once(coordinator, kitos, queue, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    with django_capture_on_commit_callbacks(execute=True):  # one transaction, two hand-overs
        services.kitos_register(actor=coordinator, case_id=case.pk)
        services.kitos_register(actor=coordinator, case_id=case.pk)
    assert len(queued_attempts(queue)) == 2
    kitos.fault = 500  # so a second attempt would not stop at "done" by itself
    work(queue, monkeypatch)
    assert len(kitos.sent("POST", "/api/authorize/GetToken")) == 1
    assert KitosSync.objects.get(case=case).attempts == 1


def test_failures_back_off_then_give_up_and_the_operator_resumes(
        coordinator, kitos, settings, run_due):
    settings.KITOS_RETRY_ATTEMPTS, settings.KITOS_RETRY_DELAY = 4, 60
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    kitos.fault = 500
    now = timezone.now()
    waits = []
    for _ in range(4):
        sync = kitos_sync.attempt(sync.pk, now=now)
        waits.append(sync.next_attempt_at - now if sync.next_attempt_at else None)
    assert waits == [timedelta(minutes=1), timedelta(minutes=3), timedelta(minutes=9), None]
    assert sync.status == "pending" and sync.attempts == 4 and sync.given_up
    assert "HTTP 500" in sync.last_error  # what the pages show, as before
    assert run_due() == 0  # given up: the sweep leaves it
    kitos.fault = None
    kitos.add_system("Nyt Økonomi")
    call_command("kitos_retry", "--all")  # the tests' queue runs what it hands over at once
    sync.refresh_from_db()
    assert sync.status == "done" and sync.attempts == 5 and sync.next_attempt_at is None


def test_the_wait_grows_to_six_hours_at_most(settings):
    settings.KITOS_RETRY_ATTEMPTS, settings.KITOS_RETRY_DELAY = 1000, 60
    assert kitos_sync.delay_after(1) == timedelta(minutes=1)
    assert kitos_sync.delay_after(7) == timedelta(hours=6)
    assert kitos_sync.delay_after(999) == timedelta(hours=6)
    assert kitos_sync.delay_after(1000) is None


def test_a_new_change_starts_a_fresh_run_of_attempts(coordinator, kitos, settings):
    settings.KITOS_RETRY_ATTEMPTS = 1
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator, case_id=case.pk).pk)
    assert sync.given_up
    again = services.kitos_register(actor=coordinator, case_id=case.pk)
    assert again.pk == sync.pk and not again.given_up and again.failures == 0


def test_the_sweep_hands_a_due_registration_over_once(coordinator, kitos, queue):
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    later = timezone.now() + timedelta(hours=1)  # past the lease the queueing took
    assert tasks.enqueue_due(later) == 1
    assert tasks.enqueue_due(later) == 0  # leased to the attempt on its way
    assert [t.args[0] for t in queued_attempts(queue)] == [sync.pk]
    assert tasks.enqueue_due(later + kitos_sync.LEASE) == 1  # a worker that died: again


def test_a_suspended_municipalitys_registrations_wait_until_it_is_resumed(
        coordinator, org, kitos, run_due):
    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    org_suspend(actor=None, slug=org.slug, reason="Kontrakten er opsagt", via="cli")
    assert kitos_sync.attempt(sync.pk).attempts == 0  # the task itself refuses
    assert run_due() == 0  # and the sweep does not hand it over
    assert kitos.requests == []
    org_resume(actor=None, slug=org.slug, via="cli")
    assert run_due() == 1
    assert KitosSync.objects.get(pk=sync.pk).status == "done"


def test_the_cron_command_only_hands_over_what_is_due(coordinator, kitos, queue, capsys):
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    services.kitos_register(actor=coordinator, case_id=case.pk)  # leased: on its way
    call_command("kitos_retry")
    assert queued_attempts(queue) == [] and kitos.requests == []
    assert "0 lagt i arbejderens kø" in capsys.readouterr().out


def test_a_get_that_kitos_answers_503_is_tried_again_within_the_attempt(coordinator, kitos):
    kitos.add_system("Nyt Økonomi")
    kitos.fail_once("GET", "/api/v2/it-systems", 503)
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator, case_id=case.pk).pk)
    assert sync.status == "done" and sync.attempts == 1
    assert len(kitos.sent("GET", "/api/v2/it-systems")) == 2


def test_a_post_that_kitos_answers_503_is_left_to_the_next_attempt(coordinator, kitos):
    kitos.add_system("Nyt Økonomi")
    kitos.fail_once("POST", "/api/v2/it-system-usages", 503)
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator, case_id=case.pk).pk)
    assert sync.status == "pending" and "HTTP 503" in sync.last_error
    assert len(kitos.sent("POST", "/api/v2/it-system-usages")) == 1


def test_the_configuration_is_the_settings_not_the_environment_at_call_time(
        org, settings, monkeypatch):
    settings.KITOS_URL = ""
    monkeypatch.setenv("KITOS_URL", "https://kitos.example/")
    assert kitos_api.config(org.pk) is None
    settings.KITOS_URL = "https://kitos.example"
    assert kitos_api.config(org.pk).url == "https://kitos.example/"


def test_the_connection_test_answers_at_once_without_transport_retries(org, kitos):
    admin = testing.make_user(org, "kommune-admin", "admin")
    kitos.fail_once("GET", "/api/v2/organizations/", 503)
    check = services.kitos_connection_test(actor=admin, organisation_id=org.pk)
    assert not check.ok and "HTTP 503" in check.message
    assert len(kitos.sent("GET", "/api/v2/organizations/")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_registration_off_its_queue_and_sends_it(
        coordinator, kitos, queue, tmp_path):
    """`anskaf worker` as a subprocess (SQLite queue), configured by the environment as in
    production: it knows the task (PortfolioConfig.ready) and registers the system."""
    from huey import SqliteHuey

    from anskaf.notifications.tests.test_worker import database_env, run_worker

    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)  # commits: queued
    (task,) = queued_attempts(queue)
    name = f"anskaf-test-kitos-{sync.pk}-{int(time.time())}"
    producer = SqliteHuey(name, filename=str(tmp_path / "huey.sqlite3"))
    producer._registry.register(type(task))
    producer.enqueue(task)
    worker = run_worker({"REDIS_URL": "", "ANSKAF_HUEY_FILE": str(tmp_path / "huey.sqlite3"),
                         "ANSKAF_HUEY_NAME": name, **database_env(), "KITOS_URL": kitos.url,
                         "KITOS_EMAIL": kitos.email, "KITOS_PASSWORD": kitos.password,
                         "KITOS_ORGANIZATION_UUID": kitos.organisation_uuid,
                         "KITOS_TIMEOUT": "5"}, tmp_path)
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and worker.poll() is None:
            sync.refresh_from_db()
            if sync.status == "done":
                break
            time.sleep(0.3)
    finally:
        worker.send_signal(2)  # SIGINT: the worker finishes what it runs, then stops
        output = worker.communicate(timeout=30)[0]
    sync.refresh_from_db()
    assert sync.status == "done", output
    assert kitos.lifecycle_of(str(System.objects.get(pk=sync.system_id).kitos_uuid)) == "PhasingIn"
