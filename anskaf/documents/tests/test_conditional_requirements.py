"""Step 13's two agreements are each "Hvis relevant": required until declared not relevant with
a reason (the model's `waivable`), in the UI and the API, audited (issue 19, item 4)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.api.tests.conftest import ApiClient, error_of
from anskaf.audit.models import AuditEvent
from anskaf.cases import services as case_services
from anskaf.cases.errors import RequirementMissing, ValidationFailed
from anskaf.cases.models import StepState
from anskaf.documents.testing import upload

DECOMMISSION = 13


@pytest.fixture
def replacing(coordinator):
    case = testing.new_case(coordinator, replaces_system=True, replaced_system_name="Gammelt")
    testing.advance(coordinator, case, through=DECOMMISSION - 1)
    testing.tick_required(coordinator, case, DECOMMISSION)
    upload(coordinator, case, DECOMMISSION, "migration_agreement", "Migrering.pdf")
    return case


def test_an_agreement_declared_not_relevant_no_longer_gates_step_13(coordinator, replacing):
    with pytest.raises(RequirementMissing):  # the old code: always both agreements
        case_services.step_complete(actor=coordinator, case_id=replacing.pk,
                                    number=DECOMMISSION)
    case_services.step_requirement_set(actor=coordinator, case_id=replacing.pk,
                                       number=DECOMMISSION, item="archiving_agreement",
                                       relevant=False, reason="Data slettes efter aftale.")
    case_services.step_complete(actor=coordinator, case_id=replacing.pk, number=DECOMMISSION)
    state = StepState.objects.get(case=replacing, number=DECOMMISSION)
    assert state.status == "done"
    assert state.waived == {"archiving_agreement": "Data slettes efter aftale."}
    event = AuditEvent.objects.get(event_type="step.requirement_waived", case_id=replacing.pk)
    assert event.after["item"] == "archiving_agreement"


def test_a_waiver_needs_a_reason_and_a_waivable_requirement(coordinator, replacing):
    with pytest.raises(ValidationFailed) as info:
        case_services.step_requirement_set(actor=coordinator, case_id=replacing.pk,
                                           number=DECOMMISSION, item="archiving_agreement",
                                           relevant=False, reason="  ")
    assert "begrundelse" in info.value.message
    with pytest.raises(ValidationFailed) as info:
        case_services.step_requirement_set(actor=coordinator, case_id=replacing.pk,
                                           number=DECOMMISSION - 1, item="signed_contract",
                                           relevant=False, reason="Nej")
    assert info.value.errors.keys() == {"item"}


def test_relevant_again_makes_it_bind_again(coordinator, replacing):
    for relevant in (False, True):
        case_services.step_requirement_set(actor=coordinator, case_id=replacing.pk,
                                           number=DECOMMISSION, item="archiving_agreement",
                                           relevant=relevant, reason="Ikke nødvendig")
    with pytest.raises(RequirementMissing):
        case_services.step_complete(actor=coordinator, case_id=replacing.pk,
                                    number=DECOMMISSION)


def test_the_case_page_offers_it_and_keeps_the_reason_on_a_refusal(client, coordinator,
                                                                   replacing):
    client.force_login(coordinator)
    url = f"/sager/{replacing.pk}/trin/{DECOMMISSION}/krav/"
    html = client.get(f"/sager/{replacing.pk}/trin/{DECOMMISSION}/").content.decode()
    assert "Krav der gælder, hvis relevant" in html and url in html
    stale = client.post(url, {"item": "archiving_agreement", "relevant": "0",
                              "reason": "Intet at arkivere", "version": "999"})
    assert stale.status_code == 409
    assert "Intet at arkivere" in stale.content.decode()
    done = client.post(url, {"item": "archiving_agreement", "relevant": "0",
                             "reason": "Intet at arkivere"})
    assert done.status_code == 302
    assert StepState.objects.get(case=replacing, number=DECOMMISSION).waived == {
        "archiving_agreement": "Intet at arkivere"}


def test_the_api_lists_and_sets_it(coordinator, replacing):
    api = ApiClient(coordinator)
    body = api.get(f"/api/v1/cases/{replacing.pk}").json()
    step = next(s for s in body["steps"] if s["number"] == DECOMMISSION)
    assert [r["id"] for r in step["requirements"]] == ["migration_agreement",
                                                       "archiving_agreement"]
    response = api.post(
        f"/api/v1/cases/{replacing.pk}/steps/{DECOMMISSION}/requirements/archiving_agreement",
        {"relevant": False})
    assert response.status_code == 409 and error_of(response) == "invalid_combination"
    response = api.post(
        f"/api/v1/cases/{replacing.pk}/steps/{DECOMMISSION}/requirements/archiving_agreement",
        {"relevant": False, "reason": "Intet at arkivere"})
    assert response.status_code == 200
    step = next(s for s in response.json()["steps"] if s["number"] == DECOMMISSION)
    assert step["requirements"][1] == {"id": "archiving_agreement",
                                       "label": "Aftale om arkivering af data",
                                       "kind": "document", "waived": True,
                                       "reason": "Intet at arkivere"}


def test_a_waived_document_is_no_longer_listed_as_missing(coordinator, replacing):
    api = ApiClient(coordinator)
    url = f"/api/v1/cases/{replacing.pk}/steps/{DECOMMISSION}/documents"
    archiving = next(t for t in api.get(url).json()["items"] if t["key"] == "archiving_agreement")
    assert (archiving["required"], archiving["missing"]) == (True, True)
    case_services.step_requirement_set(actor=coordinator, case_id=replacing.pk,
                                       number=DECOMMISSION, item="archiving_agreement",
                                       relevant=False, reason="Intet at arkivere")
    archiving = next(t for t in api.get(url).json()["items"] if t["key"] == "archiving_agreement")
    assert (archiving["required"], archiving["missing"]) == (False, False)
