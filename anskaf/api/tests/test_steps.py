"""PATCH /cases/{id}/steps/{n} and POST .../complete, .../not-relevant, .../reopen."""

from __future__ import annotations

import pytest

from anskaf.audit.models import AuditEvent
from anskaf.cases import services
from anskaf.testing import (
    advance,
    decider_for,
    make_user,
    new_case,
    provide_documents,
    tick_required,
)

from .conftest import ApiClient, error_of, required_items, step_of

pytestmark = pytest.mark.django_db


def steps(case) -> str:
    return f"/cases/{case.pk}/steps"


def reject(actor, case):
    advance(actor, case, through=5)
    services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6, outcome="no",
                             rationale="Passer ikke ind")


# --- PATCH -------------------------------------------------------------------------------------


def test_it_saves_remarks_and_checklist_and_answers_with_the_case(api, case):
    response = api.patch(f"{steps(case)}/2", {
        "remarks": "Vi har talt med Aabenraa.",
        "checklist": [{"id": "2.1", "done": True}], "version": 1,
    })
    assert response.status_code == 200, response.content
    step = step_of(response.json(), 2)
    assert step["remarks"] == "Vi har talt med Aabenraa."
    assert [i["done"] for i in step["checklist"] if i["id"] == "2.1"] == [True]
    assert step["version"] == 2


def test_a_checklist_item_can_be_unticked(api, case):
    api.patch(f"{steps(case)}/2", {"checklist": [{"id": "2.1", "done": True}]})
    body = api.patch(f"{steps(case)}/2", {"checklist": [{"id": "2.1", "done": False}]}).json()
    assert not any(i["done"] for i in step_of(body, 2)["checklist"])


def test_it_marks_a_not_started_step_in_progress(api, case):
    body = api.patch(f"{steps(case)}/3", {"status": "in_progress"}).json()
    assert step_of(body, 3)["status"] == "in_progress"
    assert body["id"] == case.pk


def test_status_in_progress_is_refused_on_a_done_step(api, coordinator, case):
    advance(coordinator, case, through=1)
    response = api.patch(f"{steps(case)}/1", {"status": "in_progress"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_a_done_steps_remarks_and_checklist_stay_editable(api, coordinator, case):
    advance(coordinator, case, through=1)
    response = api.patch(f"{steps(case)}/1", {"remarks": "Efterskrift",
                                              "checklist": [{"id": "1.1", "done": True}]})
    assert response.status_code == 200
    step = step_of(response.json(), 1)
    assert step["status"] == "done" and step["remarks"] == "Efterskrift"


def test_an_unknown_checklist_id_is_a_409_reference_refusal(api, case):
    """A well-formed id the step's checklist lacks fits the document: 409, not 400."""
    response = api.patch(f"{steps(case)}/2", {"checklist": [{"id": "99.9", "done": True}]})
    assert response.status_code == 409, response.content
    assert error_of(response) == "invalid_reference"
    assert "checklist" in response.json()["fields"]


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "done"}, "status"), ({"status": "not_started"}, "status"),
    ({"remarks": 5}, "remarks"), ({"checklist": {"id": "2.1"}}, "checklist"),
    ({"checklist": [{"id": "2.1", "done": "ja"}]}, "checklist"),
    ({"checklist": [{"id": "2.1"}]}, "checklist"), ({"version": "2"}, "version"),
    ({"done": True}, "done"),
])
def test_a_bad_field_is_400_naming_it(api, case, body, field):
    response = api.patch(f"{steps(case)}/2", body)
    assert response.status_code == 400, response.content
    assert error_of(response) == "validation_error"
    assert field in response.json()["fields"]


def test_a_stale_step_version_on_patch_is_409_conflict(api, case):
    api.patch(f"{steps(case)}/2", {"remarks": "Først", "version": 1})
    response = api.patch(f"{steps(case)}/2", {"remarks": "Sidst", "version": 1})
    assert response.status_code == 409
    assert error_of(response) == "conflict"
    assert step_of(api.get(f"/cases/{case.pk}").json(), 2)["remarks"] == "Først"


