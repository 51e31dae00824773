"""In Chromium: a step completion shows up in the next performer's notification centre; every
page of the app is axe-clean and usable with the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.notifications import services
from anskaf.notifications.models import OutboxMessage
from anskaf.web.tests.browser.helpers import assert_accessible, expect_feedback, log_in, log_out, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_completed_step_reaches_the_next_performers_notification_centre(page: Page,
                                                                          live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                    full_name="Karen Koordinator")
    testing.make_user(org, "visitation", "it_board", full_name="Louise Thomsen")
    testing.make_user(org, "bo", "it_board", full_name="Bo Bisidder")
    admin = testing.make_user(org, "admin", "admin", full_name="Sofie Admin")
    case = testing.new_case(coordinator, title="Nyt booking-system")
    testing.advance(coordinator, case, 4)
    testing.tick_required(coordinator, case, 5)
    services.outbox_add(organisation_id=org.pk, to_email="x@haderslev.dk", subject="Prøve",
                        body="Hej")

    # The board's review completes only by the board (issue 19): another board member, with
    # the reason the model asks for, so that Louise is the one who is told.
    log_in(page, live_server.url, "bo")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    section = step(page, 5)
    section.get_by_label("Egne bemærkninger").fill("Behandlet på mødet i IT-visitationen.")
    section.get_by_role("button", name="Gem og gennemfør trin 5").click()
    expect_feedback(page, 5, "Trin 5 er gennemført.")
    log_out(page)

    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    # The coordinator plans a deadline for the board's step from the case page.
    step(page, 6).get_by_role("link", name="Sæt frist for trin 6").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Frist for trin 6")
    assert_accessible(page)
    page.get_by_label("Frist").fill("31.12.2026")  # the Danish way (DKFDS date picker)
    page.get_by_role("button", name="Gem frist").click()
    expect(page.locator("#trin-6")).to_contain_text("Frist: 31.12.2026")
    log_out(page)

    log_in(page, live_server.url, "visitation")
    menu = page.get_by_role("navigation", name="Hovedmenu").first
    link = menu.get_by_role("link", name=re.compile(r"Notifikationer \(2 ulæste\s*\)"))
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="Notifikationer", level=1)).to_be_visible()
    assert_accessible(page)
    notice = page.get_by_role("listitem").filter(has_text="trin 6 venter på dig")
    expect(notice).to_contain_text(f"{case.number}")
    notice.get_by_role("button", name=re.compile("^Åbn")).click()
    expect(page).to_have_url(re.compile(rf"/sager/{case.pk}/#trin-6$"))
    expect(page.locator("#trin-6")).to_contain_text("Sagen venter på dette trin")

    page.goto(f"{live_server.url}/notifikationer/")
    expect(page.get_by_role("status").filter(has_text="ulæst")).to_contain_text(
        "Du har 1 ulæst notifikation.")
    # With the keyboard: focus the button and press Enter.
    page.get_by_role("button", name="Markér alle som læst").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 notifikation markeret som læst.")).to_be_visible()
    expect(page.get_by_role("button", name="Markér alle som læst")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Vælg hvilke e-mails du får").click()
    expect(page.get_by_role("heading", name="E-mails fra anskaf", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Et trin venter på dig").get_by_label(
        "Samlet i en daglig e-mail").check()
    page.get_by_role("button", name="Gem valg").click()
    expect(page.get_by_text("Dine valg for e-mails er gemt.")).to_be_visible()
    log_out(page)

    log_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/administration/udbakke/")
    expect(page.get_by_role("heading", name="Udbakke", level=1)).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Prøve")
    assert_accessible(page)


def test_the_operations_page_shows_the_worker_and_retries_a_failed_email_by_keyboard(
        page: Page, live_server):
    org = testing.make_org()
    other = testing.make_org("aabenraa", "Aabenraa Kommune")
    testing.make_user(org, "admin", "admin", full_name="Sofie Admin")
    for organisation, subject in ((org, "Påmindelse til Karen"), (other, "Aabenraas besked")):
        message = services.outbox_add(organisation_id=organisation.pk, to_email="x@kommune.dk",
                                      subject=subject, body="Hej")
        OutboxMessage.objects.filter(pk=message.pk).update(
            status="failed", attempts=8, last_error="ConnectionRefusedError: mailserveren svarer ikke")
    services.heartbeat_record()

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Drift").click()
    expect(page.get_by_role("heading", name="Drift", level=1)).to_be_visible()
    assert_accessible(page)
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.filter(has_text="Påmindelse til Karen")).to_have_count(1)
    expect(page.get_by_text("Aabenraas besked")).to_have_count(0)
    # The worker ran in this test (immediate mode: tasks run in the web process).
    expect(page.get_by_text("Opgaverne udføres med det samme")).to_be_visible()
    button = rows.filter(has_text="Påmindelse til Karen").get_by_role(
        "button", name=re.compile(r"^Send igen"))
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Beskeden sendes igen nu.")).to_be_visible()
    expect(page.get_by_role("heading", name="Drift", level=1)).to_be_visible()
    expect(page.get_by_text("Ingen fejlede e-mails.")).to_be_visible()
    assert_accessible(page)
