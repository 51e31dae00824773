"""The hand-over in the UI (a page of its own, works without JS) and the API; the case list
marks and filters cases "uden koordinator" (issue 19, item 2)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.api.tests.conftest import ApiClient, error_of

from .helpers import fresh, last_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def successor(org, unit):
    return testing.make_user(org, "efterfoelger", "coordinator", unit=unit,
                             full_name="Eva Efterfølger")


def test_the_case_page_links_to_the_hand_over_for_who_may_edit(client, coordinator, requester,
                                                               case):
    client.force_login(coordinator)
    assert f"/sager/{case.pk}/overdrag/" in client.get(f"/sager/{case.pk}/").content.decode()
    client.force_login(requester)
    assert f"/sager/{case.pk}/overdrag/" not in client.get(f"/sager/{case.pk}/").content.decode()


def test_the_hand_over_page_offers_the_coordinators_and_hands_over(client, coordinator,
                                                                   successor, requester, case):
    client.force_login(coordinator)
    page = client.get(f"/sager/{case.pk}/overdrag/").content.decode()
    assert "Ny koordinator" in page and "Eva Efterfølger" in page
    assert ">medarbejder<" not in page  # no coordinator role: not offered
    response = client.post(f"/sager/{case.pk}/overdrag/",
                           {"coordinator": "efterfoelger", "reason": "Ny stilling",
                            "version": str(case.version)})
    assert response.status_code == 302
    assert fresh(case).coordinator_id == successor.pk
    assert last_event(case).event_type == "case.handed_over"
    detail = client.get(f"/sager/{case.pk}/").content.decode()
    assert "er overdraget til Eva Efterfølger" in detail
    timeline = client.get(f"/sager/{case.pk}/dele/tidslinje/").content.decode()
    assert "overdrog sagen fra koordinator til efterfoelger" in timeline


def test_the_hand_over_page_explains_a_missing_choice(client, coordinator, successor, case):
    client.force_login(coordinator)
    response = client.post(f"/sager/{case.pk}/overdrag/", {"coordinator": ""})
    assert response.status_code == 400
    assert "Vælg den nye koordinator." in response.content.decode()


def test_the_api_hands_over_and_answers_with_the_case(coordinator, successor, case):
    response = ApiClient(coordinator).post(f"/cases/{case.pk}/handover",
                                           {"coordinator": "efterfoelger"})
    assert response.status_code == 200, response.content
    assert response.json()["coordinator"] == "efterfoelger"


def test_the_api_refuses_a_person_without_the_role_and_who_may_not_edit(coordinator, requester,
                                                                        successor, case):
    response = ApiClient(coordinator).post(f"/cases/{case.pk}/handover",
                                           {"coordinator": "medarbejder"})
    # well-formed, but no one who may coordinate: a business refusal (ADR 0022), not a 400
    assert response.status_code == 409 and error_of(response) == "invalid_reference"
    response = ApiClient(requester).post(f"/cases/{case.pk}/handover",
                                         {"coordinator": "efterfoelger"})
    assert response.status_code == 403


def test_a_deactivated_coordinators_cases_show_as_uden_koordinator(client, org, coordinator,
                                                                   case):
    admin = testing.make_user(org, "admin", "admin")
    other = testing.new_case(testing.make_user(org, "k2", "coordinator", unit=case.requesting_unit))
    coordinator.is_active = False
    coordinator.save()
    client.force_login(admin)
    listing = client.get("/sager/").content.decode()
    assert listing.count("uden koordinator") >= 1
    filtered = client.get("/sager/?without_coordinator=1").content.decode()
    assert case.title in filtered and other.number not in filtered
    assert "uden koordinator" in client.get(f"/sager/{case.pk}/").content.decode()
    api = ApiClient(admin).get("/cases?without_coordinator=true").json()
    assert [c["id"] for c in api["items"]] == [case.pk]
