"""GET /api/v1/cases/{id}/events: the case's timeline from the audit trail, paged by seq."""

from __future__ import annotations

import pytest

from anskaf.testing import advance, new_case

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_the_timeline_lists_the_cases_events_oldest_first(api, coordinator, case):
    advance(coordinator, case, through=2)
    body = api.get(f"/cases/{case.pk}/events").json()
    assert set(body) == {"items", "next"} and body["next"] is None
    types = [e["type"] for e in body["items"]]
    assert types == ["case.created", "step.completed", "step.completed"]
    first = body["items"][0]
    assert set(first) >= {"seq", "at", "actor", "role", "type", "object_type", "object_id",
                          "before", "after", "request_id"}
    assert first["actor"] == "koordinator"
    assert first["object_type"] == "cases.Case" and first["object_id"] == str(case.pk)
    assert first["before"] is None and first["after"]["title"] == case.title
    seqs = [e["seq"] for e in body["items"]]
    assert seqs == sorted(seqs)


def test_an_api_request_is_recorded_with_its_request_id(api, case):
    api.post(f"/cases/{case.pk}/steps/1/complete", {}, HTTP_X_REQUEST_ID="req-42")
    last = api.get(f"/cases/{case.pk}/events").json()["items"][-1]
    assert last["type"] == "step.completed" and last["request_id"] == "req-42"


def test_the_timeline_holds_only_this_cases_events(api, coordinator, case):
    other = new_case(coordinator)
    advance(coordinator, other, through=3)
    body = api.get(f"/cases/{case.pk}/events").json()
    assert [e["type"] for e in body["items"]] == ["case.created"]


def test_the_timeline_pages_by_seq(api, coordinator, case):
    advance(coordinator, case, through=6)
    everything = api.get(f"/cases/{case.pk}/events?limit=200").json()["items"]
    assert len(everything) == 7
    seen, path = [], f"/api/v1/cases/{case.pk}/events?limit=3"
    while path:
        assert path.startswith(f"/api/v1/cases/{case.pk}/events?")
        body = api.get(path).json()
        assert len(body["items"]) <= 3
        seen += body["items"]
        path = body["next"]
    assert seen == everything


@pytest.mark.parametrize("query", ["limit=0", "limit=x", "limit=", "cursor="])
def test_bad_paging_parameters_are_400(api, case, query):
    response = api.get(f"/cases/{case.pk}/events?{query}")
    assert response.status_code == 400
    assert error_of(response) == "validation_error"


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=-1"])
def test_a_cursor_that_names_no_page_is_404(api, case, query):
    response = api.get(f"/cases/{case.pk}/events?{query}")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_the_timeline_of_an_unknown_case_is_404_before_bad_parameters(api, case):
    response = api.get(f"/cases/{case.pk + 500}/events?limit=x")
    assert response.status_code == 404


def test_another_municipalitys_timeline_is_404(outsider_api, case):
    response = outsider_api.get(f"/cases/{case.pk}/events")
    assert response.status_code == 404
    assert error_of(response) == "not_found"
