"""The API operations added for what only the UI could do (issue 19, item 13): the same
services, the same refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.cases import selectors
from anskaf.notifications.models import Notification
from anskaf.portfolio.models import System, TenderThreshold

from .conftest import ApiClient, error_of, step_of

pytestmark = pytest.mark.django_db


def test_my_tasks_are_the_pages_list(api, coordinator, org):
    it_person = testing.make_user(org, "it-api", "it")
    case = testing.advance(coordinator, testing.new_case(coordinator, title="Opgave"), 2)
    items = ApiClient(it_person).get("/tasks").json()["items"]
    page = selectors.my_tasks(viewer=it_person)
    assert [(t["case_id"], t["step"], t["kind"], t["why"]) for t in items] == [
        (t.case.pk, t.step.number, t.kind, t.why) for t in page]
    assert (case.pk, 3, "step", "Din rolle: IT og Digitalisering", True) in [
        (t["case_id"], t["step"], t["kind"], t["why"], t["actionable"]) for t in items]


def test_the_step_object_has_description_and_performers(api, case):
    step = step_of(api.get(f"/cases/{case.pk}").json(), 1)
    assert step["description"].startswith("Lav en behovsafdækning")
    assert step["performers"]["text"]
    assert {"role": "requester", "label": "Afdeling eller forvaltning", "optional": False} in \
        step["performers"]["roles"]


def test_notifications_list_and_mark_read(coordinator, org, case):
    n = Notification.objects.create(organisation=org, recipient=coordinator, kind="deadline",
                                    subject="Frist", body="Tekst", url="/", case=case,
                                    created_at=timezone.now())
    api = ApiClient(coordinator)
    body = api.get("/notifications?unread=1").json()
    assert [i["id"] for i in body["items"]] == [n.pk] and body["unread"] == 1
    assert api.post(f"/notifications/{n.pk}/read").json()["read_at"] is not None
    assert api.get("/notifications?unread=1").json()["items"] == []
    other = testing.make_user(org, "anden")
    assert error_of(ApiClient(other).post(f"/notifications/{n.pk}/read")) == "not_found"
    assert api.post("/notifications/read-all").json() == {"marked": 0}


def test_preferences_are_enums_and_saved(coordinator):
    api = ApiClient(coordinator)
    bad = api.put("/notifications/preferences", {"modes": {"deadline": "sometimes"}})
    assert bad.status_code == 400 and error_of(bad) == "validation_error"
    saved = api.put("/notifications/preferences", {"modes": {"deadline": "digest"}}).json()
    assert {"kind": "deadline", "mode": "digest"}.items() <= next(
        p for p in saved if p["kind"] == "deadline").items()


def test_deadlines_set_list_and_refuse(api, coordinator, requester, case):
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    body = api.put(f"/cases/{case.pk}/steps/3/deadline", {"due_date": due}).json()
    assert body == [{"step": 3, "due_date": due, "set_by": coordinator.username,
                     "overdue": False}]
    assert api.get(f"/cases/{case.pk}/deadlines").json() == body
    refused = ApiClient(requester).put(f"/cases/{case.pk}/steps/3/deadline", {"due_date": due})
    assert refused.status_code == 403
    assert api.put(f"/cases/{case.pk}/steps/3/deadline", {"due_date": None}).json() == []


def test_deputies_add_list_remove(coordinator, org):
    testing.make_user(org, "vikar")
    api = ApiClient(coordinator)
    today = timezone.localdate().isoformat()
    bad = api.post("/deputies", {"deputy": "vikar", "starts_on": today, "ends_on": "2000-01-01"})
    assert bad.status_code == 409 and "ends_on" in bad.json()["fields"]
    made = api.post("/deputies", {"deputy": "vikar", "starts_on": today, "ends_on": today})
    assert made.status_code == 201 and made.json()["active"]
    assert [d["deputy"] for d in api.get("/deputies").json()["mine"]] == ["vikar"]
    assert api.delete(f"/deputies/{made.json()['id']}").status_code == 204
    assert api.get("/deputies").json()["mine"] == []


def test_case_systems_kitos_status_and_thresholds(api, coordinator, org, case):
    system = System.objects.create(organisation=org, name="Nyt ESDH", hosting="web")
    linked = api.put(f"/cases/{case.pk}/systems/acquired", {"system": system.pk})
    assert linked.status_code == 200
    assert [(link["kind"], link["system"]["name"]) for link in linked.json()] == [
        ("acquired", "Nyt ESDH")]
    # an unknown kind is no such path (ADR 0022: a path that does not parse is 404)
    assert api.put(f"/cases/{case.pk}/systems/other", {"system": system.pk}).status_code == 404
    assert api.get(f"/cases/{case.pk}/kitos").json() == {"registered": False,
                                                         "kitos_uuid": None, "pending": []}
    TenderThreshold.objects.create(valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2027, 12, 31),
                                   amount=1_000_000)
    rows = api.get("/thresholds").json()
    assert any(r["in_force"] for r in rows)


def test_system_update_changes_only_what_is_sent(org):
    it_person = testing.make_user(org, "it-api", "it")
    system = System.objects.create(organisation=org, name="Gammelt", supplier="Acme",
                                   personal_data=True)
    api = ApiClient(it_person)
    response = api.patch(f"/systems/{system.pk}", {"case_records": True,
                                                   "version": system.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["supplier"], body["personal_data"], body["case_records"]) == (
        "Gammelt", "Acme", True, True)
    assert api.patch(f"/systems/{system.pk}", {"hosting": "cloud",
                                               "version": body["version"]}).status_code == 400


def test_an_admin_enters_a_threshold_through_the_api(org, coordinator):
    """Administration › Udbudsgrænser has its API operation: the same service, the same
    refusals (source required, overlapping periods), amounts as JSON numbers, admins only."""
    TenderThreshold.objects.all().delete()
    admin = ApiClient(testing.make_user(org, "admin-api", "admin"))
    period = {"valid_from": "2026-01-01", "valid_to": "2027-12-31", "amount": 1893000}
    refused = admin.post("/thresholds", period)
    assert refused.status_code == 400 and "source" in refused.json()["fields"]
    created = admin.post("/thresholds", {**period, "source": "C/2025/7081"})
    assert created.status_code == 201, created.content
    assert (created.json()["amount"], created.json()["source"]) == ("1893000.00", "C/2025/7081")
    overlap = admin.post("/thresholds", {**period, "source": "igen"})
    assert overlap.status_code == 409 and error_of(overlap) == "invalid_combination"
    assert ApiClient(coordinator).post("/thresholds", {**period, "source": "x"}).status_code == 403
    assert TenderThreshold.objects.count() == 1
