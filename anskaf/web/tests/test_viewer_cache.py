"""The viewer is cached across requests (orgs/viewer.py, ADR 0041), and a stale role is a
security defect: after a role is revoked, a deputyship ends by date, a person moves to another
unit or the municipality is suspended, the very next request obeys. The shell (base.html with
an empty block) and an API read cost a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone

from anskaf import testing
from anskaf.http.kept import forget_kept
from anskaf.installation import services as operator_services
from anskaf.orgs import deputies
from anskaf.orgs import services as org_services
from anskaf.orgs.models import Membership

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("ANSKAF_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def shell(request: HttpRequest) -> HttpResponse:
    """The empty page: base.html with nothing in its block, the cost every page starts from."""
    page = Template('{% extends "base.html" %}{% block content %}{% endblock %}')
    return HttpResponse(page.render(RequestContext(request, {})))


urlpatterns = [path("tom-side/", shell), path("", include("anskaf.urls"))]


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Every test runs with the per-process cache and once with the shared Redis cache (as an
    installation with several app servers would configure it)."""
    if request.param == "redis":
        if not _redis_answers():
            if os.environ.get("REQUIRE_REDIS") == "1":
                pytest.fail(f"REQUIRE_REDIS=1 but Redis does not answer at {REDIS_URL}")
            pytest.skip(f"Redis does not answer at {REDIS_URL}")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": REDIS_URL, "KEY_PREFIX": "anskaf-test"}}
        from django.core.cache import cache

        cache.clear()
        forget_kept()
    return request.param


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _membership_reads(captured: CaptureQueriesContext) -> list[str]:
    """The viewer's own read: the person's memberships (a page may count others')."""
    return [q["sql"] for q in captured.captured_queries
            if 'FROM "orgs_membership" WHERE "orgs_membership"."person_id"' in q["sql"]]


def test_a_revoked_role_is_refused_by_the_next_request(cache_backend, org):
    admin = testing.make_user(org, "admin-a", "admin")
    colleague = testing.make_user(org, "admin-b", "admin")
    client = _client(colleague)
    assert client.get("/administration/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/administration/").status_code == 200
    assert not _membership_reads(captured)  # the roles came from the cache
    membership = Membership.objects.get(person=colleague, role="admin")
    org_services.role_remove(actor=admin, person_id=colleague.pk, membership_id=membership.pk)
    assert client.get("/administration/").status_code == 403


def test_a_granted_role_is_obeyed_by_the_next_request(cache_backend, org):
    admin = testing.make_user(org, "admin-a", "admin")
    person = testing.make_user(org, "snart-admin", "requester")
    client = _client(person)
    assert client.get("/administration/").status_code == 403
    org_services.role_add(actor=admin, person_id=person.pk, role="admin")
    assert client.get("/administration/").status_code == 200


