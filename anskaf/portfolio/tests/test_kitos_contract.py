"""Step 12's "Registrér i KITOS" also sends the case's contract (issue 6), against the local
KITOS-shaped server: the payload KITOS receives, idempotence, faults and the retry."""

from datetime import UTC, datetime

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.portfolio import forms, kitos_sync, services
from anskaf.portfolio.models import Contract, KitosSync, System

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def registration(coordinator, it_person, kitos):
    """A case whose acquired system ("Nyt Økonomi", in KITOS's catalogue) has a contract, and
    a queued KITOS registration not yet attempted (as right after the request's commit)."""
    catalogue = kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = services.kitos_register(actor=coordinator, case_id=case.pk)
    contract = services.contract_save(
        actor=it_person, system_id=sync.system_id, values=forms.contract_values({
        "number": "K-2026-7", "start_date": "2026-02-01", "duration_months": "50",
        "option_count": "2", "option_months": "12", "options_used": "1",
        "notice_months": "3", "notice_to": "month"}))
    return {"case": case, "sync": sync, "contract": contract, "catalogue": catalogue}


def usage_uuid(sync):
    return str(System.objects.get(pk=sync.system_id).kitos_uuid)


def test_it_creates_the_contract_linked_to_the_usage_in_kitos_shape(registration, kitos):
    sync = kitos_sync.attempt(registration["sync"].pk)
    assert sync.status == "done" and sync.last_error == ""
    contract = Contract.objects.get(pk=registration["contract"].pk)
    assert contract.kitos_uuid is not None
    (_, _, body, _), = kitos.sent("POST", "/api/v2/it-contracts")
    assert body == {
        "organizationUuid": kitos.organisation_uuid,
        "name": "Nyt Økonomi – K-2026-7",
        "systemUsageUuids": [usage_uuid(sync)],
        "general": {"contractId": "K-2026-7",
                    "validity": {"validFrom": "2026-02-01T00:00:00Z"}},
        "agreementPeriod": {"durationYears": 4, "durationMonths": 2,
                            "extensionOptionsUsed": 1},
        "termination": {"terminatedAt": None},
    }
    stored = kitos.contracts[str(contract.kitos_uuid)]
    assert stored["usages"] == [usage_uuid(sync)]
    # Audited in the attempt's transaction, on the registration, naming the contract.
    event = AuditEvent.objects.filter(event_type="kitos.registered").latest("id")
    assert event.after["contract_id"] == contract.pk
    assert event.after["contract_kitos_uuid"] == str(contract.kitos_uuid)


def test_a_second_registration_updates_the_contract_instead_of_duplicating_it(
        registration, coordinator, it_person, kitos):
    kitos_sync.attempt(registration["sync"].pk)
    contract = Contract.objects.get(pk=registration["contract"].pk)
    first_uuid = str(contract.kitos_uuid)
    # Someone in KITOS also put another usage on the contract; anskaf must keep it.
    other = kitos.add_system("Andet system")
    other_usage = services.kitos.connect(registration["sync"].organisation_id).create_usage(
        other, {"validity": {"lifeCycleStatus": "Operational"}})["uuid"]
    kitos.contracts[first_uuid]["usages"].append(other_usage)
    services.contract_save(actor=it_person, system_id=contract.system_id,
                           contract_id=contract.pk, values=forms.contract_values({
                               "number": "K-2026-7", "start_date": "2026-02-01",
                               "duration_months": "12", "option_count": "2",
                               "option_months": "12", "options_used": "2",
                               "notice_months": "3", "notice_to": "month"}))
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator,
                                                    case_id=registration["case"].pk).pk)
    assert sync.status == "done"
    assert len(kitos.contracts) == 1 and len(kitos.sent("POST", "/api/v2/it-contracts")) == 1
    assert str(Contract.objects.get(pk=contract.pk).kitos_uuid) == first_uuid
    (_, path, body, _), = kitos.sent("PATCH", "/api/v2/it-contracts")
    assert path == f"/api/v2/it-contracts/{first_uuid}"
    assert body["systemUsageUuids"] == [usage_uuid(sync), other_usage]
    assert body["agreementPeriod"] == {"durationYears": 1, "durationMonths": None,
                                       "extensionOptionsUsed": 2}
    assert kitos.contracts[first_uuid]["agreementPeriod"]["extensionOptionsUsed"] == 2


