"""Issue 20/21.7 in Chromium: nothing typed is lost (an upload on the step, a stale save, the
meeting's notes with the outcome), the documentation step's "Kontakt IT-visitationen", the
decision pages' basis, the coordinator's view of a meeting; axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from anskaf import testing
from anskaf.meetings import services as meeting_services
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule
from anskaf.web.tests.browser.helpers import (
    assert_accessible,
    log_in,
    step,
    upload_files,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% Produktbeskrivelse\n%%EOF\n"


@pytest.fixture
def people(transactional_db):
    org = testing.make_org()
    unit = testing.make_unit(org)
    return {
        "org": org,
        "koordinator": testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                         full_name="Karen Koordinator"),
        "visitation": testing.make_user(org, "visitation", "it_board",
                                        full_name="Vibeke Visitation"),
        "admin": testing.make_user(org, "admin", "admin", full_name="Ada Admin"),
    }


def test_a_typed_remark_and_ticks_survive_an_upload(page: Page, live_server, people):
    case = testing.new_case(people["koordinator"], title="Dokumentsag")
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    section = step(page, 4)
    section.get_by_label("Egne bemærkninger").fill("Skrevet før uploaden")
    box = section.locator("input[name=checked]").first
    box.check()
    expect(page.locator("#trin-4-formular[data-unsaved]")).to_have_count(1)  # warns on leaving
    upload_files(page, 4, "Produktbeskrivelse", [("Produktbeskrivelse.pdf", PDF)])
    section = step(page, 4)
    expect(section.get_by_label("Egne bemærkninger")).to_have_value("Skrevet før uploaden")
    expect(section.locator("input[name=checked]").first).to_be_checked()
    expect(page.locator("#trin-4-formular[data-unsaved]")).to_have_count(0)  # saved
    assert_accessible(page)


def test_two_pages_two_saves_the_second_sees_the_conflict(browser: Browser, live_server, people):
    case = testing.new_case(people["koordinator"])
    context = browser.new_context()
    try:
        first, second = context.new_page(), context.new_page()
        log_in(first, live_server.url, "koordinator")
        url = f"{live_server.url}/sager/{case.pk}/trin/1/"
        first.goto(url)
        second.goto(url)
        first.get_by_label("Egne bemærkninger").fill("Den første udgave")
        first.get_by_role("button", name="Gem trin 1").click()
        expect(first.locator(".anskaf-messages")).to_contain_text("Trin 1 er gemt")
        second.get_by_label("Egne bemærkninger").fill("Den anden udgave")
        second.get_by_role("button", name="Gem trin 1").click()
        expect(second.locator("#trin-1-konflikt")).to_contain_text("Den første udgave")
        expect(second.locator("#trin-1").get_by_label("Egne bemærkninger")).to_have_value(
            "Den anden udgave")
        assert_accessible(second)
    finally:
        context.close()


def test_the_meetings_notes_survive_the_outcome(page: Page, live_server, people):
    board, coordinator = people["visitation"], people["koordinator"]
    meeting = schedule(board)
    put_on_agenda(board, coordinator, ready_case(coordinator, title="Nyt omsorgssystem"), meeting)
    meeting_services.meeting_publish(actor=board, meeting_id=meeting.pk)
    log_in(page, live_server.url, "visitation")
    page.goto(f"{live_server.url}/it-visitationen/moeder/{meeting.pk}/")
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    item.get_by_label("Noter fra mødet").fill("Drøftet: data ligger i EU")
    item.get_by_role("button", name="Registrér udfald for").click()  # no outcome chosen
    expect(page.get_by_role("alert")).to_contain_text("Vælg udfaldet")
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    expect(item.get_by_label("Noter fra mødet")).to_have_value("Drøftet: data ligger i EU")
    item.get_by_label("Ja", exact=True).check()
    item.get_by_role("textbox", name="Begrundelse").fill("Passer til arkitekturen")
    item.get_by_role("button", name="Registrér udfald for").click()
    expect(page.get_by_role("status").first).to_contain_text("Udfaldet er registreret: Ja")
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    expect(item).to_contain_text("Drøftet: data ligger i EU")
    assert_accessible(page)


def test_kontakt_it_visitationen_from_the_documentation_step(page: Page, live_server, people):
    case = testing.new_case(people["koordinator"], title="Klar til visitation")
    testing.advance(people["koordinator"], case, through=3)
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    section = step(page, 4)
    expect(section.locator("#trin-4-it-visitation")).to_contain_text("IT-visitationen vil mangle")
    assert_accessible(page)
    section.get_by_role("button", name="Kontakt IT-visitationen").click()  # no reason
    expect(page.locator("#trin-4 [data-autofocus]")).to_contain_text("Ret det, eller skriv")
    section = step(page, 4)
    section.get_by_label("Egne bemærkninger").fill("Sikkerheden beskrives på mødet")
    section.get_by_label("Hvorfor skal sagen videre trods manglerne?").fill("Leverandøren kommer")
    section.get_by_role("button", name="Kontakt IT-visitationen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("sendt til IT-visitationen")
    assert_accessible(page)


def test_decision_pages_meeting_view_and_administration(page: Page, live_server, people):
    board, coordinator = people["visitation"], people["koordinator"]
    case = ready_case(coordinator, title="Beslutningssag")
    meeting = schedule(board)
    item = put_on_agenda(board, coordinator, case, meeting)
    meeting_services.meeting_publish(actor=board, meeting_id=meeting.pk)
    meeting_services.outcome_record(actor=board, item_id=item.pk, outcome="yes",
                                    rationale="Løsningen passer til arkitekturen",
                                    it_contacts="Ib IT")
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/{case.pk}/trin/7/")
    expect(page.locator("#trin-7-grundlag")).to_contain_text("Løsningen passer til arkitekturen")
    assert_accessible(page)
    page.goto(f"{live_server.url}/it-visitationen/moeder/{meeting.pk}/")
    expect(page.get_by_role("heading", name="Din sag", exact=False)).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/sager/{case.pk}/trin/6/")
    expect(page.locator("#trin-6-grundlag")).to_contain_text("Dokumentation")
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Udbudsgrænser").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/administration/")
    expect(page.get_by_role("link", name="Udbakke")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    assert_accessible(page)