def test_a_not_relevant_step_cannot_be_worked_on(api, case):
    response = api.patch(f"{steps(case)}/13", {"remarks": "x"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


@pytest.mark.parametrize("number", [0, 22, 99])
def test_an_unknown_step_is_404(api, case, number):
    response = api.patch(f"{steps(case)}/{number}", {"remarks": "x"})
    assert response.status_code == 404
    assert error_of(response) == "not_found"
    assert api.post(f"{steps(case)}/{number}/complete", {}).status_code == 404


def test_an_unknown_step_with_a_malformed_body_is_404(api, case):
    response = api.post(f"{steps(case)}/42/reopen", raw="[[[")
    assert response.status_code == 404


def test_an_unknown_case_with_a_malformed_body_is_404(api, case):
    response = api.patch(f"/cases/{case.pk + 1000}/steps/2", raw="{bad json")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_another_municipalitys_case_steps_are_404(outsider_api, case):
    response = outsider_api.post(f"{steps(case)}/1/complete", {})
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_a_closed_case_is_read_only(api, coordinator, case):
    reject(coordinator, case)
    response = api.patch(f"{steps(case)}/2", {"remarks": "for sent"})
    assert response.status_code == 409
    assert error_of(response) == "case_closed"


# --- complete ----------------------------------------------------------------------------------


def test_it_completes_a_step_with_remarks(api, case):
    response = api.post(f"{steps(case)}/1/complete", {"remarks": "Behovet er beskrevet"})
    assert response.status_code == 200
    step = step_of(response.json(), 1)
    assert step["status"] == "done" and step["remarks"] == "Behovet er beskrevet"
    assert step["completed_by"] == "koordinator" and step["completed_at"]


def test_complete_needs_no_body(api, case):
    response = api.post(f"{steps(case)}/1/complete")
    assert response.status_code == 200
    assert step_of(response.json(), 1)["status"] == "done"


def test_completing_12_on_a_fresh_case_is_contract_before_dpa(api, case):
    response = api.post(f"{steps(case)}/12/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "contract_before_dpa"


def test_contract_before_dpa_also_when_the_segment_is_open(api, coordinator, case):
    advance(coordinator, case, through=7)
    tick_required(coordinator, case, 12)
    response = api.post(f"{steps(case)}/12/complete", {})
    assert error_of(response) == "contract_before_dpa"


def test_12_may_be_completed_when_11_is_not_relevant(api, coordinator, case, org):
    advance(coordinator, case, through=7)
    security = ApiClient(make_user(org, "isk", "security"))
    marked = security.post(f"{steps(case)}/11/not-relevant", {"reason": "Ingen persondata"})
    assert marked.status_code == 200, marked.content
    api.patch(f"{steps(case)}/12", {"checklist": required_items(case, 12)})
    provide_documents(coordinator, case, 12)
    response = api.post(f"{steps(case)}/12/complete", {})
    assert response.status_code == 200
    assert step_of(response.json(), 12)["status"] == "done"


def test_12_without_its_required_checklist_is_requirement_missing(api, coordinator, case):
    advance(coordinator, case, through=11)
    response = api.post(f"{steps(case)}/12/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "requirement_missing"


def test_a_step_behind_an_undecided_gate_is_step_not_open(api, case):
    response = api.post(f"{steps(case)}/8/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "step_not_open"


def test_a_step_whose_required_step_is_open_is_step_not_open(api, coordinator, case):
    advance(coordinator, case, through=18)
    response = api.post(f"{steps(case)}/20/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "step_not_open"


def test_a_plain_complete_of_a_gate_step_is_gate_not_ready(api, coordinator, case):
    advance(coordinator, case, through=5)
    response = api.post(f"{steps(case)}/6/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "gate_not_ready"
    assert "beslutning" in response.json()["message"].lower()


def test_completing_a_done_step_is_invalid_transition(api, case):
    api.post(f"{steps(case)}/1/complete", {})
    response = api.post(f"{steps(case)}/1/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_completing_a_not_relevant_step_is_invalid_transition(api, case):
    response = api.post(f"{steps(case)}/13/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_a_stale_version_on_complete_is_409_conflict(api, case):
    api.patch(f"{steps(case)}/1", {"remarks": "ændret"})
    response = api.post(f"{steps(case)}/1/complete", {"version": 1})
    assert response.status_code == 409
    assert error_of(response) == "conflict"


def test_completing_on_a_closed_case_is_case_closed(api, coordinator, case):
    services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Stop")
    response = api.post(f"{steps(case)}/1/complete", {})
    assert response.status_code == 409
    assert error_of(response) == "case_closed"


@pytest.mark.parametrize("raw", ['{"remarks": 1}', '{"version": "x"}', "{", '{"reason": "x"}'])
def test_a_bad_complete_body_is_400(api, case, raw):
    response = api.post(f"{steps(case)}/1/complete", raw=raw)
    assert response.status_code == 400
    assert error_of(response) == "validation_error"


# --- not relevant ------------------------------------------------------------------------------


def test_it_marks_a_step_not_relevant_with_a_reason(api, case):
    response = api.post(f"{steps(case)}/3/not-relevant", {"reason": "Ingen leverandør endnu"})
    assert response.status_code == 200
    step = step_of(response.json(), 3)
    assert step["status"] == "not_relevant"
    assert step["not_relevant_reason"] == "Ingen leverandør endnu"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": 3}])
def test_not_relevant_without_a_reason_is_400(api, case, body):
    response = api.post(f"{steps(case)}/3/not-relevant", body)
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    assert "reason" in response.json()["fields"]


def test_a_gate_cannot_be_marked_not_relevant(api, case):
    response = api.post(f"{steps(case)}/6/not-relevant", {"reason": "Springes over"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_a_done_step_cannot_be_marked_not_relevant(api, case):
    api.post(f"{steps(case)}/1/complete", {})
    response = api.post(f"{steps(case)}/1/not-relevant", {"reason": "alligevel ikke"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_a_stale_version_on_not_relevant_is_409_conflict(api, case):
    api.patch(f"{steps(case)}/3", {"remarks": "ændret"})
    response = api.post(f"{steps(case)}/3/not-relevant", {"reason": "x", "version": 1})
    assert error_of(response) == "conflict"


# --- reopen ------------------------------------------------------------------------------------


def test_it_reopens_a_done_step_with_a_reason(api, case):
    api.post(f"{steps(case)}/1/complete", {})
    response = api.post(f"{steps(case)}/1/reopen", {"reason": "Behovet skal uddybes"})
    assert response.status_code == 200
    step = step_of(response.json(), 1)
    assert step["status"] == "in_progress"
    assert step["completed_by"] is None


def test_it_reopens_a_not_relevant_step(api, case):
    api.post(f"{steps(case)}/3/not-relevant", {"reason": "x"})
    response = api.post(f"{steps(case)}/3/reopen", {"reason": "Alligevel relevant"})
    assert response.status_code == 200
    assert step_of(response.json(), 3)["status"] == "in_progress"


def test_reopening_without_a_reason_is_400(api, case):
    api.post(f"{steps(case)}/1/complete", {})
    response = api.post(f"{steps(case)}/1/reopen", {})
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_reopening_a_not_started_step_is_invalid_transition(api, case):
    response = api.post(f"{steps(case)}/2/reopen", {"reason": "x"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_reopening_a_gate_is_invalid_transition(api, coordinator, case):
    advance(coordinator, case, through=6)
    response = api.post(f"{steps(case)}/6/reopen", {"reason": "Ny runde"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


def test_reopening_a_step_that_a_done_step_requires_is_invalid_transition(api, coordinator, case):
    advance(coordinator, case, through=12)
    response = api.post(f"{steps(case)}/11/reopen", {"reason": "Databehandleraftalen ændres"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"
    assert "12" in response.json()["message"]


def test_reopening_on_a_rejected_case_is_case_closed(api, coordinator, case):
    reject(coordinator, case)
    response = api.post(f"{steps(case)}/1/reopen", {"reason": "Forsøg igen"})
    assert response.status_code == 409
    assert error_of(response) == "case_closed"


def test_a_stale_version_on_reopen_is_409_conflict(api, case):
    api.post(f"{steps(case)}/1/complete", {})
    response = api.post(f"{steps(case)}/1/reopen", {"reason": "x", "version": 1})
    assert error_of(response) == "conflict"


def test_reopening_a_step_of_a_case_replacing_no_system_is_refused(api, coordinator):
    case = new_case(coordinator, replaces_system=False)
    response = api.post(f"{steps(case)}/13/reopen", {"reason": "x"})
    assert response.status_code == 409
    assert error_of(response) == "invalid_transition"


# --- complete with remarks and checklist: one transaction (issue 16, item 3) -------------------


def test_complete_saves_remarks_and_checklist_with_the_completion(api, coordinator, case):
    advance(coordinator, case, through=11)
    provide_documents(coordinator, case, 12)
    response = api.post(f"{steps(case)}/12/complete", {
        "remarks": "Kontrakten er underskrevet", "checklist": required_items(case, 12)})
    assert response.status_code == 200, response.content
    step = step_of(response.json(), 12)
    assert step["status"] == "done" and step["remarks"] == "Kontrakten er underskrevet"
    ticked = {i["id"] for i in step["checklist"] if i["done"]}
    assert ticked >= {i["id"] for i in required_items(case, 12)}
    event = AuditEvent.objects.filter(event_type="step.completed").latest("seq")
    assert event.after["saved"]["remarks"] == "Kontrakten er underskrevet"  # one event, one move


def test_a_refused_complete_saves_nothing_and_the_client_sends_it_again(api, coordinator, case):
    advance(coordinator, case, through=11)
    api.patch(f"{steps(case)}/12", {"remarks": "Første udkast"})
    sent = {"remarks": "Kontrakten er underskrevet", "checklist": required_items(case, 12)}
    events = AuditEvent.objects.count()
    # The contract's documents are missing: refused, and nothing of the body is stored.
    response = api.post(f"{steps(case)}/12/complete", sent)
    assert response.status_code == 409
    assert error_of(response) == "requirement_missing"
    step = step_of(api.get(f"/cases/{case.pk}").json(), 12)
    assert step["status"] != "done" and step["remarks"] == "Første udkast"
    assert not any(i["done"] for i in step["checklist"])
    assert AuditEvent.objects.count() == events  # no partial write, no event
    # The client still holds what it sent: the same body completes once the documents are in.
    provide_documents(coordinator, case, 12)
    again = api.post(f"{steps(case)}/12/complete", sent)
    assert again.status_code == 200, again.content
    assert step_of(again.json(), 12)["remarks"] == "Kontrakten er underskrevet"
