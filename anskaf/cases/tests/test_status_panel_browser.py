"""The case page opens with what the case waits for now (issue 20): on the demo's cases, at
desktop (1366 px) and phone (390 px) widths, with axe-core on every page and by keyboard.

One database pass: the demo is loaded once per test and every check runs in it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import demo, testing
from anskaf.cases.models import Case
from anskaf.orgs.models import User
from anskaf.web.tests.browser.helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_NEW_CASE_HEIGHT = 2500  # px at 1366 px wide (issue 20)


def _case(title: str) -> Case:
    return Case.objects.get(title=title)


def _open(page: Page, base: str, case: Case) -> None:
    page.goto(f"{base}/sager/{case.pk}/")
    expect(page.get_by_role("heading", name="Det venter sagen på nu")
           .or_(page.get_by_role("heading", name="Sagen er lukket"))).to_be_visible()


def _height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


@pytest.mark.parametrize("width", [1366, 390])
def test_the_status_panel_names_the_blocking_step_and_its_people(page: Page, live_server,
                                                                   settings, width):
    settings.DEMO_MODE = True
    demo.load()
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(page, base, "isk")

    # The care system waits on the data processing agreement, which blocks the contract.
    care = _case("Nyt omsorgssystem til hjemmeplejen")
    _open(page, base, care)
    status = page.locator("#status")
    expect(status).to_contain_text("Venter på: Databehandleraftale på plads (trin 11)")
    expect(status).to_contain_text("Informationssikkerhedskonsulenterne (ISK), Rasmus Pedersen")
    expect(status).to_contain_text("Spærrer for trin 12")
    # ISK is the one: the primary action leads to the open step, first in the tab order.
    action = status.get_by_role("link", name="Gå til trin 11")
    expect(action).to_be_visible()
    assert "button-primary" in (action.get_attribute("class") or "")
    expect(page.locator("#trin-11 details.anskaf-step-details[open]")).to_have_count(1)
    expect(page.locator("#trin-12 details.anskaf-step-details[open]")).to_have_count(0)
    assert_accessible(page)
    action.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#trin-11")

    # A case waiting for management: ISK has nothing to do there.
    medication = _case("Elektronisk medicinmodul til plejecentrene")
    _open(page, base, medication)
    expect(page.locator("#status")).to_contain_text("forvaltningens ledelse, Birgitte")
    expect(page.locator("#status")).to_contain_text("Birgitte Møller Sørensen")
    expect(page.locator("#status")).to_contain_text("Du skal ikke gøre noget lige nu")

    # A rejected case says so, with the decision that ended it.
    rejected = _case("Talegenkendelse til dokumentation i hjemmeplejen")
    _open(page, base, rejected)
    expect(page.locator("#status")).to_contain_text("Sagen er afvist: Nej")
    assert_accessible(page)

    # A closed step opens on demand, by keyboard too (its phase, all done, is folded first).
    _open(page, base, care)
    fold = page.locator("#fase-1 > summary")
    fold.focus()
    page.keyboard.press("Enter")
    line = page.locator("#trin-1 summary")
    line.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#trin-1 .anskaf-step-body .anskaf-description")).to_be_visible()


def test_a_new_case_page_is_short_and_waits_on_its_first_step(page: Page, live_server,
                                                               settings):
    settings.DEMO_MODE = True
    demo.load()
    case = testing.new_case(User.objects.get(username="koordinator"), title="Helt ny sag")
    page.set_viewport_size({"width": 1366, "height": 900})
    base = live_server.url
    log_in(page, base, "koordinator")
    _open(page, base, case)
    status = page.locator("#status")
    expect(status).to_contain_text("Venter på: Behov/ønske meldes ind til koordinerende funktion")
    expect(status).to_contain_text("Mette Lund Kristensen")
    height = _height(page)
    print(f"new case page height at 1366 px: {height}")
    assert height <= MAX_NEW_CASE_HEIGHT, height
    assert_accessible(page)

    # The board's step of a case never put forward is not the board's to do.
    page.context.clear_cookies()
    log_in(page, base, "visitation")
    expect(page.get_by_role("main")).to_contain_text("Åbne i princippet")
    actionable = page.locator("#trin").locator("xpath=..")
    expect(actionable).not_to_contain_text("Helt ny sag")
    page.get_by_text("Vis trin, du kan gøre forud").click()
    expect(page.locator(".anskaf-in-principle")).to_contain_text("ikke sendt til IT-visitationen")
    assert_accessible(page)
    _open(page, base, case)
    expect(page.locator("#status")).to_contain_text("Du skal ikke gøre noget lige nu")
