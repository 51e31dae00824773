"""POST /api/v1/cases/{id}/decisions: a gate decision is recorded (200 with the updated case)."""

from __future__ import annotations

import pytest

from anskaf.cases.models import Decision
from anskaf.testing import advance

from .conftest import error_of, step_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(decider_api):
    """Here the client may decide every gate; who may decide is tested at the end."""
    return decider_api


def decide(api, case, **body):
    return api.post(f"/cases/{case.pk}/decisions", {"rationale": "Begrundet", **body})


@pytest.fixture
def ready_for_6(coordinator, case):
    return advance(coordinator, case, through=5)


def test_a_ja_at_6_is_recorded_and_opens_the_next_segment(api, ready_for_6):
    response = decide(api, ready_for_6, step=6, outcome="yes",
                      recommendations="Brug standardopsætningen", it_contacts=["Jens", "Mette"])
    assert response.status_code == 200, response.content
    case = response.json()
    decision = case["decision"]
    assert decision["step"] == 6 and decision["round"] == 1 and decision["outcome"] == "yes"
    assert decision["rationale"] == "Begrundet"
    assert decision["recommendations"] == "Brug standardopsætningen"
    assert decision["it_contacts"] == ["Jens", "Mette"]
    assert decision["decided_by"] == "beslutter"
    assert decision["id"] == Decision.objects.get().pk
    assert step_of(case, 6)["status"] == "done"
    assert case["phase"] == 3
    assert case["decisions"][0]["id"] == decision["id"]


def test_a_maybe_at_6_starts_a_new_round_and_reopens_4_and_5(api, ready_for_6):
    body = decide(api, ready_for_6, step=6, outcome="maybe",
                  missing_documentation=["Risikovurdering"]).json()
    assert body["decision"]["missing_documentation"] == ["Risikovurdering"]
    case = body
    assert step_of(case, 6)["status"] == "in_progress"
    assert step_of(case, 4)["status"] == "in_progress"
    assert step_of(case, 5)["status"] == "in_progress"
    assert case["status"] == "active"


def test_a_nej_at_6_rejects_the_case(api, ready_for_6):
    case = decide(api, ready_for_6, step=6, outcome="no").json()
    assert case["status"] == "rejected"
    assert step_of(case, 6)["status"] == "done"


def test_a_nej_at_7_rejects_the_case(api, coordinator, case):
    advance(coordinator, case, through=6)
    body = decide(api, case, step=7, outcome="no").json()
    assert body["status"] == "rejected"


@pytest.mark.parametrize("step", [7, 18])
def test_maybe_at_7_or_18_is_outcome_not_allowed(api, coordinator, case, step):
    advance(coordinator, case, through=step - 1)
    response = decide(api, case, step=step, outcome="maybe")
    assert response.status_code == 409  # the document allows "maybe": the model refuses it
    assert error_of(response) == "outcome_not_allowed"


@pytest.mark.parametrize("step", [3, 99])
def test_a_decision_on_a_step_that_is_no_gate_of_the_model_is_409_invalid_reference(api, case,
                                                                                    step):
    response = decide(api, case, step=step, outcome="yes")
    assert response.status_code == 409
    assert error_of(response) == "invalid_reference"
    assert "step" in response.json()["fields"]


@pytest.mark.parametrize(("body", "field"), [
    ({"step": 6, "outcome": "yes", "rationale": ""}, "rationale"),
    ({"step": 6, "outcome": "yes", "rationale": None}, "rationale"),
    ({"step": 6, "outcome": "ja"}, "outcome"),
    ({"step": "6", "outcome": "yes"}, "step"),
    ({"outcome": "yes"}, "step"),
    ({"step": 6, "outcome": "yes", "it_contacts": "Jens"}, "it_contacts"),
    ({"step": 6, "outcome": "yes", "recommendations": ["a"]}, "recommendations"),
    ({"step": 6, "outcome": "yes", "version": "1"}, "version"),
])
def test_bad_decision_fields_are_400_naming_the_field(api, ready_for_6, body, field):
    response = decide(api, ready_for_6, **body)
    assert response.status_code == 400, response.content
    assert error_of(response) == "validation_error"
    assert field in response.json()["fields"]


def test_a_decision_without_a_rationale_is_400(api, ready_for_6):
    response = api.post(f"/cases/{ready_for_6.pk}/decisions", {"step": 6, "outcome": "yes"})
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    assert "rationale" in response.json()["fields"]
    assert "»rationale«" in response.json()["message"]


def test_a_malformed_decision_body_is_400(api, case):
    response = api.post(f"/cases/{case.pk}/decisions", raw='{"step": 6,')
    assert response.status_code == 400
    assert error_of(response) == "validation_error"


def test_a_decision_on_an_unknown_case_is_404_even_with_a_bad_body(api):
    response = api.post("/cases/31337/decisions", raw="nope")
    assert response.status_code == 404


def test_a_gate_whose_steps_are_not_done_is_gate_not_ready(api, case):
    response = decide(api, case, step=6, outcome="yes")
    assert response.status_code == 409
    assert error_of(response) == "gate_not_ready"


def test_a_gate_resting_on_an_undecided_gate_is_gate_not_ready(api, coordinator, case):
    advance(coordinator, case, through=5)
    response = decide(api, case, step=7, outcome="yes")
    assert response.status_code == 409
    assert error_of(response) == "gate_not_ready"


def test_deciding_a_gate_already_decided_ja_is_invalid_transition(api, coordinator, case):
    advance(coordinator, case, through=6)
    response = decide(api, case, step=6, outcome="no")
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_deciding_on_a_rejected_case_is_case_closed(api, ready_for_6):
    decide(api, ready_for_6, step=6, outcome="no")
    response = decide(api, ready_for_6, step=6, outcome="yes")
    assert response.status_code == 409
    assert error_of(response) == "case_closed"


def test_a_stale_gate_version_is_409_conflict(api, ready_for_6):
    decide(api, ready_for_6, step=6, outcome="maybe")
    response = decide(api, ready_for_6, step=6, outcome="yes", version=1)
    assert response.status_code == 409
    assert error_of(response) == "conflict"


def test_another_municipality_cannot_decide(outsider_api, ready_for_6):
    response = decide(outsider_api, ready_for_6, step=6, outcome="yes")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_rounds_count_per_gate(api, coordinator, ready_for_6):
    decide(api, ready_for_6, step=6, outcome="maybe")
    for number in (4, 5):
        api.post(f"/cases/{ready_for_6.pk}/steps/{number}/complete", {})
    body = decide(api, ready_for_6, step=6, outcome="yes").json()
    assert body["decision"]["round"] == 2
    assert decide(api, ready_for_6, step=7, outcome="yes").json()["decision"]["round"] == 1


@pytest.mark.parametrize("step", [6, 7])
def test_a_coordinator_without_the_deciding_role_is_403_forbidden(coordinator, case, step):
    from .conftest import ApiClient

    advance(coordinator, case, through=step - 1)
    response = decide(ApiClient(coordinator), case, step=step, outcome="yes")
    assert response.status_code == 403
    assert error_of(response) == "forbidden"
    assert "IT-visitationen" in response.json()["message"] or step == 7


def test_the_board_decides_step_6(board_member, ready_for_6):
    from .conftest import ApiClient

    response = decide(ApiClient(board_member), ready_for_6, step=6, outcome="yes")
    assert response.status_code == 200, response.content
    assert response.json()["decision"]["decided_by"] == "visitation"
