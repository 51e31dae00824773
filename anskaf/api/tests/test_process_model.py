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


# --- forvaltninger, shared versions, migrating cases (ADR 0032) -----------------------------


def test_publish_for_a_forvaltning_and_a_unit_that_is_not_one_is_refused(api_admin, org, unit,
                                                                         other_org):
    response = api_admin.post("/process-model/versions", {
        "content": _changed(), "reason": "Forvaltningen", "unit_id": unit.pk})
    assert response.status_code == 201, response.content
    assert response.json()["unit_id"] == unit.pk
    assert current_version(org.pk).organisation_id is None  # municipality level untouched
    foreign = testing.make_unit(other_org, "Fremmed")
    response = api_admin.post("/process-model/versions", {
        "content": _changed(), "reason": "x", "unit_id": foreign.pk})
    assert response.status_code == 409
    assert error_of(response) == "invalid_reference"
    items = api_admin.get("/process-model/versions").json()["items"]
    assert [i["current"] for i in items if i["unit_id"] == unit.pk] == [True]


def test_the_list_shows_a_newer_shared_version_and_adopting_it(api_admin, org):
    from anskaf.cases.process_models import model_publish_shared

    current_version(org.pk)
    newest = model_publish_shared(actor=None, content=_changed(), reason="KL").version
    body = api_admin.get("/process-model/versions").json()
    assert body["newer_shared"]["newest_version_id"] == newest.pk
    assert any(s["key"] == "security_pre_screening" for s in body["newer_shared"]["diff"]["steps"])
    response = api_admin.post(f"/process-model/versions/{newest.pk}/adopt", {"reason": "KL"})
    assert response.status_code == 201
    assert response.json()["adopted_from_id"] == newest.pk
    assert api_admin.get("/process-model/versions").json()["newer_shared"] is None
    own = current_version(org.pk)
    assert api_admin.post(f"/process-model/versions/{own.pk}/adopt",
                          {"reason": "x"}).status_code == 404  # not a shared version


def test_migration_dry_run_then_for_real_and_not_for_a_coordinator(api_admin, admin, org,
                                                                   coordinator):
    case = testing.new_case(coordinator)
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="r")
    response = api_admin.post("/process-model/migrations/dry-run", {})
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["case_id"] == case.pk and item["refusals"] == []
    assert [n["key"] for n in item["new"]] == ["security_pre_screening"]
    assert ApiClient(coordinator).post("/process-model/migrations",
                                       {}).status_code == 403
    response = api_admin.post("/process-model/migrations", {"case_ids": [case.pk]})
    assert response.status_code == 200
    body = response.json()
    assert [m["case_id"] for m in body["migrated"]] == [case.pk] and body["refused"] == []
    assert AuditEvent.objects.filter(event_type="case.model_migrated", case_id=case.pk).exists()
    assert api_admin.post("/process-model/migrations", {"case_ids": [999999]}).status_code == 404
    assert api_admin.post("/process-model/migrations",
                          {"case_ids": "x"}).status_code == 400


def test_preview_gives_a_new_cases_steps_per_phase_and_stores_nothing(api_admin, org):
    current_version(org.pk)  # the shared default, stored on first use
    before = (ModelVersion.objects.count(), AuditEvent.objects.count())
    response = api_admin.post("/process-model/preview", {"content": _changed()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["step_count"] == 22 and body["replace_only_count"] >= 1
    steps = [s for p in body["phases"] for s in p["steps"]]
    assert [s["number"] for s in steps] == list(range(1, 23))
    by_key = {s["key"]: s for s in steps}
    assert by_key["initial_supplier_dialogue"]["title"] == "Leverandørmøde"
    assert "security_pre_screening" in by_key
    assert any(s["gate"] and s["gate"]["outcomes"] for s in steps)
    assert any(s["only_when_replacing"] for s in steps)
    assert all(s["performers"] for s in steps)
    assert (ModelVersion.objects.count(), AuditEvent.objects.count()) == before


def test_preview_refuses_an_invalid_model_with_its_lines(api_admin):
    broken = shipped().replace("effect: reject", "effect: explode", 1)
    response = api_admin.post("/process-model/preview", {"content": broken})
    assert response.status_code == 409
    assert error_of(response) == "invalid_model"
    assert "linje " in response.json()["fields"]["content"]