def test_a_401_on_the_contract_renews_the_token_once_and_the_contract_is_sent(registration,
                                                                            kitos):
    # KITOS refuses the contract call as if the token had expired: one new token (one client,
    # so one token, per attempt), the same call again, and the contract is in.
    kitos.fail_once("POST", "/api/v2/it-contracts", 401)
    sync = kitos_sync.attempt(registration["sync"].pk)
    assert sync.status == "done"
    assert len(kitos.sent("POST", "/api/authorize/GetToken")) == 2
    assert len(kitos.sent("POST", "/api/v2/it-contracts")) == 2 and len(kitos.contracts) == 1
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is not None


def test_409_on_create_adopts_the_organisations_contract_of_that_name(registration, kitos):
    client = services.kitos.connect(registration["sync"].organisation_id)
    existing = client.create_contract("Nyt Økonomi – K-2026-7", [])
    sync = kitos_sync.attempt(registration["sync"].pk)
    assert sync.status == "done"
    assert str(Contract.objects.get(pk=registration["contract"].pk).kitos_uuid) == (
        existing["uuid"])
    assert len(kitos.contracts) == 1
    assert kitos.contracts[existing["uuid"]]["usages"] == [usage_uuid(sync)]
    (_, _, _, query), = [r for r in kitos.sent("GET", "/api/v2/it-contracts")
                         if r[1] == "/api/v2/it-contracts"]
    assert query == {"organizationUuid": kitos.organisation_uuid, "pageSize": "100",
                     "nameEquals": "Nyt Økonomi – K-2026-7"}


def test_a_failing_contract_keeps_the_usage_and_the_retry_does_not_create_it_again(
        registration, kitos, run_due):
    # The usage is taken, then KITOS answers 500 to the contract.
    kitos.fail_once("POST", "/api/v2/it-contracts", 500)
    sync = kitos_sync.attempt(registration["sync"].pk)
    assert sync.status == "pending" and sync.attempts == 1
    assert "Kontrakten" in sync.last_error and "HTTP 500" in sync.last_error
    assert System.objects.get(pk=sync.system_id).kitos_uuid is not None  # nothing lost
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is None
    failed = AuditEvent.objects.filter(event_type="kitos.failed").latest("id")
    assert failed.after["contract_kitos_uuid"] == ""
    run_due()
    sync.refresh_from_db()
    assert sync.status == "done" and sync.attempts == 2
    assert len(kitos.usages) == 1 and len(kitos.contracts) == 1
    assert len(kitos.sent("POST", "/api/v2/it-system-usages")) == 1
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is not None


@pytest.mark.parametrize("fault", [401, 409, 500])
def test_each_fault_keeps_usage_and_contract_pending_until_the_retry(registration, kitos,
                                                                     fault, run_due):
    kitos.fault = fault
    sync = kitos_sync.attempt(registration["sync"].pk)
    assert sync.status == "pending" and f"HTTP {fault}" in sync.last_error
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is None
    kitos.fault = None
    assert run_due() == 1
    assert KitosSync.objects.get(pk=sync.pk).status == "done"
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is not None
    assert len(kitos.contracts) == 1


def test_unconfigured_keeps_the_contract_pending(registration, settings, kitos, run_due):
    settings.KITOS_URL = ""
    sync = kitos_sync.attempt(registration["sync"].pk)
    assert sync.status == "pending" and "ikke sat op" in sync.last_error
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is None
    settings.KITOS_URL = kitos.url
    run_due()
    assert KitosSync.objects.get(pk=sync.pk).status == "done"
    assert Contract.objects.get(pk=registration["contract"].pk).kitos_uuid is not None


