"""The process model's API (issue 17): versions, check, publish, republish; admins only."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases.models import ModelVersion
from anskaf.cases.process_models import current_version, model_publish
from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

from .conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(org):
    return testing.make_user(org, "admin", "admin", full_name="Anne Admin")


@pytest.fixture
def api_admin(admin) -> ApiClient:
    return ApiClient(admin)


def _changed() -> str:
    return rename_step(insert_step(shipped(), after=3), "initial_supplier_dialogue",
                       "Leverandørmøde")


def test_check_names_each_problem_with_its_line_and_stores_nothing(api_admin, org):
    broken = shipped().replace("effect: reject", "effect: explode", 1)
    body = api_admin.post("/process-model/check", {"content": broken}).json()
    assert body["valid"] is False and body["diff"] is None
    [problem] = body["problems"]
    assert problem["line"] > 1 and "effect must be" in problem["message"]
    assert not ModelVersion.objects.filter(organisation=org).exists()


def test_check_gives_the_diff_in_words_and_the_apps_warnings(api_admin):
    content = _changed().replace("key: it_board_meeting", "key: council_meeting", 1)
    body = api_admin.post("/process-model/check", {"content": content}).json()
    assert body["valid"] is True and body["unchanged"] is False
    statuses = {s["key"]: s["status"] for s in body["diff"]["steps"]}
    assert statuses["security_pre_screening"] == "added"
    assert statuses["initial_supplier_dialogue"] == "changed"
    assert statuses["documentation_collected"] == "renumbered"
    assert any("board_review" in w for w in body["warnings"])


def test_publish_then_list_get_and_republish(api_admin, org, admin):
    shared = current_version(org.pk)
    response = api_admin.post("/process-model/versions", {
        "content": _changed(), "reason": "Sikkerhed tidligt", "base_version_id": shared.pk})
    assert response.status_code == 201, response.content
    published = response.json()
    assert (published["version"], published["published_by"], published["reason"],
            published["current"]) == (1, "Anne Admin", "Sikkerhed tidligt", True)
    same = api_admin.post("/process-model/versions", {"content": _changed(), "reason": "x"})
    assert same.status_code == 200 and same.json()["id"] == published["id"]
    items = api_admin.get("/process-model/versions").json()["items"]
    assert [(i["version"], i["shared"], i["current"]) for i in items] == [
        (1, False, True), (shared.version, True, False)]
    detail = api_admin.get(f"/process-model/versions/{published['id']}").json()
    assert detail["content"] == _changed()
    back = api_admin.post(f"/process-model/versions/{shared.pk}/republish",
                          {"reason": "Tilbage"})
    assert back.status_code == 201 and back.json()["version"] == 2
    assert current_version(org.pk).sha256 == shared.sha256
    assert AuditEvent.objects.filter(event_type="model.published").count() == 2


def test_refusals_invalid_model_missing_reason_and_stale_base(api_admin, org, admin):
    broken = shipped().replace("effect: reject", "effect: explode", 1)
    invalid = api_admin.post("/process-model/versions", {"content": broken, "reason": "x"})
    # a string, as the document says, that does not load: a business refusal with the lines
    assert invalid.status_code == 409 and error_of(invalid) == "invalid_model"
    assert "linje " in invalid.json()["fields"]["content"]
    no_reason = api_admin.post("/process-model/versions", {"content": _changed()})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    base = current_version(org.pk).pk
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="Først")
    late = api_admin.post("/process-model/versions", {
        "content": rename_step(shipped(), "need_reported", "Behov"), "reason": "Anden",
        "base_version_id": base})
    assert late.status_code == 409 and error_of(late) == "conflict"


def test_only_the_municipalitys_admin_and_only_its_versions(org, other_org, coordinator, admin):
    assert ApiClient(coordinator).get("/process-model/versions").status_code == 403
    own = model_publish(actor=admin, organisation_id=org.pk, content=_changed(),
                        reason="x").version
    stranger = ApiClient(testing.make_user(other_org, "fremmed-admin", "admin"))
    assert stranger.get(f"/process-model/versions/{own.pk}").status_code == 404
    assert stranger.post(f"/process-model/versions/{own.pk}/republish",
                         {"reason": "x"}).status_code == 404
    ids = [i["id"] for i in stranger.get("/process-model/versions").json()["items"]]
    assert own.pk not in ids


@pytest.mark.parametrize("value", [None, 0, "", " ", "\x00", "\ud800x", "[" * 5000, [], {},
                                   "x" * 1_100_000, "a: [1, 2\n", "- a\n- b\n", "{}"])
def test_odd_content_never_causes_a_500(api_admin, value):
    for path in ("/process-model/check", "/process-model/versions"):
        response = api_admin.post(path, {"content": value, "reason": "x"}
                                  if path.endswith("versions") else {"content": value})
        assert response.status_code < 500, (path, repr(value)[:40], response.content[:200])


def test_a_version_reads_as_bpmn_for_admins_only(api_admin, org):
    version = current_version(org.pk)
    response = api_admin.get(f"/process-model/versions/{version.pk}/bpmn")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b"<?xml")
    assert b'id="Task_need_reported"' in response.content
    coordinator = ApiClient(testing.make_user(org, "k", "coordinator"))
    assert error_of(coordinator.get(f"/process-model/versions/{version.pk}/bpmn")) == "forbidden"
    assert error_of(api_admin.get("/process-model/versions/999999/bpmn")) == "not_found"