def test_a_deputyship_ends_by_date_without_a_write(cache_backend, org, unit, other_unit,
                                                   coordinator, monkeypatch):
    case = testing.new_case(coordinator, restricted=True)
    deputy = testing.make_user(org, "stedfortraeder", "requester", unit=other_unit)
    today = timezone.localdate()
    deputies.deputy_add(actor=coordinator, deputy_username=deputy.username, starts_on=today,
                        ends_on=today)
    client = _client(deputy)
    assert client.get(f"/sager/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=1))
    assert client.get(f"/sager/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_a_person_moved_to_another_unit_loses_the_old_units_restricted_case(
        cache_backend, org, unit, other_unit, coordinator):
    admin = testing.make_user(org, "admin-a", "admin")
    case = testing.new_case(coordinator, restricted=True)
    person = testing.make_user(org, "flytter", unit=unit)
    client = _client(person)
    assert client.get(f"/sager/{case.pk}/").status_code == 200
    org_services.person_update(actor=admin, person_id=person.pk, data={
        "username": person.username, "full_name": "Flytter Afdeling", "email": "",
        "unit": other_unit.pk, "is_active": True})
    assert client.get(f"/sager/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_a_unit_moved_under_another_changes_what_its_coordinator_covers(
        cache_backend, org, unit, other_unit):
    admin = testing.make_user(org, "admin-a", "admin")
    below = testing.make_unit(org, "Afdeling under", parent=other_unit)
    requester = testing.make_user(org, "anmoder", "requester", unit=below)
    case = testing.new_case(requester, restricted=True)
    boss = testing.make_user(org, "chef", "management", unit=unit)
    client = _client(boss)
    assert client.get(f"/sager/{case.pk}/").status_code == 404
    org_services.unit_update(actor=admin, unit_id=below.pk, data={
        "name": below.name, "kind": below.kind, "parent": unit.pk})
    assert client.get(f"/sager/{case.pk}/").status_code == 200


def test_a_suspended_municipality_is_locked_out_at_once(cache_backend, org, coordinator):
    operator = operator_services.operator_add(actor=None, username="drift", via="cli")[0]
    client = _client(coordinator)
    assert client.get("/opgaver/").status_code == 200
    assert client.get("/api/v1/cases").status_code == 200
    operator_services.org_suspend(actor=operator, slug=org.slug, reason="Kontrakten er opsagt")
    assert client.get("/opgaver/").status_code == 302  # to the login page
    assert client.get("/api/v1/cases").status_code == 401


# --- what the shell costs ---------------------------------------------------------------------

FLOOR = 2  # the session and the person with their municipality (any logged-in request)
SHELL = FLOOR + 1  # + the work version (the task count) and the unread count, in one statement
API_CASE = 6  # was 10 (issue 23): the case, its steps, decisions and holds; no roles


def _queries(client: Client, url: str) -> list[str]:
    client.get(url)  # warm the per-process caches, as a running server has them
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_empty_page_costs_the_floor_and_one_query(cache_backend, settings, admin_user_of,
                                                      coordinator, case):
    settings.ROOT_URLCONF = __name__
    for person in (coordinator, admin_user_of):  # the admin also sees Administration
        queries = _queries(_client(person), "/tom-side/")
        assert len(queries) == SHELL, queries


def test_an_api_read_reads_no_roles(cache_backend, coordinator, case):
    queries = _queries(_client(coordinator), f"/api/v1/cases/{case.pk}")
    assert not [q for q in queries if "orgs_membership" in q or "orgs_deputy" in q], queries
    assert len(queries) <= API_CASE, queries


def test_the_shell_counts_tasks_and_unread_notifications_fresh(settings, org, coordinator):
    """The counters come from the one query and follow the data: a notification read (no
    audited write) shows on the next page."""
    from anskaf.notifications.models import Notification

    settings.ROOT_URLCONF = __name__
    client = _client(coordinator)
    note = Notification.objects.create(organisation=org, recipient=coordinator, kind="step_assigned",
                                       subject="Til dig", body="", url="/",
                                       created_at=timezone.now())
    assert "Notifikationer (1" in client.get("/tom-side/").content.decode()
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    assert "Notifikationer (" not in client.get("/tom-side/").content.decode()


@pytest.fixture
def admin_user_of(org):
    return testing.make_user(org, "admin-shell", "admin")


def test_the_kept_header_gives_each_request_its_own_working_token(coordinator):
    """The header is kept rendered (ADR 0044) with a placeholder for the logout forms' CSRF
    token; each response carries the requesting session's own, and logging out works."""
    import re

    from django.urls import reverse

    from anskaf.cases.fragments import CSRF_PLACEHOLDER

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    client.get("/sager/")  # renders and keeps the header
    html = client.get("/sager/").content.decode()
    assert CSRF_PLACEHOLDER not in html
    form = re.search(r'action="' + re.escape(reverse("logout")) + r'".*?name="csrfmiddlewaretoken"'
                     r' value="([^"]+)"', html, re.S)
    assert form is not None
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code == 302
    assert client.get("/sager/").status_code == 302  # logged out: to the login page
