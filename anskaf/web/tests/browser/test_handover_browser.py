"""An admin finds a deactivated coordinator's case "uden koordinator" and hands it over; the
new coordinator sees it (issue 19, item 2). Checked with axe-core on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing

from .helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_hands_a_case_without_coordinator_over(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    leaving = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                full_name="Karen Koordinator")
    testing.make_user(org, "efterfoelger", "coordinator", unit=unit, full_name="Eva Efterfølger")
    testing.make_user(org, "admin", "admin", full_name="Ada Admin")
    case = testing.new_case(leaving, title="Nyt booking-system")
    leaving.is_active = False
    leaving.save()

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/sager/")
    page.get_by_label("Koordinator").select_option(label="Kun sager uden koordinator (deaktiveret)")
    page.get_by_role("button", name="Vis sager").click()
    row = page.get_by_role("row", name="Nyt booking-system")
    expect(row).to_contain_text("uden koordinator")
    assert_accessible(page)

    row.get_by_role("link", name="Nyt booking-system").click()
    page.get_by_role("link", name="Overdrag til en anden koordinator").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overdrag sag")
    assert_accessible(page)
    page.get_by_label("Ny koordinator").select_option(label="Eva Efterfølger")
    page.get_by_label("Bemærkning (valgfri)").fill("Karen er stoppet.")
    page.get_by_role("button", name="Overdrag sagen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("overdraget til Eva Efterfølger")
    expect(page.locator(".anskaf-facts")).to_contain_text("Eva Efterfølger")
    assert_accessible(page)
    case.refresh_from_db()
    assert case.coordinator.username == "efterfoelger"
