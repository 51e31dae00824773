"""IT logs in, finds the step that waits for IT on "Mine opgaver", and completes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing

from .helpers import assert_accessible, expect_feedback, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_completes_the_step_waiting_for_it(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit)
    testing.make_user(org, "it", "it", full_name="Jesper IT")
    case = testing.new_case(coordinator, title="Nyt booking-system")
    testing.advance(coordinator, case, 2)

    page.goto(f"{live_server.url}/log-ind/")
    page.get_by_label("Brugernavn").fill("it")
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_role("link", name="Mine opgaver (")).to_be_visible()

    page.get_by_role("link", name="Trin 3. Indledende dialog med leverandør").click()
    section = page.locator("#trin-3")
    expect(section).to_contain_text("Sagen venter på dette trin")
    # IT cannot complete step 1's kind of work elsewhere: the page says why.
    # (Step 7 is closed: opening it fetches its body.)
    expect(step(page, 7)).to_contain_text("Du kan ikke arbejde på trinnet")
    section.get_by_label("Egne bemærkninger").fill("Tekniske krav udleveret til leverandøren")
    section.get_by_role("button", name="Gem og gennemfør trin 3").click()
    expect_feedback(page, 3, "Trin 3 er gennemført.")
    assert_accessible(page)

    page.get_by_role("link", name="Mine opgaver").first.click()
    expect(page.get_by_role("main")).not_to_contain_text("Trin 3. Indledende dialog")
    assert_accessible(page)
