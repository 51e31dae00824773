"""In Chromium: the case list's saved filters (issue 20) - sort and filter, save under a name,
apply, delete - with the keyboard where it matters, and axe-clean; the deadline column."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.web.tests.browser.helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_saves_applies_and_deletes_a_filter(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                    full_name="Karen Koordinator")
    testing.new_case(coordinator, title="Økonomisystem")
    testing.new_case(coordinator, title="Vagtplan")
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/")
    expect(page.get_by_role("columnheader", name="Frist")).to_be_visible()
    page.get_by_label("Søg i titel og sagsnummer").fill("vagt")
    page.get_by_role("button", name="Vis sager").click()
    expect(page.get_by_role("table")).not_to_contain_text("Økonomisystem")
    page.get_by_text("Gem det viste filter og sorteringen").click()
    # No name: a clear error, the filter kept.
    page.get_by_role("button", name="Gem filter").click()
    expect(page.get_by_text("Giv filteret et navn.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Navn på filteret").fill("Vagtplaner")
    page.get_by_label("Navn på filteret").press("Enter")
    expect(page.get_by_text("Filteret »Vagtplaner« er gemt.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/sager/")
    expect(page.get_by_role("table")).to_contain_text("Økonomisystem")
    page.get_by_role("link", name="Vagtplaner").click()
    expect(page).to_have_url(re.compile(r"/sager/\?q=vagt$"))
    expect(page.get_by_role("table")).not_to_contain_text("Økonomisystem")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Slet filteret Vagtplaner").click()
    expect(page.get_by_text("Filteret er slettet.")).to_be_visible()
    expect(page.get_by_text("Du har ingen gemte filtre.")).to_be_visible()

    # DKFDS' date picker on the deputies page: typed the Danish way, axe-clean.
    testing.make_user(org, "kollega", "coordinator", unit=unit, full_name="Kaj Kollega")
    page.goto(f"{live_server.url}/mig/stedfortraeder/")
    expect(page.locator(".date-picker")).to_have_count(2)
    assert_accessible(page)
    page.get_by_label("Stedfortræder").select_option(label="Kaj Kollega")
    page.get_by_label("Fra").fill("01.12.2026")
    page.get_by_label("Til og med").fill("31.13.2026")  # no such day: a clear error, kept
    page.get_by_role("button", name=re.compile("^Gem|^Tilføj")).click()
    expect(page.get_by_text("Datoen er ugyldig.").first).to_be_visible()
    expect(page.get_by_label("Til og med")).to_have_value("31.13.2026")
    page.get_by_label("Til og med").fill("10.12.2026")
    page.get_by_role("button", name=re.compile("^Gem|^Tilføj")).click()
    expect(page.get_by_text("Kaj Kollega: 1. december 2026 – 10. december 2026")).to_be_visible()
