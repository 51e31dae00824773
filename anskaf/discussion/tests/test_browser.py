"""In Chromium: a comment with an @mention from the case page reaches the person's notification
centre; the case page with the comment form passes axe; on a phone the case list's table
scrolls in its frame with a visible hint."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.web.tests.browser.helpers import assert_accessible, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_comment_with_a_mention_notifies_the_person(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                    full_name="Karen Koordinator")
    testing.make_user(org, "visitation", "it_board", full_name="Louise Thomsen")
    case = testing.new_case(coordinator, title="Nyt booking-system")

    log_in(page, live_server.url, "koordinator")
    expect(page.locator("header .solution-heading")).to_contain_text("Haderslev Kommune")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    comments = page.locator("#kommentarer")
    comments.locator("summary").click()  # the form is folded until wanted
    comments.get_by_label("Ny kommentar").fill("Kan @visitation se på budgettet?")
    comments.get_by_label("Om trin").select_option("2")
    comments.get_by_role("button", name="Gem kommentar").click()
    expect(page.locator(".anskaf-comment")).to_contain_text("Kan @visitation se på budgettet?")
    expect(page.locator(".anskaf-comment")).to_contain_text("Nævnt: Louise Thomsen")
    page.locator(".anskaf-timeline-fold > summary").click()  # read when opened (ADR 0042)
    expect(page.locator(".anskaf-timeline")).to_contain_text("skrev en kommentar om trin 2")
    assert_accessible(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/sager/")
    frame = page.locator(".table--responsive-scroll").first
    expect(frame).to_have_class(re.compile("anskaf-scrollable"))
    frame.focus()
    page.keyboard.press("ArrowRight")
    assert_accessible(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    # Sorting by a column is a link, reached and followed by keyboard.
    page.get_by_role("link", name="Titel (sortér)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name="Titel (sortér)")).to_have_attribute(
        "aria-sort", "ascending")
    assert_accessible(page)
    log_out(page)

    log_in(page, live_server.url, "visitation")
    page.get_by_role("navigation", name="Hovedmenu").first.get_by_role(
        "link", name=re.compile("Notifikationer")).click()
    expect(page.locator("main")).to_contain_text("Karen Koordinator nævnte dig i sag")
