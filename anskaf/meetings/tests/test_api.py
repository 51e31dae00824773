"""The meetings API: the same services and permissions as the pages, errors as JSON."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anskaf.api.services import token_create
from anskaf.cases.models import StepState
from anskaf.meetings.testing import ready_case

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[Client, dict[str, str]]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}


def _post(client, headers, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json",
                       **headers)


def test_a_board_runs_a_meeting_through_the_api(coordinator, board_member):
    case = ready_case(coordinator)
    c_client, c_headers = _client(coordinator)
    b_client, b_headers = _client(board_member)
    response = _post(c_client, c_headers, f"/api/v1/cases/{case.pk}/put-forward", {"note": "Klar"})
    assert response.status_code == 201 and response.json()["round"] == 1

    response = _post(b_client, b_headers, "/api/v1/meetings", {
        "title": "IT-visitationen", "starts_at": "2026-12-01T10:00", "place": "Rådhuset",
        "participants": ["visitation"]})
    assert response.status_code == 201
    meeting_id = response.json()["items"][0]["id"]
    [waiting] = b_client.get("/api/v1/board/queue", **b_headers).json()["items"]
    body = _post(b_client, b_headers, f"/api/v1/meetings/{meeting_id}/items",
                 {"referral_id": waiting["referral_id"]}).json()
    item_id = body["items"][0]["id"]
    assert _post(b_client, b_headers, f"/api/v1/meetings/{meeting_id}/publish").status_code == 200

    bad = _post(b_client, b_headers, f"/api/v1/meetings/{meeting_id}/items/{item_id}/outcome",
                {"outcome": "maybe", "rationale": "Mangler"})
    assert bad.status_code == 400 and bad.json()["error"] == "validation_error"
    assert set(bad.json()) >= {"error", "message"}
    wrong = _post(b_client, b_headers, f"/api/v1/meetings/{meeting_id}/items/{item_id}/outcome",
                  {"outcome": "perhaps", "rationale": "?", "it_contacts": "Kim"})
    assert wrong.status_code == 400 and wrong.json()["fields"] == {  # as the cases' API says it
        "outcome": "Udfaldet skal være »yes«, »maybe« eller »no«.",
        "it_contacts": "Skal være en liste af tekster."}
    response = _post(b_client, b_headers, f"/api/v1/meetings/{meeting_id}/items/{item_id}/outcome",
                     {"outcome": "maybe", "rationale": "Mangler",
                      "missing_documentation": ["Konfigurationsskema"]})
    assert response.status_code == 200
    assert response.json()["items"][0]["outcome"]["outcome"] == "maybe"
    step4 = StepState.objects.get(case=case, number=4)
    assert step4.status == "in_progress" and step4.extra_items[0]["label"] == "Konfigurationsskema"
    case_json = c_client.get(f"/api/v1/cases/{case.pk}", **c_headers).json()
    [step] = [s for s in case_json["steps"] if s["number"] == 4]
    assert {"label": "Konfigurationsskema", "done": False, "required": True}.items() <= \
        step["checklist"][-1].items()


def test_the_coordinator_may_not_run_the_meeting(coordinator, board_member):
    client, headers = _client(coordinator)
    response = _post(client, headers, "/api/v1/meetings", {"title": "X"})
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
