"""PATCH /api/v1/cases/{id} and POST /api/v1/cases/{id}/withdraw."""

from __future__ import annotations

import pytest

from anskaf.cases import services
from anskaf.testing import advance, decider_for, new_case

from .conftest import error_of, step_of

pytestmark = pytest.mark.django_db


# --- PATCH -------------------------------------------------------------------------------------


def test_it_edits_the_cases_fields_and_answers_with_the_case(api, case):
    response = api.patch(f"/cases/{case.pk}", {
        "title": "Nyt ØKONOMI-system", "candidate_system": "Prisme", "supplier_name": "Fellow",
        "records_case_number": "26/1234", "estimated_contract_value": 1250000.5, "version": 1,
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Nyt ØKONOMI-system"
    assert body["candidate_system"] == "Prisme" and body["supplier_name"] == "Fellow"
    assert body["records_case_number"] == "26/1234"
    assert body["estimated_contract_value"] == 1250000.5
    assert body["version"] == 2


def test_an_empty_patch_changes_nothing(api, case):
    response = api.patch(f"/cases/{case.pk}", {})
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_the_contract_value_can_be_cleared_with_null(api, coordinator):
    case = new_case(coordinator, estimated_contract_value=1000)
    body = api.patch(f"/cases/{case.pk}", {"estimated_contract_value": None}).json()
    assert body["estimated_contract_value"] is None


def test_the_unit_can_be_changed(api, case, other_unit):
    body = api.patch(f"/cases/{case.pk}", {"unit": other_unit.pk}).json()
    assert body["unit"]["id"] == other_unit.pk


def test_replaces_system_true_makes_13_and_21_applicable(api, case):
    body = api.patch(f"/cases/{case.pk}", {"replaces_system": True,
                                           "replaced_system_name": "Gammelt"}).json()
    assert body["replaces_system"] is True
    assert step_of(body, 13)["status"] == "not_started"
    assert step_of(body, 21)["status"] == "not_started"


def test_a_whole_number_written_as_a_fraction_is_an_integer(api, case):
    """JSON Schema's integer takes 1.0 (and 1e0): what the document allows is accepted."""
    response = api.patch(f"/cases/{case.pk}", {"title": "Første", "version": 1.0})
    assert response.status_code == 200, response.content
    assert api.patch(f"/cases/{case.pk}", {"title": "Anden", "version": 2e0}).status_code == 200


def test_a_stale_case_version_is_409_conflict(api, case):
    assert api.patch(f"/cases/{case.pk}", {"title": "Første", "version": 1}).status_code == 200
    response = api.patch(f"/cases/{case.pk}", {"title": "Anden", "version": 1})
    assert response.status_code == 409
    assert error_of(response) == "conflict"
    assert api.get(f"/cases/{case.pk}").json()["title"] == "Første"


@pytest.mark.parametrize("body", [
    {"version": "1"}, {"version": 1.5}, {"version": True}, {"title": None}, {"title": ""},
    {"number": "2026-999"}, {"status": "completed"}, {"replaces_system": "ja"},
])
def test_a_bad_field_is_400_validation_error(api, case, body):
    response = api.patch(f"/cases/{case.pk}", body)
    assert response.status_code == 400, response.content
    assert error_of(response) == "validation_error"
    assert set(response.json()["fields"]) == set(body)


def test_an_unknown_case_with_a_malformed_body_is_404_not_400(api, case):
    response = api.patch(f"/cases/{case.pk + 1000}", raw="{oops")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_another_municipalitys_case_cannot_be_edited(outsider_api, case):
    response = outsider_api.patch(f"/cases/{case.pk}", {"title": "Kapret"})
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_a_bad_body_is_400_before_a_stale_version_or_closed_case_is_409(api, coordinator, case):
    services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Stop")
    response = api.patch(f"/cases/{case.pk}", {"title": 7, "version": 99})
    assert response.status_code == 400


def test_a_withdrawn_case_cannot_be_edited(api, coordinator, case):
    services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Stop")
    response = api.patch(f"/cases/{case.pk}", {"title": "Igen"})
    assert response.status_code == 409
    assert error_of(response) == "case_closed"


def test_replaces_system_cannot_change_once_step_18_is_decided_ja(api, coordinator):
    case = advance(coordinator, new_case(coordinator, replaces_system=True), through=18)
    response = api.patch(f"/cases/{case.pk}", {"replaces_system": False})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_replaces_system_cannot_become_false_while_step_13_is_done(api, coordinator):
    case = advance(coordinator, new_case(coordinator, replaces_system=True), through=13)
    assert case.step_states.get(number=13).status == "done"
    response = api.patch(f"/cases/{case.pk}", {"replaces_system": False})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


# --- withdraw ----------------------------------------------------------------------------------


def test_it_withdraws_a_case_with_a_reason(api, case):
    response = api.post(f"/cases/{case.pk}/withdraw", {"reason": "Behovet er dækket andetsteds"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "withdrawn"
    assert body["withdrawn_reason"] == "Behovet er dækket andetsteds"
    assert body["waiting_roles"] == []


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}])
def test_withdrawing_without_a_reason_is_400(api, case, body):
    response = api.post(f"/cases/{case.pk}/withdraw", body)
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    assert "reason" in response.json()["fields"]
    assert "»reason«" in response.json()["message"]


def test_a_withdrawal_cannot_be_repeated_or_undone(api, case):
    api.post(f"/cases/{case.pk}/withdraw", {"reason": "Stop"})
    response = api.post(f"/cases/{case.pk}/withdraw", {"reason": "Igen"})
    assert response.status_code == 409
    assert error_of(response) == "case_closed"


def test_a_withdrawal_with_a_stale_case_version_is_409(api, case):
    api.patch(f"/cases/{case.pk}", {"title": "Ændret"})
    response = api.post(f"/cases/{case.pk}/withdraw", {"reason": "Stop", "version": 1})
    assert response.status_code == 409
    assert error_of(response) == "conflict"


def test_withdrawing_an_unknown_case_is_404(api):
    response = api.post("/cases/4242/withdraw", {"reason": "Stop"})
    assert response.status_code == 404


def test_a_rejected_case_cannot_be_withdrawn(api, coordinator, case):
    advance(coordinator, case, through=5)
    services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6, outcome="no",
                             rationale="Passer ikke")
    response = api.post(f"/cases/{case.pk}/withdraw", {"reason": "Stop"})
    assert response.status_code == 409
    assert error_of(response) == "case_closed"
