"""Issue 19 items 6, 7 and 10: every contract and DPA field kept current (version check,
audit before/after) in the UI and the API, a DPA's completed oversight recorded, and every
life-cycle change of a system sent to KITOS."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.cases.errors import Conflict, ValidationFailed
from anskaf.notifications import jobs
from anskaf.notifications.models import Notification
from anskaf.portfolio import forms, kitos_sync, selectors, services
from anskaf.portfolio.models import (
    Contract,
    DataProcessingAgreement,
    DpaOversight,
    KitosSync,
    System,
)

TODAY = timezone.localdate()


def _api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")


def _patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def buyer(org):
    return testing.make_user(org, "indkob", "procurement")


@pytest.fixture
def isk(org):
    return testing.make_user(org, "isk", "security")


@pytest.fixture
def system(org, unit):
    return System.objects.create(organisation=org, name="Omsorgssystem", owner_unit=unit,
                                 supplier="Leverandør A/S")


@pytest.fixture
def contract(system):
    return Contract.objects.create(organisation_id=system.organisation_id, system=system,
                                   number="K-1", start_date=dt.date(2025, 1, 1),
                                   duration_months=24, option_count=2, option_months=12,
                                   notice_months=3, notice_to="quarter")


@pytest.fixture
def dpa(system):
    return DataProcessingAgreement.objects.create(
        organisation_id=system.organisation_id, system=system, supplier="Hosting A/S",
        signed_on=TODAY - dt.timedelta(days=360), oversight_interval_months=12)


def _contract_form(contract, **changes):
    data = {"number": contract.number, "supplier": contract.supplier,
            "start_date": contract.start_date.isoformat(),
            "duration_months": contract.duration_months, "option_count": contract.option_count,
            "option_months": contract.option_months, "options_used": contract.options_used,
            "notice_months": contract.notice_months, "notice_to": contract.notice_to,
            "terminated_on": "", "annual_cost": ""}
    return {**data, **changes}


# --- item 6: contracts and DPAs editable -------------------------------------------------------


def test_the_service_edits_a_contract_with_the_version_and_audits_before_and_after(
        contract, buyer):
    services.contract_save(actor=buyer, system_id=contract.system_id, contract_id=contract.pk,
                           version=1, values=forms.contract_values(_contract_form(contract, options_used=1,
                                                          annual_cost="1.893.000,50")))
    contract.refresh_from_db()
    assert contract.options_used == 1 and contract.version == 2
    assert str(contract.annual_cost) == "1893000.50"
    event = AuditEvent.objects.get(event_type="contract.updated")
    assert event.before["options_used"] == 0 and event.after["options_used"] == 1
    with pytest.raises(Conflict, match="ændret af en anden"):
        services.contract_save(actor=buyer, system_id=contract.system_id,
                               contract_id=contract.pk, version=1,
                               values=forms.contract_values(_contract_form(contract, notice_months=6)))
    contract.refresh_from_db()
    assert contract.notice_months == 3


def test_the_page_records_an_option_and_a_stale_edit_keeps_the_typed_values(
        client, contract, buyer):
    client.force_login(buyer)
    url = reverse("portfolio:contract_edit", kwargs={"system_pk": contract.system_id,
                                                      "pk": contract.pk})
    page = client.get(url)
    assert page.status_code == 200 and 'name="version" value="1"' in page.content.decode()
    # Someone else terminates the contract meanwhile.
    services.contract_save(actor=buyer, system_id=contract.system_id, contract_id=contract.pk,
                           version=1, values=forms.contract_values(
                               _contract_form(contract, terminated_on="2027-12-31")))
    stale = client.post(url, {**_contract_form(contract, options_used="1", number="K-1-typed"),
                              "version": "1"})
    html = stale.content.decode()
    assert stale.status_code == 409
    assert "Nogen har gemt en nyere udgave" in html
    assert "31.12.2027" in html  # the newer state is shown (dates the Danish way, ADR 0029)
    assert 'value="K-1-typed"' in html and 'name="version" value="2"' in html  # typed kept
    done = client.post(url, {**_contract_form(contract, options_used="1",
                                              terminated_on="2027-12-31"), "version": "2"})
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.options_used == 1 and contract.terminated_on == dt.date(2027, 12, 31)


def test_the_api_patches_contracts_and_dpas_with_the_version(contract, dpa, buyer, requester):
    api = _api(buyer)
    base = f"/api/v1/systems/{contract.system_id}"
    got = api.get(f"{base}/contracts/{contract.pk}").json()
    assert got["version"] == 1
    missing = _patch(api, f"{base}/contracts/{contract.pk}", {"options_used": 1})
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    ok = _patch(api, f"{base}/contracts/{contract.pk}",
                {"options_used": 1, "notice_months": 6, "annual_cost": 250000,
                 "version": 1})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["options_used"] == 1 and body["notice_months"] == 6 and body["version"] == 2
    assert body["annual_cost"] == 250000.0 and body["number"] == "K-1"  # the rest kept
    stale = _patch(api, f"{base}/contracts/{contract.pk}", {"options_used": 2, "version": 1})
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    bad = _patch(api, f"{base}/contracts/{contract.pk}", {"options_used": 5, "version": 2})
    assert bad.status_code == 409 and "options_used" in bad.json()["fields"]
    assert _patch(_api(requester), f"{base}/contracts/{contract.pk}",
                  {"version": 2}).status_code == 403
    number = _patch(api, f"{base}/contracts/{contract.pk}", {"annual_cost": 1.234, "version": 2})
    assert number.json()["annual_cost"] == 1.23  # a JSON number is not read the Danish way
    dpa_ok = _patch(api, f"{base}/dpas/{dpa.pk}", {"third_countries": "USA", "version": 1})
    assert dpa_ok.status_code == 200 and dpa_ok.json()["third_countries"] == "USA"
    assert dpa_ok.json()["supplier"] == "Hosting A/S"
    assert AuditEvent.objects.filter(event_type="dpa.updated").get().before[
        "third_countries"] == ""


def test_the_dpa_page_edits_every_field(client, dpa, buyer):
    client.force_login(buyer)
    url = reverse("portfolio:dpa_edit", kwargs={"system_pk": dpa.system_id, "pk": dpa.pk})
    response = client.post(url, {"supplier": "Hosting ApS", "signed_on": "2025-01-01",
                                 "sub_processors": "Sky A/S", "third_countries": "",
                                 "oversight_method": "isae3402_2",
                                 "oversight_interval_months": "24", "last_oversight_on": "",
                                 "version": "1"})
    assert response.status_code == 302
    dpa.refresh_from_db()
    assert (dpa.supplier, dpa.oversight_interval_months, dpa.version) == ("Hosting ApS", 24, 2)


# --- item 7: a DPA's completed oversight -------------------------------------------------------


def test_a_dpa_without_a_recorded_oversight_is_reminded_of_the_date_its_page_shows(
        settings, dpa, isk):
    settings.ANSKAF_CONTRACT_REMINDER_DAYS = (90, 30, 7)
    due = selectors.dpa_view(dpa).next_oversight
    assert due == dpa.signed_on.replace(year=dpa.signed_on.year + 1)
    assert jobs.dpa_reminders() == 1  # the old job skipped it: no last oversight
    assert Notification.objects.get().recipient == isk


def test_recording_an_oversight_moves_the_next_date_and_stops_the_reminder(
        settings, client, dpa, isk):
    settings.ANSKAF_CONTRACT_REMINDER_DAYS = (90, 30, 7)
    assert jobs.dpa_reminders() == 1
    client.force_login(isk)
    url = reverse("portfolio:dpa_oversight", kwargs={"system_pk": dpa.system_id, "pk": dpa.pk})
    assert client.get(url).status_code == 200
    future = client.post(url, {"done_on": (TODAY + dt.timedelta(days=3)).isoformat(),
                               "method": "isae3000", "result": "satisfactory"})
    assert future.status_code == 400 and "fremtiden" in future.content.decode()
    none = client.post(url, {"done_on": TODAY.isoformat(), "method": "none",
                             "result": "satisfactory"})
    assert none.status_code == 400
    response = client.post(url, {"done_on": TODAY.isoformat(), "method": "isae3000",
                                 "result": "remarks", "notes": "Mangler logning",
                                 "document_ref": "ESDH 24/1234"})
    assert response.status_code == 302
    dpa.refresh_from_db()
    assert dpa.last_oversight_on == TODAY and dpa.version == 2
    assert selectors.dpa_view(dpa).next_oversight == TODAY.replace(year=TODAY.year + 1)
    assert DpaOversight.objects.get().document_ref == "ESDH 24/1234"
    event = AuditEvent.objects.get(event_type="dpa.oversight_recorded")
    assert event.before["last_oversight_on"] is None and event.after["result"] == "remarks"
    later = timezone.now() + dt.timedelta(days=20)
    assert jobs.dpa_reminders(now=later) == 0


def test_the_api_records_an_oversight_with_the_method_enum(dpa, isk, requester):
    api = _api(isk)
    url = f"/api/v1/systems/{dpa.system_id}/dpas/{dpa.pk}/oversights"
    bad = _post(api, url, {"done_on": TODAY.isoformat(), "method": "telepathy",
                           "result": "satisfactory"})
    assert bad.status_code == 400 and "method" in bad.json()["fields"]
    assert _post(_api(requester), url, {"done_on": TODAY.isoformat()}).status_code == 403
    stale = _post(api, url, {"done_on": TODAY.isoformat(), "method": "own",
                             "result": "satisfactory", "version": 7})
    assert stale.status_code == 409
    ok = _post(api, url, {"done_on": TODAY.isoformat(), "method": "own",
                          "result": "satisfactory"})
    assert ok.status_code == 201, ok.content
    assert ok.json()["last_oversight_on"] == TODAY.isoformat()
    assert [o["method"] for o in api.get(url).json()["items"]] == ["own"]
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    def body(path, method):
        return paths[path][method]["requestBody"]["content"]["application/json"]["schema"]

    oversight = body("/api/v1/systems/{system_id}/dpas/{dpa_id}/oversights", "post")
    assert oversight["properties"]["method"]["enum"] == [
        "isae3000", "isae3402_2", "own", "physical"]
    assert "remarks" in oversight["properties"]["result"]["enum"]
    dpa_body = body("/api/v1/systems/{system_id}/dpas/{dpa_id}", "patch")
    assert "none" in dpa_body["properties"]["oversight_method"]["enum"]


def test_an_oversight_cannot_be_recorded_for_another_municipalitys_dpa(dpa, outsider):
    from anskaf.cases.errors import NotFound

    with pytest.raises((NotFound, ValidationFailed, services.PermissionDenied)):
        services.dpa_oversight_record(actor=outsider, dpa_id=dpa.pk, values=forms.oversight_values(
            {"done_on": TODAY.isoformat(), "method": "own", "result": "satisfactory"}))
    assert not DpaOversight.objects.exists()


# --- item 10: every life-cycle change goes to KITOS --------------------------------------------


@pytest.fixture
def registered(org, unit, kitos):
    kitos.add_system("Omsorg")
    system = System.objects.create(organisation=org, name="Omsorg", owner_unit=unit,
                                   lifecycle="Operational")
    sync = KitosSync.objects.create(organisation=org, system=system, lifecycle="Operational")
    kitos_sync.attempt(sync.pk)
    system.refresh_from_db()
    assert kitos.lifecycle_of(str(system.kitos_uuid)) == "Operational"
    return system


def _system_form(system, **changes):
    data = {"name": system.name, "supplier": system.supplier, "purpose": "", "notes": "",
            "owner_unit": system.owner_unit_id or "", "system_owner": "", "hosting": "web",
            "personal_data": "False", "lifecycle": system.lifecycle, "kitos_system_uuid": "",
            "predecessor": "", "version": str(system.version)}
    return {**data, **changes}


def test_a_life_cycle_changed_on_the_systems_page_is_sent_to_kitos(
        client, registered, it_person, kitos, django_capture_on_commit_callbacks):
    client.force_login(it_person)
    url = reverse("portfolio:system_edit", kwargs={"system_pk": registered.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _system_form(registered, lifecycle="PhasingOut"))
    assert response.status_code == 302
    assert kitos.lifecycle_of(str(registered.kitos_uuid)) == "PhasingOut"
    assert KitosSync.objects.filter(system=registered, status="pending").count() == 0


def test_a_life_cycle_changed_through_the_api_is_sent_to_kitos(
        registered, it_person, kitos, django_capture_on_commit_callbacks, run_due):
    api = _api(it_person)
    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(api, f"/api/v1/systems/{registered.pk}",
                          {"lifecycle": "NotInUse", "version": registered.version})
    assert response.status_code == 200, response.content
    assert response.json()["lifecycle"] == "NotInUse"
    assert kitos.lifecycle_of(str(registered.kitos_uuid)) == "NotInUse"
    stale = _patch(api, f"/api/v1/systems/{registered.pk}",
                   {"lifecycle": "Operational", "version": registered.version})
    assert stale.status_code == 409


def test_kitos_down_keeps_the_change_pending_for_the_worker(
        registered, it_person, kitos, django_capture_on_commit_callbacks, run_due):
    kitos.fault = 500
    with django_capture_on_commit_callbacks(execute=True):
        services.system_save(actor=it_person, system_id=registered.pk,
                             values=forms.system_values(
                                 _system_form(registered, lifecycle="PhasingOut"),
                                 organisation_id=it_person.organisation_id))
    assert KitosSync.objects.get(system=registered, status="pending").lifecycle == "PhasingOut"
    kitos.fault = None
    run_due()
    assert kitos.lifecycle_of(str(registered.kitos_uuid)) == "PhasingOut"


def test_the_api_records_the_notice_decision(contract, buyer, requester):
    url = f"/api/v1/systems/{contract.system_id}/contracts/{contract.pk}/notice-decided"
    assert _post(_api(requester), url, {}).status_code == 403
    response = _post(_api(buyer), url, {})
    assert response.status_code == 200, response.content
    contract.refresh_from_db()
    assert contract.notice_decision_for.isoformat() == response.json()["notice_by"]
    assert selectors.notice_decided(contract)


def test_a_contract_from_an_early_year_keeps_its_date_when_another_field_changes(contract,
                                                                                  buyer):
    """Found by the fuzzing suite: year 355 showed as "13.02.355", which the date field could
    not read back, so any later edit of the contract was refused."""
    Contract.objects.filter(pk=contract.pk).update(start_date=dt.date(355, 2, 13))
    response = _patch(_api(buyer), f"/api/v1/systems/{contract.system_id}/contracts/"
                                    f"{contract.pk}", {"supplier": "Ny A/S", "version": 1})
    assert response.status_code == 200, response.content
    contract.refresh_from_db()
    assert contract.start_date == dt.date(355, 2, 13) and contract.supplier == "Ny A/S"
