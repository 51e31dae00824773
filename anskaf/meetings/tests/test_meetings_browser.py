"""In the browser: a coordinator puts a case forward; the board builds and publishes an agenda,
records Måske; the coordinator supplies the missing documentation; a later meeting says Ja and
the case moves on. Every page passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.audit.services import audit_verify
from anskaf.cases.models import StepState
from anskaf.web.tests.browser.helpers import (
    assert_accessible,
    expect_feedback,
    log_in,
    log_out,
    step,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    }


def put_forward(page: Page, case_url: str) -> None:
    page.goto(case_url)
    page.get_by_label("Bemærkning til IT-visitationen").fill("Dokumentationen er samlet.")
    page.get_by_role("button", name="Kontakt IT-visitationen").click()
    expect(page.get_by_role("status").first).to_contain_text("sendt til IT-visitationen")
    expect(page.locator("#it-visitationen")).to_contain_text("står i IT-visitationens kø")
    assert_accessible(page)


def plan_meeting_with_the_case(page: Page, base: str, days: int) -> None:
    page.goto(f"{base}/opgaver/")
    page.get_by_role("link", name="IT-visitationen", exact=True).first.click()
    expect(page.get_by_role("heading", name="IT-visitationen", level=1)).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Nyt omsorgssystem")
    assert_accessible(page)
    page.get_by_role("link", name="Planlæg møde").click()
    assert_accessible(page)
    page.get_by_role("button", name="Planlæg møde").click()  # empty date: a clear message
    expect(page.get_by_role("alert")).to_contain_text("Angiv dato og klokkeslæt")
    assert_accessible(page)
    day = timezone.localdate() + timedelta(days=days)
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Klokkeslæt").fill("10:00")
    page.get_by_label("Sted").fill("Rådhuset, mødelokale 2")
    page.get_by_role("button", name="Planlæg møde").click()
    expect(page.get_by_role("status").first).to_contain_text("Mødet er planlagt")
    page.get_by_role("button", name="Sæt sagen på dagsordenen").click()
    expect(page.get_by_role("status").first).to_contain_text("sat på dagsordenen")
    assert_accessible(page)


def publish(page: Page) -> None:
    """"Udsend dagsorden" asks first and names who will be told (issue 20)."""
    page.locator("summary", has_text="Udsend dagsorden").click()
    expect(page.locator("#udsend-hvem")).to_contain_text("Karen Koordinator")
    page.get_by_role("button", name="Ja, udsend dagsordenen nu").click()


def test_a_case_goes_through_two_board_meetings_in_the_browser(page: Page, live_server, people):
    base = live_server.url
    case = testing.new_case(people["koordinator"], title="Nyt omsorgssystem")
    testing.advance(people["koordinator"], case, through=4)
    case_url = f"{base}/sager/{case.pk}/"

    log_in(page, base, "koordinator")
    put_forward(page, case_url)
    log_out(page)

    # The board plans a meeting, builds the agenda and publishes it.
    log_in(page, base, "visitation")
    # Meetings in the past: an outcome is recorded from the meeting's start.
    plan_meeting_with_the_case(page, base, days=-7)
    page.get_by_text("Tilføj et andet punkt").click()
    page.get_by_label("Overskrift").fill("Eventuelt")
    page.get_by_role("button", name="Tilføj punkt").click()
    page.get_by_role("button", name="Flyt op punktet Eventuelt").click()
    expect(page.locator(".anskaf-agenda-item").first).to_contain_text("1. Eventuelt")
    publish(page)
    expect(page.locator("#moedestatus")).to_have_text("Dagsorden udsendt")
    assert_accessible(page)

    # In the meeting: a question to the supplier, then Måske with the missing documentation.
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    item.get_by_text("Stil et supplerende spørgsmål").click()
    item.get_by_label("Leverandør", exact=True).check()
    item.get_by_label("Spørgsmål", exact=True).fill("Hvor ligger data?")
    item.get_by_role("button", name="Registrér spørgsmål").click()
    expect(page.get_by_role("status").first).to_contain_text("Spørgsmålet er registreret")
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    item.get_by_role("button", name="Registrér udfald for").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_contain_text("Vælg udfaldet")
    assert_accessible(page)
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    item.get_by_label("Måske", exact=True).check()
    item.get_by_role("textbox", name="Begrundelse").fill("Sikkerheden er ikke beskrevet.")
    item.get_by_label("Manglende dokumentation").fill("Beskrivelse af sikkerheden")
    item.get_by_role("button", name="Registrér udfald for").click()
    expect(page.get_by_role("status").first).to_contain_text("Udfaldet er registreret: Måske")
    page.get_by_role("button", name="Markér mødet som afholdt").click()
    page.get_by_role("button", name="Dan referat").click()
    expect(page.get_by_label("Referatkladde (version 1)")).to_contain_text("Udfald: Måske")
    assert_accessible(page)
    page.get_by_role("button", name="Godkend referat").click()
    expect(page.locator("#moedestatus")).to_have_text("Referat godkendt")
    assert_accessible(page)
    log_out(page)

    # The coordinator finds the missing documentation as a checklist item on step 4.
    log_in(page, base, "koordinator")
    page.goto(case_url)
    section = step(page, 4)
    box = section.get_by_label("Beskrivelse af sikkerheden (skal være opfyldt)")
    expect(box).not_to_be_checked()
    box.check()
    section.get_by_role("button", name="Gem og gennemfør trin 4").click()
    expect_feedback(page, 4, "Trin 4 er gennemført.")
    expect(page.locator("#it-visitationen")).to_contain_text("Beskrivelse af sikkerheden")
    assert_accessible(page)
    put_forward(page, case_url)
    log_out(page)

    # A later meeting says Ja; the case moves on to step 7.
    log_in(page, base, "visitation")
    plan_meeting_with_the_case(page, base, days=-1)
    publish(page)
    item = page.locator(".anskaf-agenda-item", has_text="Nyt omsorgssystem")
    item.get_by_label("Ja", exact=True).check()
    item.get_by_role("textbox", name="Begrundelse").fill("Nu er dokumentationen på plads.")
    item.get_by_role("textbox", name="Anbefalinger").fill("Brug kommunens single sign-on.")
    item.get_by_label("Kontaktperson(er) i IT og Digitalisering").fill("Ida IT")
    item.get_by_role("button", name="Registrér udfald for").click()
    expect(page.get_by_role("status").first).to_contain_text("Udfaldet er registreret: Ja")
    assert_accessible(page)
    page.goto(case_url)
    history = page.locator("#it-visitationen")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history).to_contain_text("Måske")
    expect(history).to_contain_text("Nu er dokumentationen på plads.")
    expect(step(page, 6)).to_contain_text("Gennemført")
    assert_accessible(page)
    page.goto(f"{base}/it-visitationen/")
    expect(page.get_by_role("table").last).to_contain_text("1")
    assert_accessible(page)

    assert StepState.objects.get(case=case, number=6).status == "done"
    assert 7 in type(case).objects.get(pk=case.pk).waiting_steps
    assert audit_verify(people["org"].pk).ok
