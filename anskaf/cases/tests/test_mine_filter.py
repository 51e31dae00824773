""""Mine sager": the cases I coordinate or have a step assigned on, on the page and in the API."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import selectors
from anskaf.cases.errors import ValidationFailed
from anskaf.cases.models import StepState

pytestmark = pytest.mark.django_db


def test_mine_holds_my_coordinated_and_assigned_cases(org, unit, coordinator, requester):
    other = testing.make_user(org, "anden", "coordinator", unit=unit)
    mine = testing.new_case(coordinator, title="Min egen")
    assigned = testing.new_case(other, title="Tildelt mig")
    StepState.objects.filter(case=assigned, number=2).update(assignee=coordinator)
    testing.new_case(other, title="Ikke min")
    phases = (1, 2, 3, 4, 5)
    found = selectors.case_list(viewer=coordinator,
                                filters=selectors.parse_filters({"mine": "1"}, phases))
    assert {c.title for c in found} == {mine.title, assigned.title}
    every = selectors.case_list(viewer=coordinator,
                                filters=selectors.parse_filters({}, phases))
    assert len(every) == 3
    with pytest.raises(ValidationFailed):
        selectors.parse_filters({"mine": "måske"}, phases)


def test_the_page_and_the_api_filter_mine(client, coordinator, org, unit):
    other = testing.make_user(org, "anden", "coordinator", unit=unit)
    testing.new_case(coordinator, title="Min egen")
    testing.new_case(other, title="Ikke min")
    client.force_login(coordinator)
    page = client.get("/sager/?mine=1").content.decode()
    assert "Min egen" in page and "Ikke min" not in page
    items = client.get("/api/v1/cases?mine=true").json()["items"]
    assert [i["title"] for i in items] == ["Min egen"]


def test_the_list_shows_days_in_the_current_step(client, coordinator):
    import datetime as dt

    from django.utils import timezone

    case = testing.new_case(coordinator, title="Gammel sag")
    testing.advance(coordinator, case, 1)
    StepState.objects.filter(case=case, number=1).update(
        completed_at=timezone.now() - dt.timedelta(days=9))
    client.force_login(coordinator)
    page = client.get("/sager/").content.decode()
    assert "Dage i trinnet" in page and "<td>9</td>" in page


def test_the_list_sorts_by_its_columns_with_aria_sort(client, coordinator):
    for title in ("Bravo", "Alfa", "Charlie"):
        testing.new_case(coordinator, title=title)
    client.force_login(coordinator)
    page = client.get("/sager/?sort=title").content.decode()
    assert page.index("Alfa") < page.index("Bravo") < page.index("Charlie")
    assert 'aria-sort="ascending"><a href="?sort=-title">Titel' in page
    page = client.get("/sager/?sort=-title").content.decode()
    assert page.index("Charlie") < page.index("Bravo") < page.index("Alfa")
    assert 'aria-sort="descending"' in page
    assert client.get("/sager/?sort=skostørrelse").status_code == 400
    items = client.get("/api/v1/cases?sort=title").json()["items"]
    assert [i["title"] for i in items] == ["Alfa", "Bravo", "Charlie"]
    assert client.get("/api/v1/cases?sort=nope").status_code == 400
