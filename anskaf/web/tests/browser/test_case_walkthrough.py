"""A coordinator takes a new case through all 21 steps in the browser, with the board and management
deciding their gates, and every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.audit.services import audit_verify
from anskaf.cases.models import Case

from .helpers import (
    assert_accessible,
    expect_feedback,
    log_in,
    log_out,
    step,
    upload_missing_documents,
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
        "visitation": testing.make_user(org, "visitation", "it_board", full_name="Vibeke Visitation"),
        "leder": testing.make_user(org, "leder", "management", unit=unit, full_name="Lars Leder"),
    }


def complete_step(page: Page, number: int, remarks: str = "") -> None:
    upload_missing_documents(page, number)  # required documents gate the step (11, 12, 13)
    section = step(page, number)
    if remarks:
        section.get_by_label("Egne bemærkninger").fill(remarks)
    for box in section.locator("input.form-checkbox").all():
        if "(skal være opfyldt)" in (box.locator("xpath=following-sibling::label").inner_text()):
            box.check()
    section.get_by_role("button", name=f"Gem og gennemfør trin {number}").click()
    expect_feedback(page, number, f"Trin {number} er gennemført.")


def decide(page: Page, number: int, outcome: str, rationale: str, **fields: str) -> None:
    section = step(page, number)
    section.get_by_label(outcome, exact=True).check()
    section.get_by_label("Begrundelse").fill(rationale)
    for label, value in fields.items():
        section.get_by_label(label).fill(value)
    section.get_by_role("button", name=f"Registrér beslutning i trin {number}").click()
    expect_feedback(page, number, f"Beslutningen i trin {number}")


def test_a_case_goes_through_all_21_steps_in_the_browser(page: Page, live_server, people):
    base = live_server.url
    log_in(page, base, "koordinator")
    assert_accessible(page)
    page.get_by_role("link", name="Sager", exact=True).first.click()
    assert_accessible(page)

    # New case: an empty form explains what is missing, then the case is created.
    page.get_by_role("link", name="Opret ny sag").click()
    assert_accessible(page)
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("alert")).to_contain_text("Formularen indeholder fejl")
    assert_accessible(page)
    page.get_by_label("Titel").fill("Nyt omsorgssystem til hjemmeplejen")
    page.get_by_label("Hvilket behov skal et nyt IT-system opfylde?").fill("Planlægning af besøg.")
    page.get_by_label("Passer det ind i organisationen – mission, værdier, strategier?").fill("Ja.")
    page.get_by_label("Hvordan påvirker det slutbrugerne/borgerne?").fill("Færre aflysninger.")
    page.get_by_role("group", name="Erstatter det nye system et eksisterende system?") \
        .get_by_label("Ja", exact=True).check()
    page.get_by_label("Navn på det system, der erstattes").fill("Gammelt Omsorg")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("status").first).to_contain_text("er oprettet")
    assert_accessible(page)
    case_url = page.url

    # Step 8 cannot be completed before the board has said Ja: the page says why.
    expect(step(page, 8)).to_contain_text("Kan ikke gennemføres endnu")

    for number in range(1, 5):
        complete_step(page, number, remarks=f"Noter til trin {number}")
    # The board's review is the board's: the coordinator is told who completes it.
    expect(step(page, 5)).to_contain_text("Kun IT-visitationen kan markere trin 5 som gennemført")
    assert_accessible(page)
    log_out(page)

    # The IT-visitation (meeting outside anskaf here) completes its review with a reason, asks
    # for more documentation (Måske), then says Ja.
    log_in(page, base, "visitation")
    page.goto(case_url)
    complete_step(page, 5, remarks="Behandlet på IT-visitationens møde")
    decide(page, 6, "Måske", "Sikkerhedsbeskrivelsen mangler.",
           **{"Manglende dokumentation (ved Måske, én pr. linje)": "Sikkerhedsbeskrivelse"})
    expect(step(page, 4)).to_contain_text("I gang")
    assert_accessible(page)
    log_out(page)

    log_in(page, base, "koordinator")
    page.goto(case_url)
    complete_step(page, 4, remarks="Sikkerhedsbeskrivelse indhentet")
    log_out(page)

    log_in(page, base, "visitation")
    page.goto(case_url)
    complete_step(page, 5)  # its remarks from the first round are the reason
    decide(page, 6, "Ja", "Løsningen opfylder kravene.",
           **{"Anbefalinger (ved Ja)": "Brug kommunens single sign-on.",
              "Kontaktperson(er) i IT og Digitalisering (ved Ja, én pr. linje)": "Ida IT"})
    log_out(page)

    # Management decides go at step 7.
    log_in(page, base, "leder")
    page.goto(case_url)
    decide(page, 7, "Ja – vi går videre", "Der er ressourcer og opbakning.")
    log_out(page)

    log_in(page, base, "koordinator")
    page.goto(case_url)
    # The contract cannot be signed before the data processing agreement.
    section = step(page, 12)
    expect(section).to_contain_text("Kan ikke gennemføres endnu")
    for number in range(8, 18):
        complete_step(page, number)
    assert_accessible(page)
    decide(page, 18, "Nej", "Brugerrettighederne virker ikke endnu.")
    expect(step(page, 17)).to_contain_text("I gang")
    complete_step(page, 17, remarks="Rettigheder rettet og testet igen")
    decide(page, 18, "Ja", "Klar til drift.")
    for number in (19, 20):
        complete_step(page, number)
    expect(page.locator("#sagsstatus")).to_have_text("I drift")
    complete_step(page, 21)
    expect(page.locator("#sagsstatus")).to_have_text("Afsluttet")
    page.locator(".anskaf-timeline-fold > summary").click()  # read when opened (ADR 0042)
    expect(page.locator(".anskaf-timeline")).to_contain_text("besluttede trin 6 (runde 2): Ja")
    assert_accessible(page)

    # The case list shows it as completed.
    page.get_by_role("link", name="Sager", exact=True).first.click()
    expect(page.get_by_role("table")).to_contain_text("Afsluttet")
    assert_accessible(page)
    page.get_by_role("link", name="Tilgængelighedserklæring").click()
    assert_accessible(page)

    case = Case.objects.get()
    assert case.status == "completed"
    assert audit_verify(people["org"].pk).ok


def test_a_conflicting_save_shows_the_error_in_place_and_keeps_the_text(page: Page, live_server,
                                                                       people):
    from anskaf.cases import services

    coordinator = people["koordinator"]
    case = testing.new_case(coordinator, title="Konfliktsag")
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    colleague = testing.stand_in(case, ("requester",))
    services.step_update(actor=colleague, case_id=case.pk, number=1, remarks="Kollegens note")

    section = step(page, 1)
    section.get_by_label("Egne bemærkninger").fill("Min egen note")
    section.get_by_role("button", name="Gem trin 1").click()
    expect_feedback(page, 1, "ændret af en anden")
    expect(step(page, 1).get_by_label("Egne bemærkninger")).to_have_value("Min egen note")
    assert_accessible(page)


def test_a_closed_step_opens_by_keyboard_and_has_a_page_of_its_own(page: Page, live_server,
                                                                   people):
    coordinator = people["koordinator"]
    case = testing.advance(coordinator, testing.new_case(coordinator, title="Trinsag"), 5)
    base = live_server.url
    log_in(page, base, "koordinator")
    page.goto(f"{base}/sager/{case.pk}/")
    assert_accessible(page)

    # Step 5 is done, so it is closed and its body is not on the page yet.
    section = page.locator("#trin-5")
    details = section.locator("details.anskaf-step-details")
    expect(details).not_to_have_attribute("open", "")
    expect(section.locator("#trin-5-punkt-1")).to_have_count(0)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "del=indhold" in r.url else None)
    summary = details.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    # htmx fetches the body when the details open; it stays open, focus stays on the summary.
    reopen = section.get_by_text("Genåbn trin 5", exact=True)
    expect(reopen).to_be_visible()
    expect(section.locator("#trin-5-punkt-1")).to_be_attached()
    expect(details).to_have_attribute("open", "")
    expect(summary).to_be_focused()
    assert_accessible(page)
    # Closing and opening again does not fetch it twice (toggle once).
    page.keyboard.press("Enter")
    expect(details).not_to_have_attribute("open", "")
    page.keyboard.press("Enter")
    expect(details).to_have_attribute("open", "")
    expect(section.locator("#trin-5-punkt-1")).to_have_count(1)
    assert fetched == [f"{base}/sager/{case.pk}/trin/5/?del=indhold"]

    # The step's own page (the way without JavaScript): the whole step, open.
    page.goto(f"{base}/sager/{case.pk}/trin/5/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trinsag")
    step_section = page.locator("#trin-5")
    expect(step_section.locator("details.anskaf-step-details")).to_have_attribute("open", "")
    expect(step_section.locator("#trin-5-punkt-1")).to_be_visible()
    assert_accessible(page)
    # Its forms post as plain forms and lead back to the case page.
    step_section.get_by_text("Genåbn trin 5", exact=True).click()
    step_section.get_by_label("Hvorfor genåbnes trinnet?").fill("Mangler en detalje.")
    step_section.get_by_label("Hvorfor genåbnes trinnet?").press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".anskaf-messages")).to_contain_text("Trin 5 er genåbnet.")
    expect(page).to_have_url(f"{base}/sager/{case.pk}/#trin-5")
    expect(step(page, 5).get_by_label("Egne bemærkninger")).to_be_visible()
    assert_accessible(page)
