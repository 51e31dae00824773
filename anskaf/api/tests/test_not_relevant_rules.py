"""POST /cases/{id}/steps/{n}/not-relevant follows the model's rules (issue 19, ADR 0018):
403 for a role the model does not name, 409 for a rule (a gate not yet passed, a later step
started), the reason required; the same service as the UI."""

from __future__ import annotations

import pytest

from anskaf.testing import advance, make_user, new_case

from .conftest import ApiClient, error_of, step_of

pytestmark = pytest.mark.django_db


def path(case, number: int) -> str:
    return f"/cases/{case.pk}/steps/{number}/not-relevant"


@pytest.fixture
def security_api(org) -> ApiClient:
    return ApiClient(make_user(org, "isk", "security"))


@pytest.mark.parametrize("number", [11, 12])
def test_the_medarbejder_who_created_the_case_cannot_mark_the_dpa_or_contract(requester, number):
    """The bypass from issue 19: a new case, before any gate, marked by its creator."""
    case = new_case(requester)
    response = ApiClient(requester).post(path(case, number), {"reason": "Ikke nødvendigt"})
    assert response.status_code == 403
    assert error_of(response) == "forbidden"
    assert "kan markere trinnet" in response.json()["message"]
    assert response.json()["message"].startswith("Kun ")


def test_the_coordinator_is_403_on_the_dpa_after_the_gates(api, coordinator, case):
    advance(coordinator, case, through=7)
    response = api.post(path(case, 11), {"reason": "Ingen persondata"})
    assert response.status_code == 403
    assert "Informationssikkerhedskonsulenterne (ISK)" in response.json()["message"]


def test_security_before_the_gates_is_409_step_not_open(security_api, case):
    response = security_api.post(path(case, 11), {"reason": "Ingen persondata"})
    assert response.status_code == 409
    assert error_of(response) == "step_not_open"


def test_security_marks_the_dpa_not_relevant_after_the_gates(security_api, coordinator, case):
    advance(coordinator, case, through=7)
    response = security_api.post(path(case, 11), {"reason": "Ingen persondata"})
    assert response.status_code == 200, response.content
    step = step_of(response.json(), 11)
    assert (step["status"], step["not_relevant_reason"]) == ("not_relevant", "Ingen persondata")


def test_security_without_a_reason_is_400(security_api, coordinator, case):
    advance(coordinator, case, through=7)
    response = security_api.post(path(case, 11), {"reason": " "})
    assert response.status_code == 400


def test_the_dpa_once_the_contract_has_started_is_409_not_relevant_locked(
        api, security_api, coordinator, case):
    advance(coordinator, case, through=7)
    api.patch(f"/cases/{case.pk}/steps/12", {"status": "in_progress"})
    response = security_api.post(path(case, 11), {"reason": "Ingen persondata"})
    assert response.status_code == 409
    assert error_of(response) == "not_relevant_locked"


def test_a_step_without_a_rule_behind_a_gate_is_409(api, case):
    response = api.post(path(case, 9), {"reason": "Lille anskaffelse"})
    assert response.status_code == 409
    assert error_of(response) == "step_not_open"


def test_the_openapi_document_names_the_new_refusal(api):
    doc = api.get("/openapi.json").json()
    op = doc["paths"]["/api/v1/cases/{case_id}/steps/{number}/not-relevant"]["post"]
    assert "not_relevant_locked" in op["responses"]["409"]["description"]
