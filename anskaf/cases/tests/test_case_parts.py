"""The case page's lazily loaded parts (ADR 0042): own URL and check, cached fragments under a
version and the viewer's permission signature, the requesting user's CSRF token, and a user's
own write seen at once."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.fragments import CSRF_PLACEHOLDER
from anskaf.cases.process_models import model_for
from anskaf.cases.views import FRAGMENT_HEADER
from anskaf.http.kept import forget_kept
from anskaf.portfolio.models import System
from anskaf.portfolio.steps import NEEDS

HTMX = {"HX-Request": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _part(case, slug: str, **query) -> str:
    url = reverse("cases:case_part", args=[case.pk, slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def world(db):
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit)
    case = testing.new_case(coordinator, title="Sag med dele")
    return {"org": org, "unit": unit, "coordinator": coordinator, "case": case}


def test_the_case_page_loads_its_parts_after_the_first_response(world):
    page = _client(world["coordinator"]).get(reverse("cases:case_detail",
                                                     args=[world["case"].pk]))
    html = page.content.decode()
    assert f'hx-get="{_part(world["case"], "tidslinje")}"' in html
    # Without JavaScript: a link to the part as a page of its own.
    assert f'<a href="{_part(world["case"], "tidslinje")}">' in html
    assert "oprettede sagen" not in html  # the events are read only when opened


def test_a_viewer_who_may_not_see_the_case_gets_404_for_every_part(world):
    other = testing.make_org("aabenraa", "Aabenraa Kommune")
    outsider = testing.make_user(other, "fremmed", "coordinator",
                                 unit=testing.make_unit(other, "Andet"))
    client = _client(outsider)
    for slug in ("tidslinje", "it-visitationen", "portefoelje", "dokumenter"):
        assert client.get(_part(world["case"], slug), headers=HTMX).status_code == 404


def test_an_unknown_part_or_a_step_the_panel_is_not_on_is_404(world):
    client = _client(world["coordinator"])
    assert client.get(_part(world["case"], "ingenting")).status_code == 404
    assert client.get(_part(world["case"], "portefoelje", trin=1)).status_code == 404


def test_a_part_without_javascript_is_a_page_of_its_own(world):
    response = _client(world["coordinator"]).get(_part(world["case"], "tidslinje"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" in html and "Tidslinje" in html and "oprettede sagen" in html


def test_after_their_own_write_a_user_sees_it_in_the_timeline_at_once(world):
    client, case = _client(world["coordinator"]), world["case"]
    first = client.get(_part(case, "tidslinje"), headers=HTMX)
    assert first[FRAGMENT_HEADER] == "miss"
    assert client.get(_part(case, "tidslinje"), headers=HTMX)[FRAGMENT_HEADER] == "hit"
    services.step_update(actor=world["coordinator"], case_id=case.pk, number=1,
                         remarks="Ny bemærkning")
    after = client.get(_part(case, "tidslinje"), headers=HTMX)
    assert after[FRAGMENT_HEADER] == "miss"
    assert after.content.count(b"<li>") == first.content.count(b"<li>") + 1


def test_after_linking_a_system_the_portfolio_part_shows_it_at_once(world):
    client, case = _client(world["coordinator"]), world["case"]
    url = _part(case, "portefoelje", trin=NEEDS.number(model_for(case)))
    assert b"Nyt fagsystem" not in client.get(url, headers=HTMX).content
    system = System.objects.create(organisation=world["org"], name="Nyt fagsystem")
    response = client.post(reverse("portfolio:case_link", args=[case.pk]),
                           {"kind": "acquired", "system": system.pk})
    assert response.status_code == 302
    assert b"Nyt fagsystem" in client.get(url, headers=HTMX).content


def test_viewers_with_the_same_answers_share_a_fragment_and_others_do_not(world):
    case, unit = world["case"], world["unit"]
    colleague = testing.make_user(world["org"], "kollega", "coordinator", unit=unit)
    reader = testing.make_user(world["org"], "laeser", "it")
    url = _part(case, "it-visitationen")
    # The board section shows one answer of the viewer's: may they put the case forward.
    assert _client(world["coordinator"]).get(url, headers=HTMX)[FRAGMENT_HEADER] == "miss"
    assert _client(colleague).get(url, headers=HTMX)[FRAGMENT_HEADER] == "hit"
    assert _client(reader).get(url, headers=HTMX)[FRAGMENT_HEADER] == "miss"


def test_a_cached_fragment_carries_the_requesting_users_csrf_token(world):
    case = world["case"]
    colleague = testing.make_user(world["org"], "kollega", "coordinator", unit=world["unit"])
    url = _part(case, "portefoelje", trin=NEEDS.number(model_for(case)))
    _client(world["coordinator"]).get(url, headers=HTMX)
    second = Client(enforce_csrf_checks=True)
    second.force_login(colleague)
    second.get(reverse("cases:case_detail", args=[case.pk]))  # sets the CSRF cookie
    response = second.get(url, headers=HTMX)
    assert response[FRAGMENT_HEADER] == "hit"
    html = response.content.decode()
    assert CSRF_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    system = System.objects.create(organisation=world["org"], name="Fagsystem")
    posted = second.post(reverse("portfolio:case_link", args=[case.pk]),
                         {"kind": "acquired", "system": system.pk,
                          "csrfmiddlewaretoken": token})
    assert posted.status_code == 302  # the token in the cached HTML is the colleague's own


def _miss_queries(client: Client, url: str) -> int:
    cache.clear()
    forget_kept()
    client.get(url, headers=HTMX)  # warm the per-process caches (process models), not the part
    cache.clear()
    forget_kept()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=HTMX)
    assert response[FRAGMENT_HEADER] == "miss"
    return len(captured.captured_queries)


def test_each_part_reads_the_same_queries_for_a_new_and_a_long_case(world):
    coordinator, client = world["coordinator"], _client(world["coordinator"])
    long_case = testing.new_case(coordinator, title="Lang sag")
    testing.advance(coordinator, long_case, through=9)  # through the board, decisions, rounds
    for i in range(5):
        services.step_update(actor=coordinator, case_id=long_case.pk, number=10,
                             remarks=f"Bemærkning {i}")
    for slug in ("tidslinje", "it-visitationen", "portefoelje", "dokumenter"):
        new = _miss_queries(client, _part(world["case"], slug))
        long = _miss_queries(client, _part(long_case, slug))
        assert new == long, (slug, new, long)
        assert long <= 15, (slug, long)
