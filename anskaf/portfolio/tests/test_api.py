"""The portfolio's API v1: reads for everyone in the municipality, writes for the roles."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create


def _client(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def it_client(it_person):
    return _client(it_person)


def test_create_read_and_list_systems(it_client, requester, old_system):
    response = _post(it_client, "/api/v1/systems", {
        "name": "Nyt ESDH", "personal_data": True, "lifecycle": "PhasingIn",
        "predecessor": old_system.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["personal_data"] is True and body["predecessor_id"] == old_system.pk
    reader = _client(requester)
    old = reader.get(f"/api/v1/systems/{old_system.pk}").json()
    assert old["successor_ids"] == [body["id"]]
    listing = reader.get("/api/v1/systems", {"lifecycle": "PhasingIn"}).json()
    assert [s["name"] for s in listing["items"]] == ["Nyt ESDH"]
    page = reader.get("/api/v1/systems", {"limit": 1}).json()
    assert len(page["items"]) == 1 and "offset=1" in page["next"]
    assert reader.get("/api/v1/systems", {"q": "journalisering"}).json()["items"][0][
        "name"] == "Gammelt ESDH"


def test_bad_input_is_400_in_danish(it_client, old_system):
    response = _post(it_client, "/api/v1/systems", {"name": "", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["error"] == "validation_error"
    assert "colour" in response.json()["fields"]
    response = _post(it_client, f"/api/v1/systems/{old_system.pk}/contracts", {
        "number": "K-1", "start_date": "2024-01-31", "duration_months": 12,
        "option_count": 1, "option_months": 12, "options_used": 3, "notice_months": 3,
        "notice_to": "month"})
    # each field fits the document, the combination does not: a business refusal
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_combination"
    assert "optioner" in response.json()["fields"]["options_used"]


def test_contract_dates_and_dpa_in_the_api(org, old_system):
    legal = testing.make_user(org, "jura", "legal")
    client = _client(legal)
    response = _post(client, f"/api/v1/systems/{old_system.pk}/contracts", {
        "number": "K-1", "start_date": "2024-01-31", "duration_months": 1,
        "option_count": 0, "option_months": 0, "options_used": 0, "notice_months": 0,
        "notice_to": "none", "terminated_on": "2024-02-15"})
    assert response.status_code == 201, response.content
    assert response.json()["end_date"] == "2024-02-15" and response.json()["notice_by"] is None
    assert response.json()["binding_end"] == "2024-02-29"
    response = _post(client, f"/api/v1/systems/{old_system.pk}/dpas", {
        "supplier": "Acme", "signed_on": "2024-02-29", "oversight_method": "isae3402_2",
        "oversight_interval_months": 12})
    assert response.status_code == 201, response.content
    assert response.json()["next_oversight_on"] == "2025-02-28"
    items = client.get(f"/api/v1/systems/{old_system.pk}/dpas").json()["items"]
    assert [d["supplier"] for d in items] == ["Acme"]


def test_another_municipality_sees_nothing(outsider, old_system):
    client = _client(outsider)
    assert client.get(f"/api/v1/systems/{old_system.pk}").status_code == 404
    assert client.get("/api/v1/systems").json()["items"] == []


def test_a_list_for_a_text_field_is_a_400_and_never_stored(it_client, old_system):
    """Issue 16: the portfolio API once stored {"name": ["x"]} as the text "['x']" (the form
    took the list's text). The body is strict now: a wrong JSON type is a 400 naming the
    field, and nothing is written."""
    from anskaf.portfolio.models import System

    count = System.objects.count()
    for url, body in (("/api/v1/systems", {"name": ["x"]}),
                      ("/api/v1/systems", {"name": "Ny", "supplier": {"a": 1}}),
                      (f"/api/v1/systems/{old_system.pk}/dpas", {"supplier": ["Acme"]})):
        response = _post(it_client, url, body)
        assert response.status_code == 400, (url, body, response.content)
        assert response.json()["error"] == "validation_error"
        assert set(response.json()["fields"]) & set(body), response.json()
    assert System.objects.count() == count
    assert not System.objects.filter(name__contains="[").exists()
    patched = it_client.patch(f"/api/v1/systems/{old_system.pk}",
                              data=json.dumps({"name": ["x"], "version": old_system.version}),
                              content_type="application/json")
    assert patched.status_code == 400 and "name" in patched.json()["fields"]
    old_system.refresh_from_db()
    assert old_system.name == "Gammelt ESDH"


def _list_queries(client, url: str) -> tuple[int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the viewer, as a running server has it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


def test_the_system_list_reads_the_same_queries_for_3_and_30_assessed_systems(it_client, org,
                                                                               unit, it_person):
    from django.utils import timezone

    from anskaf.portfolio.models import System

    def grow(count: int) -> None:
        for i in range(count):  # each with its unit and archive assessor, as the list shows
            System.objects.create(organisation=org, name=f"System {i:02d}", owner_unit=unit,
                                  personal_data=True, archive_decision="archive",
                                  archive_assessed_by=it_person,
                                  archive_assessed_at=timezone.now(),
                                  search_text=f"system {i:02d} fælles")

    grow(3)
    few, _ = _list_queries(it_client, "/api/v1/systems?limit=50")
    few_found, _ = _list_queries(it_client, "/api/v1/systems?q=f%C3%A6lles&limit=50")
    grow(27)
    many, body = _list_queries(it_client, "/api/v1/systems?limit=50")
    many_found, found = _list_queries(it_client, "/api/v1/systems?q=f%C3%A6lles&limit=50")
    assert (few, few_found) == (many, many_found)
    assert len(body["items"]) == 30 and len(found["items"]) == 30
    assert body["items"][0]["archive"]["assessed_by"] == it_person.username
    assert body["items"][0]["owner_unit"]["name"] == unit.name
