"""A case goes through all 21 steps using the API alone, ending `completed`."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anskaf.audit.services import audit_verify
from anskaf.documents.testing import MINIMAL_PDF
from anskaf.testing import case_data

from .conftest import ApiClient, step_of

pytestmark = pytest.mark.django_db


def test_a_case_runs_through_all_21_steps_via_the_api(coordinator, board_member, manager):
    coord, board, leader = ApiClient(coordinator), ApiClient(board_member), ApiClient(manager)
    created = coord.post("/cases", case_data(replaces_system=True,
                                             replaced_system_name="Gammelt ESDH"))
    assert created.status_code == 201
    case_id = created.json()["id"]
    base = f"/cases/{case_id}"

    def upload_missing_documents(n: int) -> None:
        """Required documents gate their step: upload them (multipart) as a client would."""
        listed = coord.get(f"{base}/steps/{n}/documents").json()
        for item in listed["items"]:
            if item["missing"]:
                upload = coord.client.post(
                    f"/api/v1{base}/steps/{n}/documents",
                    {"type": item["key"], "file": SimpleUploadedFile(f"{item['title']}.pdf",
                                                                     MINIMAL_PDF)},
                    **coord.headers)
                assert upload.status_code == 201, upload.content

    def complete(*numbers: int) -> dict:
        body: dict = {}
        for n in numbers:
            current = coord.get(base).json()
            step = step_of(current, n)
            required = [{"id": i["id"], "done": True} for i in step["checklist"] if i["required"]]
            if required:
                step = step_of(coord.patch(f"{base}/steps/{n}", {
                    "checklist": required, "version": step["version"]}).json(), n)
            upload_missing_documents(n)
            # The board's review completes only through the board (here: by hand, with a reason).
            who = board if n == 5 else coord
            response = who.post(f"{base}/steps/{n}/complete",
                                  {"remarks": f"Trin {n} klaret", "version": step["version"]})
            assert response.status_code == 200, (n, response.content)
            body = response.json()
            assert step_of(body, n)["status"] == "done"
        return body

    def decide(client: ApiClient, step: int, outcome: str, **extra) -> dict:
        response = client.post(f"{base}/decisions", {"step": step, "outcome": outcome,
                                                     "rationale": f"{outcome} ved {step}", **extra})
        assert response.status_code == 200, (step, outcome, response.content)
        return response.json()

    assert coord.patch(f"{base}/steps/1", {"status": "in_progress"}).status_code == 200
    complete(1, 2, 3, 4, 5)

    case = decide(board, 6, "maybe", missing_documentation=["Risikovurdering"])
    assert step_of(case, 6)["status"] == "in_progress"
    assert {step_of(case, n)["status"] for n in (4, 5)} == {"in_progress"}
    complete(4, 5)
    case = decide(board, 6, "yes", recommendations="Kør en pilot", it_contacts=["Jens"])
    assert case["phase"] == 3

    case = decide(leader, 7, "yes")
    complete(8, 9, 10, 11, 12, 13, 14, 15, 16, 17)

    case = decide(coord, 18, "no")
    assert step_of(case, 18)["status"] == "in_progress"
    assert step_of(case, 17)["status"] == "in_progress"
    complete(17)
    case = decide(coord, 18, "yes")
    assert case["phase"] == 5

    case = complete(19, 20)
    assert case["status"] == "in_operation"
    case = complete(21)
    assert case["status"] == "completed"
    assert case["phase"] is None and case["phase_name"] is None
    assert case["waiting_roles"] == []
    assert {s["status"] for s in case["steps"]} == {"done"}
    assert [(d["step"], d["round"], d["outcome"]) for d in case["decisions"]] == [
        (6, 1, "maybe"), (6, 2, "yes"), (7, 1, "yes"), (18, 1, "no"), (18, 2, "yes")]
    assert [d["decided_by"] for d in case["decisions"]][:3] == ["visitation", "visitation",
                                                               "leder"]

    # a completed case is read-only, and its whole story is in the audit trail
    closed = coord.post(f"{base}/steps/21/reopen", {"reason": "Glemte noget"})
    assert closed.status_code == 409 and closed.json()["error"] == "case_closed"
    listed = coord.get("/cases?status=completed").json()["items"]
    assert [c["id"] for c in listed] == [case_id]
    events = coord.get(f"{base}/events?limit=200").json()["items"]
    assert events[0]["type"] == "case.created"
    assert sum(e["type"] == "decision.recorded" for e in events) == 5
    assert audit_verify(coordinator.organisation_id).ok
