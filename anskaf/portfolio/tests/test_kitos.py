"""The KITOS adapter against a local KITOS-shaped server: registration, faults, the retry."""

from datetime import UTC, datetime

import pytest

from anskaf import testing
from anskaf.portfolio import kitos as kitos_api
from anskaf.portfolio import kitos_sync, services
from anskaf.portfolio.models import KitosSync, System


def test_register_creates_the_usage_and_stores_its_uuid(coordinator, kitos, run_due):
    catalogue = kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    sync = kitos_sync.attempt(sync.pk)  # what the worker does after the request's transaction
    assert sync.status == "done" and sync.attempts == 1
    system = System.objects.get(pk=sync.system_id)
    assert str(system.kitos_system_uuid) == catalogue
    assert kitos.lifecycle_of(str(system.kitos_uuid)) == "PhasingIn"
    usage = kitos.usages[str(system.kitos_uuid)]
    assert usage["organizationContext"]["uuid"] == kitos.organisation_uuid
    # Later life-cycle changes are pushed to the same usage.
    testing.advance(coordinator, case, through=20)
    pending = KitosSync.objects.get(system=system, status="pending")
    assert pending.lifecycle == "Operational"
    run_due()
    assert kitos.lifecycle_of(str(system.kitos_uuid)) == "Operational"
    assert len(kitos.usages) == 1


@pytest.mark.parametrize("fault", [401, 409, 500])
def test_each_fault_keeps_it_pending_until_the_retry(coordinator, kitos, fault, run_due):
    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    kitos.fault = fault
    sync = kitos_sync.attempt(sync.pk)
    assert sync.status == "pending" and sync.attempts == 1
    assert f"HTTP {fault}" in sync.last_error
    assert System.objects.get(pk=sync.system_id).kitos_uuid is None
    kitos.fault = None
    assert run_due() == 1
    sync.refresh_from_db()
    assert sync.status == "done" and sync.attempts == 2 and sync.last_error == ""


def test_an_expired_token_is_renewed_once(coordinator, kitos):
    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    kitos.faults_once = [401]  # the first API call is refused, as with an expired token
    assert kitos_sync.attempt(sync.pk).status == "done"
    assert sum(1 for r in kitos.requests if r[1] == "/api/authorize/GetToken") == 2


def test_409_adopts_the_existing_usage(coordinator, kitos):
    catalogue = kitos.add_system("Nyt Økonomi")
    client = kitos_client(kitos)
    existing = client.create_usage(catalogue, {"validity": {"lifeCycleStatus": "Undecided"}})
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator, case_id=case.pk).pk)
    assert sync.status == "done"
    assert str(System.objects.get(pk=sync.system_id).kitos_uuid) == existing["uuid"]
    assert kitos.lifecycle_of(existing["uuid"]) == "PhasingIn"


def test_unconfigured_and_unreachable_stay_pending(coordinator, settings, kitos, run_due):
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    settings.KITOS_URL = ""
    sync = kitos_sync.attempt(sync.pk)
    assert sync.status == "pending" and "ikke sat op" in sync.last_error
    settings.KITOS_URL = kitos.url
    kitos.delay = 1.5  # longer than KITOS_TIMEOUT
    sync = kitos_sync.attempt(sync.pk)
    assert sync.status == "pending" and "ikke i tide" in sync.last_error
    kitos.delay = 0
    sync = kitos_sync.attempt(sync.pk)  # not in the catalogue: a clear error, still pending
    assert sync.status == "pending" and "systemkatalog" in sync.last_error
    kitos.add_system("Nyt Økonomi")
    run_due()
    sync.refresh_from_db()
    assert sync.status == "done" and sync.attempts == 4


def test_wrong_credentials(coordinator, settings, kitos):
    settings.KITOS_PASSWORD = "forkert"
    client = kitos_api.connect(coordinator.organisation_id)
    with pytest.raises(kitos_api.KitosError, match="afviste login"):
        client.it_systems("x")


def test_contracts_endpoints(kitos):
    client = kitos_client(kitos)
    created = client.create_contract("Kontrakt K-1", [])
    assert [c["uuid"] for c in client.contracts()] == [created["uuid"]]


def test_one_pending_registration_per_system(coordinator, org, kitos):
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    first = services.kitos_register(actor=coordinator, case_id=case.pk)
    second = services.kitos_register(actor=coordinator, case_id=case.pk)
    assert first.pk == second.pk


def kitos_client(fake):
    """A client for the fake server (as `config` builds it from the `kitos` fixture's settings)."""
    return kitos_api.KitosClient(kitos_api.KitosConfig(
        url=fake.url.rstrip("/") + "/", email=fake.email, password=fake.password,
        organisation_uuid=fake.organisation_uuid, timeout=1))


def test_a_change_during_the_call_is_sent_next(coordinator, kitos, run_due):
    catalogue = kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    usage = kitos_client(kitos).create_usage(catalogue,
                                             {"validity": {"lifeCycleStatus": "PhasingIn"}})
    # While KITOS answered for PhasingIn, the case moved the system on to Operational.
    KitosSync.objects.filter(pk=sync.pk).update(lifecycle="Operational")
    sync = kitos_sync._record_attempt(sync.pk, kitos_api.UsageResult(usage["uuid"], catalogue), "",
                                    datetime(2026, 1, 1, tzinfo=UTC), "PhasingIn")
    assert sync.status == "pending"
    assert str(System.objects.get(pk=sync.system_id).kitos_uuid) == usage["uuid"]
    assert sync.next_attempt_at == datetime(2026, 1, 1, tzinfo=UTC)  # due at once, no backoff
    run_due()
    assert kitos.lifecycle_of(usage["uuid"]) == "Operational"
    assert KitosSync.objects.get(pk=sync.pk).status == "done"


def test_the_catalogue_is_searched_by_name_contains_and_the_exact_name_is_taken(coordinator,
                                                                               kitos):
    kitos.add_system("Nyt Økonomi Plus")
    catalogue = kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator, case_id=case.pk).pk)
    assert sync.status == "done"
    assert str(System.objects.get(pk=sync.system_id).kitos_system_uuid) == catalogue
    (_, _, _, query), = kitos.sent("GET", "/api/v2/it-systems")
    assert query == {"nameContains": "Nyt Økonomi", "pageSize": "100"}
    (_, _, body, _), = kitos.sent("POST", "/api/v2/it-system-usages")
    assert body == {"systemUuid": catalogue, "organizationUuid": kitos.organisation_uuid,
                    "general": {"localCallName": "Nyt Økonomi",
                                "validity": {"lifeCycleStatus": "PhasingIn"}}}
    (_, _, token_body, _), = kitos.sent("POST", "/api/authorize/GetToken")
    assert token_body == {"email": kitos.email, "password": kitos.password}
