"""Saved filters of the case list (issue 20): a person saves the list's filter and sort under a
name, applies it (a link), deletes it; the API does the same through the same functions. And
the list's deadline column."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases import saved_filters
from anskaf.cases.errors import NotFound, ValidationFailed
from anskaf.cases.models import SavedFilter

pytestmark = pytest.mark.django_db


def test_a_saved_filter_is_the_lists_query_checked_and_in_a_fixed_order(coordinator):
    record = saved_filters.saved_filter_save(
        actor=coordinator, name="  Mine   aktive ",
        query="sort=-moved&fra=25&status=active&mine=on&q=&efter=x")
    assert record.name == "Mine aktive"
    assert record.query == "mine=1&status=active&sort=-moved"  # no paging, no empty values
    assert saved_filters.saved_filter_save(actor=coordinator, name="Alle", query="").query == ""
    assert saved_filters.saved_filter_save(actor=coordinator, name="Standard",
                                           query="sort=-updated").query == ""


def test_a_used_name_gets_the_new_filter_and_both_are_audited(coordinator, org):
    first = saved_filters.saved_filter_save(actor=coordinator, name="Drift", query="status=active")
    again = saved_filters.saved_filter_save(actor=coordinator, name="Drift",
                                            query="status=in_operation")
    assert again.pk == first.pk and again.query == "status=in_operation"
    saved_filters.saved_filter_delete(actor=coordinator, filter_id=first.pk)
    types = list(AuditEvent.objects.filter(object_type="cases.SavedFilter")
                 .order_by("seq").values_list("event_type", flat=True))
    assert types == ["saved_filter.created", "saved_filter.updated", "saved_filter.deleted"]
    assert audit_verify(org.pk).ok


def test_a_bad_filter_or_name_is_refused_in_danish(coordinator):
    with pytest.raises(ValidationFailed) as bad_status:
        saved_filters.saved_filter_save(actor=coordinator, name="X", query="status=slettet")
    assert "Ukendt status" in bad_status.value.errors["status"]
    with pytest.raises(ValidationFailed) as no_name:
        saved_filters.saved_filter_save(actor=coordinator, name="  ", query="")
    assert no_name.value.errors == {"name": "Giv filteret et navn."}
    with pytest.raises(ValidationFailed):
        saved_filters.saved_filter_save(actor=coordinator, name="x" * 81, query="")
    assert not SavedFilter.objects.exists()


def test_a_filter_is_its_owners_alone(coordinator, requester):
    mine = saved_filters.saved_filter_save(actor=coordinator, name="Mine", query="mine=1")
    assert saved_filters.saved_filters(viewer=requester) == []
    with pytest.raises(NotFound):
        saved_filters.saved_filter_delete(actor=requester, filter_id=mine.pk)
    assert SavedFilter.objects.filter(pk=mine.pk).exists()


def test_the_page_saves_lists_applies_and_deletes_a_filter(client, coordinator):
    testing.new_case(coordinator, title="Økonomisystem")
    client.force_login(coordinator)
    html = client.get("/sager/?status=active&sort=-moved&fra=0").content.decode()
    assert "Du har ingen gemte filtre." in html
    assert 'name="query" value="status=active&amp;sort=-moved"' in html  # no paging
    response = client.post("/sager/filtre/", {"name": "Aktive", "query": "status=active&sort=-moved"})
    assert response.status_code == 302
    assert response["Location"] == "/sager/?status=active&sort=-moved"
    html = client.get(response["Location"]).content.decode()
    assert "Filteret »Aktive« er gemt." in html
    assert ('<a href="/sager/?status=active&amp;sort=-moved" aria-current="true">Aktive</a>'
            in html)
    record = SavedFilter.objects.get(owner=coordinator)
    response = client.post(f"/sager/filtre/{record.pk}/slet/")
    assert response.status_code == 302
    html = client.get("/sager/").content.decode()
    assert "Filteret er slettet." in html and "Du har ingen gemte filtre." in html


def test_a_save_without_a_name_shows_the_error_and_keeps_the_filter(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/sager/filtre/", {"name": "", "query": "status=active"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Giv filteret et navn." in html
    assert 'name="query" value="status=active"' in html
    assert '<details class="details" open>' in html
    assert not SavedFilter.objects.exists()


def test_deleting_someone_elses_filter_is_404(client, coordinator, requester):
    theirs = saved_filters.saved_filter_save(actor=requester, name="Deres", query="")
    client.force_login(coordinator)
    assert client.post(f"/sager/filtre/{theirs.pk}/slet/").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def _api(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}


def test_the_api_lists_creates_and_deletes_the_callers_filters(client, coordinator, requester):
    headers = _api(coordinator)
    body = {"name": "Fase 2", "phase": 2, "mine": True, "sort": "-moved", "without_coordinator": False}
    response = client.post("/api/v1/saved-filters", data=json.dumps(body),
                           content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["query"] == "mine=1&phase=2&sort=-moved"
    assert created["url"] == "/sager/?mine=1&phase=2&sort=-moved"
    listed = client.get("/api/v1/saved-filters", **headers).json()
    assert [f["name"] for f in listed] == ["Fase 2"]
    assert client.get("/api/v1/saved-filters", **_api(requester)).json() == []
    assert client.delete(f"/api/v1/saved-filters/{created['id']}",
                         **_api(requester)).status_code == 404
    assert client.delete(f"/api/v1/saved-filters/{created['id']}", **headers).status_code == 204
    assert client.get("/api/v1/saved-filters", **headers).json() == []


def test_the_api_refuses_a_phase_the_model_lacks_as_a_reference(client, coordinator):
    response = client.post("/api/v1/saved-filters", data=json.dumps({"name": "X", "phase": 99}),
                           content_type="application/json", **_api(coordinator))
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_reference"
    response = client.post("/api/v1/saved-filters", data=json.dumps({"phase": 1}),
                           content_type="application/json", **_api(coordinator))
    assert response.status_code == 400 and "name" in response.json()["fields"]


def test_the_case_list_shows_the_earliest_deadline_of_the_steps_it_waits_for(client, coordinator):
    from anskaf.notifications.services import deadline_set

    case = testing.new_case(coordinator, title="Med frist")
    testing.new_case(coordinator, title="Uden frist")
    due = timezone.localdate() + dt.timedelta(days=10)
    first_waiting = sorted(case.waiting_steps)[0]
    deadline_set(actor=coordinator, case_id=case.pk, number=first_waiting, due_date=due.isoformat())
    client.force_login(coordinator)
    html = client.get("/sager/").content.decode()
    assert '<th scope="col">Frist</th>' in html
    row = html.split("Med frist")[1].split("</tr>")[0]
    assert due.strftime("%d.%m.%Y") in row
    other = html.split("Uden frist")[1].split("</tr>")[0]
    assert other.rstrip().endswith("–</td>")