def test_the_replaced_systems_contract_is_not_sent(coordinator, it_person, old_system, kitos):
    kitos.add_system("Gammelt ESDH")
    services.contract_save(actor=it_person, system_id=old_system.pk, values=forms.contract_values({
        "number": "OLD-1", "start_date": "2020-01-01", "duration_months": "48",
        "option_count": "0", "option_months": "0", "options_used": "0",
        "notice_months": "3", "notice_to": "none"}))
    case = testing.new_case(coordinator, candidate_system="Nyt")
    services.case_link(actor=coordinator, case_id=case.pk, kind="replaced",
                       system_id=old_system.pk)
    sync = KitosSync.objects.create(organisation=old_system.organisation, system=old_system,
                                    case=case, lifecycle="PhasingOut")
    assert kitos_sync.attempt(sync.pk).status == "done"
    assert kitos.contracts == {}


def test_step_12_and_the_system_page_show_the_contracts_kitos_state(registration, client,
                                                                    coordinator, kitos):
    client.force_login(coordinator)
    case = registration["case"]
    page = testing.page_with_parts(client, f"/sager/{case.pk}/", opened=True)
    assert "Kontrakt K-2026-7 i KITOS:</strong> afventer registrering." in page
    kitos_sync.attempt(registration["sync"].pk)
    contract = Contract.objects.get(pk=registration["contract"].pk)
    page = testing.page_with_parts(client, f"/sager/{case.pk}/", opened=True)
    assert f"Kontrakt K-2026-7 i KITOS:</strong> registreret (UUID {contract.kitos_uuid})" in page
    page = client.get(f"/systemer/{contract.system_id}/").content.decode()
    assert f"Registreret (UUID {contract.kitos_uuid})" in page


def test_editing_a_registered_contract_sends_the_change_to_kitos(
        registration, it_person, kitos, django_capture_on_commit_callbacks):
    kitos_sync.attempt(registration["sync"].pk)
    contract = Contract.objects.get(pk=registration["contract"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_save(actor=it_person, system_id=contract.system_id,
                               contract_id=contract.pk, values=forms.contract_values({
                                   "number": "K-2026-7", "start_date": "2026-02-01",
                                   "duration_months": "50", "option_count": "2",
                                   "option_months": "12", "options_used": "1",
                                   "notice_months": "3", "notice_to": "month",
                                   "terminated_on": "2027-01-31"}))
    (_, path, body, _), = kitos.sent("PATCH", "/api/v2/it-contracts")
    assert path.endswith(str(contract.kitos_uuid))
    assert body["termination"] == {"terminatedAt": "2027-01-31T00:00:00Z"}
    assert not KitosSync.objects.filter(system_id=contract.system_id, status="pending").exists()



def test_a_contract_added_after_the_registration_is_sent_too(
        coordinator, it_person, kitos, django_capture_on_commit_callbacks):
    kitos.add_system("Nyt Økonomi")
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi")
    sync = kitos_sync.attempt(services.kitos_register(actor=coordinator, case_id=case.pk).pk)
    assert sync.status == "done" and kitos.sent("POST", "/api/v2/it-contracts") == []
    with django_capture_on_commit_callbacks(execute=True):
        contract = services.contract_save(
            actor=it_person, system_id=sync.system_id, values=forms.contract_values({
            "number": "K-9", "start_date": "2026-02-01", "duration_months": "24",
            "option_count": "0", "option_months": "0", "options_used": "0",
            "notice_months": "3", "notice_to": "month"}))
    (_, _, body, _), = kitos.sent("POST", "/api/v2/it-contracts")
    assert body["name"] == "Nyt Økonomi – K-9"
    assert body["systemUsageUuids"] == [usage_uuid(sync)]
    assert Contract.objects.get(pk=contract.pk).kitos_uuid is not None


def test_a_contract_of_a_system_not_in_kitos_queues_nothing(coordinator, it_person, kitos):
    case = testing.new_case(coordinator, candidate_system="Lokalt system")
    system = services.ensure_acquired(case, coordinator, "coordinator", None)
    services.contract_save(actor=it_person, system_id=system.pk, values=forms.contract_values({
        "number": "K-10", "start_date": "2026-02-01", "duration_months": "24",
        "option_count": "0", "option_months": "0", "options_used": "0",
        "notice_months": "3", "notice_to": "month"}))
    assert not KitosSync.objects.filter(system=system).exists()
    assert kitos.sent("POST", "/api/v2/it-contracts") == []
