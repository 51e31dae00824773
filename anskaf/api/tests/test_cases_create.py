"""POST /api/v1/cases: a new case from step 1's questions; 201 with the case."""

from __future__ import annotations

import pytest

from anskaf.audit.models import AuditEvent
from anskaf.cases.models import Case
from anskaf.testing import case_data

from .conftest import error_of, step_of

pytestmark = pytest.mark.django_db


def test_it_creates_a_case_and_answers_201_with_the_case(api, coordinator, unit):
    response = api.post("/cases", case_data(estimated_contract_value=250000))
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["number"] == case.number
    assert body["title"] == "Nyt økonomisystem"
    assert body["status"] == "active"
    assert body["phase"] == 1
    assert body["phase_name"] == "Behov og afklaring"
    assert body["unit"] == {"id": unit.pk, "name": unit.name}
    assert body["coordinator"] == "koordinator"
    assert body["estimated_contract_value"] == 250000
    assert body["version"] == 1
    assert body["model"]["key"] == "haderslev" and len(body["model"]["sha256"]) == 64
    assert [s["number"] for s in body["steps"]] == list(range(1, 22))
    assert body["decisions"] == []
    assert AuditEvent.objects.filter(case_id=case.pk, event_type="case.created").exists()


def test_the_case_has_every_documented_field(api):
    body = api.post("/cases", case_data()).json()
    assert set(body) >= {
        "id", "number", "title", "need", "strategic_fit", "user_impact", "status", "phase",
        "phase_name", "replaces_system", "replaced_system_name", "estimated_contract_value",
        "candidate_system", "supplier_name", "records_case_number", "unit", "coordinator",
        "version", "created_at", "updated_at", "waiting_roles", "model", "steps", "decisions",
    }
    step = step_of(body, 6)
    assert set(step) >= {"number", "key", "title", "status", "version", "remarks", "checklist",
                         "completed_by", "completed_at", "not_relevant_reason", "is_gate"}
    assert step["is_gate"] is True
    assert set(step["checklist"][0]) == {"id", "label", "done", "required"}


def test_a_case_that_does_not_replace_a_system_has_13_and_21_not_relevant(api):
    body = api.post("/cases", case_data(replaces_system=False)).json()
    assert step_of(body, 13)["status"] == "not_relevant"
    assert step_of(body, 21)["status"] == "not_relevant"
    assert step_of(body, 13)["not_relevant_reason"]


def test_a_case_replacing_a_system_has_13_and_21_to_do(api):
    data = case_data(replaces_system=True, replaced_system_name="Gammelt")
    body = api.post("/cases", data).json()
    assert body["replaced_system_name"] == "Gammelt"
    assert step_of(body, 13)["status"] == "not_started"
    assert step_of(body, 21)["status"] == "not_started"


def test_it_accepts_another_unit_of_the_same_municipality(api, other_unit):
    body = api.post("/cases", case_data(unit=other_unit.pk)).json()
    assert body["unit"]["id"] == other_unit.pk


def test_a_unit_of_another_municipality_is_409_invalid_reference(api, outsider):
    # A well-formed id the OpenAPI document allows; that it names no unit of yours is 409.
    response = api.post("/cases", case_data(unit=outsider.unit_id))
    assert response.status_code == 409
    assert error_of(response) == "invalid_reference"
    assert "unit" in response.json()["fields"]


def test_missing_fields_are_named_in_a_validation_error(api):
    response = api.post("/cases", {"title": "Kun en titel"})
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    fields = response.json()["fields"]
    assert set(fields) == {"need", "strategic_fit", "user_impact", "replaces_system"}
    assert "»need«" in response.json()["message"]


def test_type_errors_and_missing_fields_are_reported_together(api):
    response = api.post("/cases", {"title": 5, "need": "Et behov", "user_impact": None})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title", "strategic_fit", "user_impact",
                                              "replaces_system"}


def test_an_empty_title_is_a_validation_error(api):
    response = api.post("/cases", case_data(title="   "))
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"title"}


@pytest.mark.parametrize(("field", "value"), [
    ("title", 5), ("replaces_system", "true"), ("replaces_system", 1), ("unit", "1"),
    ("estimated_contract_value", True), ("estimated_contract_value", "mange penge"),
    ("estimated_contract_value", -5), ("title", "x" * 201), ("need", ["a"]),
])
def test_a_wrong_type_or_value_is_a_validation_error_naming_the_field(api, field, value):
    response = api.post("/cases", case_data(**{field: value}))
    assert response.status_code == 400, response.content
    assert error_of(response) == "validation_error"
    assert field in response.json()["fields"]
    assert f"»{field}«" in response.json()["message"]


def test_an_unknown_field_is_a_validation_error(api):
    response = api.post("/cases", case_data(titel="stavefejl"))
    assert response.status_code == 400
    assert "titel" in response.json()["fields"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "NaN", '{"title": NaN}'])
def test_a_body_that_is_not_a_json_object_is_a_validation_error(api, raw):
    response = api.post("/cases", raw=raw)
    assert response.status_code == 400
    assert error_of(response) == "validation_error"


def test_a_nul_character_is_refused_instead_of_failing_in_the_database(api):
    response = api.post("/cases", case_data(title="Nyt\x00system"))
    assert response.status_code == 400
    assert "title" in response.json()["fields"]


def test_a_lone_surrogate_is_refused(api):
    response = api.post("/cases", raw='{"title": "\\ud800", "need": "n", "strategic_fit": "s", '
                                      '"user_impact": "u", "replaces_system": false}')
    assert response.status_code == 400
    assert "title" in response.json()["fields"]


def test_a_body_that_is_too_large_is_a_validation_error(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/cases", case_data(need="x" * 2000))
    assert response.status_code == 400
    assert error_of(response) == "validation_error"


def test_cases_get_numbers_per_year_in_sequence(api):
    first = api.post("/cases", case_data()).json()["number"]
    second = api.post("/cases", case_data()).json()["number"]
    year, n = first.split("-")
    assert second == f"{year}-{int(n) + 1:03d}"
