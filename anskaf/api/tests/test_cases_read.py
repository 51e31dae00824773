"""GET /api/v1/cases (list, filters, pages) and GET /api/v1/cases/{id}."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anskaf.cases import services
from anskaf.testing import advance, decider_for, new_case

from .conftest import error_of

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


# --- list --------------------------------------------------------------------------------------


def test_the_list_has_items_and_next(api, case):
    body = api.get("/cases").json()
    assert set(body) == {"items", "next"}
    assert body["next"] is None
    item = body["items"][0]
    assert set(item) == {"id", "number", "title", "status", "phase", "phase_name", "unit",
                         "waiting_roles", "steps_in_progress", "updated_at"}
    assert item["title"] == "Nyt økonomisystem"
    assert item["waiting_roles"]


def test_the_list_shows_the_most_recently_changed_case_first(api, coordinator):
    old, new = new_case(coordinator, title="Gammel"), new_case(coordinator, title="Ny")
    assert ids(api.get("/cases")) == [new.pk, old.pk]
    services.step_update(actor=coordinator, case_id=old.pk, number=1, remarks="rørt")
    assert ids(api.get("/cases")) == [old.pk, new.pk]


def test_the_list_shows_the_steps_in_progress(api, coordinator, case):
    services.step_update(actor=coordinator, case_id=case.pk, number=2, status="in_progress")
    assert api.get("/cases").json()["items"][0]["steps_in_progress"] == [2]


def test_the_list_holds_only_the_callers_municipality(api, outsider_api, case, outsider):
    theirs = new_case(outsider)
    assert ids(api.get("/cases")) == [case.pk]
    assert ids(outsider_api.get("/cases")) == [theirs.pk]


def test_pages_follow_next_until_null(api, coordinator):
    created = [new_case(coordinator, title=f"Sag {i}").pk for i in range(5)]
    seen: list[int] = []
    path = "/api/v1/cases?limit=2"
    pages = 0
    while path:
        assert path.startswith("/api/v1/")
        body = api.get(path).json()
        seen += [item["id"] for item in body["items"]]
        path = body["next"]
        pages += 1
    assert pages == 3
    assert seen == sorted(created, reverse=True)


def test_next_keeps_the_filters_in_its_query_string(api, coordinator):
    for i in range(3):
        new_case(coordinator, title=f"Økonomi {i}")
    new_case(coordinator, title="Andet")
    body = api.get("/cases?q=økonomi&status=active&limit=2").json()
    query = parse_qs(urlsplit(body["next"]).query)
    assert query["q"] == ["økonomi"] and query["status"] == ["active"]
    assert query["limit"] == ["2"] and query["cursor"]
    rest = api.get(body["next"]).json()
    assert len(body["items"]) + len(rest["items"]) == 3
    assert rest["next"] is None


def test_the_default_page_size_is_50_and_the_maximum_200(settings):
    assert settings.ANSKAF_API_PAGE_SIZE == 50
    assert settings.ANSKAF_API_MAX_PAGE_SIZE == 200


def test_without_limit_a_page_holds_50_cases(api, coordinator):
    for i in range(51):
        new_case(coordinator, title=f"Sag {i}")
    body = api.get("/cases").json()
    assert len(body["items"]) == 50
    assert "limit=50" in body["next"]
    assert len(api.get(body["next"]).json()["items"]) == 1


def test_a_limit_above_the_maximum_is_capped(api, coordinator, settings):
    settings.ANSKAF_API_MAX_PAGE_SIZE = 2
    for i in range(3):
        new_case(coordinator, title=f"Sag {i}")
    body = api.get("/cases?limit=999").json()
    assert len(body["items"]) == 2
    assert "limit=2" in body["next"]


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", ""])
def test_a_limit_that_is_not_a_positive_whole_number_is_400(api, case, limit):
    response = api.get(f"/cases?limit={limit}")
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    assert "limit" in response.json()["fields"]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjoxfQ", "WyIyMDI2LTAxLTAxIiwgMV0"])
def test_a_cursor_that_was_not_made_by_the_api_names_no_page_404(api, case, cursor):
    # A string, as the OpenAPI document says, so not a 400 (issue 21, item 3).
    response = api.get(f"/cases?cursor={cursor}")
    assert response.status_code == 404
    assert error_of(response) == "not_found"
    assert "cursor" in response.json()["message"]


def test_an_empty_cursor_is_400(api, case):
    response = api.get("/cases?cursor=")
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


def test_unknown_units_and_phases_within_the_documented_range(api, case):
    assert api.get("/cases?unit=987654").json()["items"] == []
    assert api.get("/cases?phase=5").status_code == 200
    for query in ("unit=0", "phase=0", "phase=6"):
        assert api.get(f"/cases?{query}").status_code == 400, query


def test_the_status_filter(api, coordinator):
    active = new_case(coordinator)
    withdrawn = new_case(coordinator)
    services.case_withdraw(actor=coordinator, case_id=withdrawn.pk, reason="Ikke længere behov")
    assert ids(api.get("/cases?status=withdrawn")) == [withdrawn.pk]
    assert ids(api.get("/cases?status=active")) == [active.pk]


def test_the_phase_filter(api, coordinator):
    early = new_case(coordinator)
    later = advance(coordinator, new_case(coordinator), through=6)
    assert later.phase == 3
    assert ids(api.get("/cases?phase=3")) == [later.pk]
    assert ids(api.get("/cases?phase=1")) == [early.pk]


def test_the_unit_filter(api, coordinator, unit, other_unit):
    mine = new_case(coordinator)
    theirs = new_case(coordinator, unit=other_unit.pk)
    assert ids(api.get(f"/cases?unit={other_unit.pk}")) == [theirs.pk]
    assert ids(api.get(f"/cases?unit={unit.pk}")) == [mine.pk]


def test_the_search_finds_okonomi_when_you_type_it_in_lower_case(api, coordinator):
    found = new_case(coordinator, title="Økonomisystem til budget")
    new_case(coordinator, title="Vagtplan")
    assert ids(api.get("/cases?q=økonomi")) == [found.pk]
    assert ids(api.get("/cases?q=ØKONOMI")) == [found.pk]


def test_the_search_finds_a_case_by_number(api, coordinator):
    first = new_case(coordinator, title="A")
    new_case(coordinator, title="B")
    assert ids(api.get(f"/cases?q={first.number}")) == [first.pk]


@pytest.mark.parametrize("query", ["status=open", "phase=x", "unit=y", "q=%00"])
def test_a_bad_filter_is_400_naming_it(api, case, query):
    response = api.get(f"/cases?{query}")
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    assert query.split("=")[0] in response.json()["fields"]


# --- detail ------------------------------------------------------------------------------------


def test_a_case_shows_its_steps_and_decisions(api, coordinator, case):
    advance(coordinator, case, through=6)
    body = api.get(f"/cases/{case.pk}").json()
    assert body["id"] == case.pk and body["phase"] == 3
    assert [s["status"] for s in body["steps"][:6]] == ["done"] * 6
    assert body["steps"][0]["completed_by"] == "koordinator"
    assert body["steps"][0]["completed_at"]
    [decision] = body["decisions"]
    assert decision["step"] == 6 and decision["round"] == 1 and decision["outcome"] == "yes"
    assert decision["decided_by"] == decider_for(case, 6).username  # the board decides 6
    assert set(decision) >= {"id", "step", "round", "outcome", "rationale", "recommendations",
                             "it_contacts", "missing_documentation", "decided_by", "decided_at"}


def test_an_unknown_case_is_404(api, case):
    response = api.get(f"/cases/{case.pk + 1000}")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_another_municipalitys_case_is_404(outsider_api, case):
    response = outsider_api.get(f"/cases/{case.pk}")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


# --- bounded queries ---------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_takes_the_same_number_of_queries_for_3_and_30_cases(coordinator):
    client = Client()
    client.force_login(coordinator)
    for i in range(3):
        advance(coordinator, new_case(coordinator, title=f"Sag {i}"), through=i + 1)
    few = _queries(client, "/api/v1/cases")
    for i in range(27):
        new_case(coordinator, title=f"Mere {i}")
    many = _queries(client, "/api/v1/cases")
    assert few == many
    assert few <= 8  # session, user, the person's roles (3), count-free list, units


def test_a_case_takes_the_same_number_of_queries_with_3_and_30_cases(coordinator):
    client = Client()
    client.force_login(coordinator)
    cases = [new_case(coordinator, title=f"Sag {i}") for i in range(3)]
    advance(coordinator, cases[0], through=6)
    few = _queries(client, f"/api/v1/cases/{cases[0].pk}")
    for i in range(27):
        advance(coordinator, new_case(coordinator, title=f"Mere {i}"), through=1)
    services.decision_record(actor=decider_for(cases[0], 7), case_id=cases[0].pk, step=7, outcome="yes",
                             rationale="Videre")
    many = _queries(client, f"/api/v1/cases/{cases[0].pk}")
    assert few == many
    assert few <= 10


def test_the_case_says_what_it_waits_for_now_and_what_only_in_principle(api, case):
    """ADR 0020: a new case waits on its first step; the rest of its segment is parallel, and
    the board's meeting is held until the case is put forward. The first step is started: the
    create form answered its checklist (ADR 0029)."""
    body = api.get(f"/cases/{case.pk}").json()
    first = body["steps"][0]["number"]
    assert [(w["step"], w["reason"]) for w in body["waiting_now"]] == [(first, "started")]
    assert body["waiting_in_principle"]
    assert {w["reason"] for w in body["waiting_in_principle"]} == {"parallel", "held"}
    held = [w for w in body["waiting_in_principle"] if w["reason"] == "held"]
    assert [w["key"] for w in held] == ["it_board_meeting"]
    assert "ikke sendt til IT-visitationen" in held[0]["hold"]
