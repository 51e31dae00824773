"""Issue 21.7: the system form carries its version; a stale save shows the newer state and
keeps the typing. Issue 20: guidance only where it applies (KITOS, the replaced system)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.portfolio.models import System

FIELDS = {"hosting": "web", "personal_data": "False", "lifecycle": "Operational"}


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_a_stale_system_save_shows_the_newer_state_and_keeps_the_typing(it_person, old_system):
    c = _client(it_person)
    form = c.get(reverse("portfolio:system_edit", args=[old_system.pk])).content.decode()
    assert f'name="version" value="{old_system.version}"' in form
    url = reverse("portfolio:system_edit", args=[old_system.pk])
    first = c.post(url, {**FIELDS, "name": "ESDH (første)", "version": old_system.version})
    assert first.status_code == 302
    second = c.post(url, {**FIELDS, "name": "ESDH (anden)", "version": old_system.version})
    assert second.status_code == 409
    html = second.content.decode()
    assert "ændret af en anden" in html and "ESDH (første)" in html  # the newer state
    assert 'value="ESDH (anden)"' in html  # the typing kept
    assert f'name="version" value="{old_system.version + 1}"' in html
    assert System.objects.get(pk=old_system.pk).name == "ESDH (første)"


def test_kitos_and_the_replaced_system_only_where_they_apply(coordinator):
    case = testing.new_case(coordinator)
    html = _client(coordinator).get(reverse("cases:step_detail", args=[case.pk, 12])).content
    assert "Registrér i KITOS" not in html.decode()  # no system yet: nothing to register
    html = _client(coordinator).get(reverse("cases:step_detail", args=[case.pk, 13])).content
    assert "Vælg systemet, der erstattes" not in html.decode()  # the case replaces nothing
    replacing = testing.new_case(coordinator, replaces_system=True, replaced_system_name="X")
    html = _client(coordinator).get(reverse("cases:step_detail", args=[replacing.pk, 13]))
    assert "Vælg systemet, der erstattes" in html.content.decode()


def test_no_deadline_link_on_finished_steps(coordinator):
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, through=1)
    c = _client(coordinator)
    done = c.get(reverse("cases:step_detail", args=[case.pk, 1])).content.decode()
    waiting = c.get(reverse("cases:step_detail", args=[case.pk, 2])).content.decode()
    assert "Sæt frist<span class=\"sr-only\"> for trin 1<" not in done
    assert "Sæt frist<span class=\"sr-only\"> for trin 2<" in waiting


def test_a_version_that_is_no_number_is_refused_where_the_page_reads_it(it_person, old_system):
    """The edit form's `version` is parsed by the page (ADR 0040), the service takes a number:
    no whole number is the form's error (400), nothing saved."""
    url = reverse("portfolio:system_edit", args=[old_system.pk])
    response = _client(it_person).post(url, {**FIELDS, "name": "ESDH (ny)", "version": "to"})
    assert response.status_code == 400
    assert "Versionen skal være et helt tal." in response.content.decode()
    assert System.objects.get(pk=old_system.pk).name == old_system.name


def test_a_system_id_that_is_no_number_names_no_system(coordinator, old_system):
    """The case page's system select is parsed by the page: text names no system (404), as a
    number of no system does."""
    case = testing.new_case(coordinator, replaces_system=True, replaced_system_name="ESDH")
    url = reverse("portfolio:case_link", args=[case.pk])
    assert _client(coordinator).post(url, {"kind": "replaced", "system": "1x"}).status_code == 404
    assert _client(coordinator).post(url, {"kind": "replaced",
                                           "system": "99999999"}).status_code == 404
    assert _client(coordinator).post(url, {"kind": "replaced",
                                           "system": old_system.pk}).status_code == 302
