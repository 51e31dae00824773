"""The case page's one-line steps, kept rendered and shared between cases (ADR 0046): a line
is rendered once for every case that shows the same, each case gets its own links and panels,
and a change of what a line shows is on the next page at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.cases import services
from anskaf.http.kept import forget_kept

LINE = "cases/includes/step_line.html"


@pytest.fixture
def world(db):
    cache.clear()
    forget_kept()
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit)
    first = testing.new_case(coordinator, title="Første sag")
    second = testing.new_case(coordinator, title="Anden sag")
    client = Client()
    client.force_login(coordinator)
    return {"coordinator": coordinator, "first": first, "second": second, "client": client}


def _page(world, case):
    return world["client"].get(reverse("cases:case_detail", args=[case.pk]))


def _line_renders(response) -> int:
    return sum(1 for t in response.templates if t.name == LINE)


def test_a_second_case_in_the_same_state_reuses_every_line_with_its_own_links(world):
    first, second = world["first"], world["second"]
    assert _line_renders(_page(world, first)) > 10  # the lines of steps 2-21, rendered once

    page = _page(world, second)
    html = page.content.decode()
    assert _line_renders(page) == 0
    step_url = reverse("cases:step_detail", args=[second.pk, 14])
    assert f'hx-get="{step_url}?del=indhold"' in html
    assert f'<a href="{step_url}">Vis beskrivelse, tjekliste og handlinger for trin 14</a>' in html
    assert f"/sager/{first.pk}/" not in html
    assert "<anskaf-step-" not in html  # every placeholder filled in
    # The deadline panel is rendered for each case and viewer in its place.
    deadline_url = reverse("notifications:step_deadline", args=[second.pk, 14])
    assert f'href="{deadline_url}">Sæt frist' in html


def test_a_changed_step_is_a_new_line_on_the_next_page(world):
    case = world["second"]
    _page(world, case)
    services.step_mark_not_relevant(actor=world["coordinator"], case_id=case.pk, number=3,
                                    reason="Leverandøren er allerede kendt.")
    page = _page(world, case)
    assert _line_renders(page) == 1  # step 3 alone
    assert "Begrundelse: Leverandøren er allerede kendt." in page.content.decode()


def test_text_a_user_typed_is_escaped_and_never_read_as_a_placeholder(world):
    case = world["first"]
    services.step_mark_not_relevant(actor=world["coordinator"], case_id=case.pk, number=3,
                                    reason="<anskaf-step-url> og <b>fed</b>")
    html = _page(world, case).content.decode()
    assert "Begrundelse: &lt;anskaf-step-url&gt; og &lt;b&gt;fed&lt;/b&gt;" in html
    assert "<b>fed</b>" not in html


# --- the case list's rows, kept the same way ---------------------------------------------------

ROW = "cases/includes/case_row.html"


def _list(world, query=""):
    return world["client"].get(reverse("cases:case_list") + query)


def test_a_case_list_row_is_rendered_once_for_every_list_it_is_on(world):
    first = _list(world)
    assert sum(1 for t in first.templates if t.name == ROW) == 2
    filtered = _list(world, "?q=Anden")
    html = filtered.content.decode()
    assert sum(1 for t in filtered.templates if t.name == ROW) == 0
    case = world["second"]
    assert f'<a href="{reverse("cases:case_detail", args=[case.pk])}">Anden sag</a>' in html
    assert "Første sag" not in html


def test_a_changed_case_is_a_new_row_on_the_next_list(world):
    _list(world)
    services.case_update(actor=world["coordinator"], case_id=world["first"].pk,
                         data={"title": "Første sag, omdøbt"})
    page = _list(world)
    assert sum(1 for t in page.templates if t.name == ROW) == 1  # the first case only
    assert "Første sag, omdøbt" in page.content.decode()
