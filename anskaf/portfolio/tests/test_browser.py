"""In Chromium: on a new case's step 2 the coordinator finds the system it replaces in the
portfolio; step 12 registers the new system in a local KITOS; step 13 phases the old one out.
Every page passes axe-core."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.portfolio.models import CaseSystem, Contract, System, TenderThreshold
from anskaf.web.tests.browser.helpers import assert_accessible, log_in, log_out, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    org = testing.make_org()
    unit = testing.make_unit(org)
    TenderThreshold.objects.get_or_create(valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31),
                                          defaults={"amount": Decimal("1557263")})
    return {
        "org": org, "unit": unit,
        "koordinator": testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                         full_name="Karen Koordinator"),
        "it": testing.make_user(org, "it", "it", full_name="Ida IT"),
        "admin": testing.make_user(org, "admin", "admin", full_name="Anna Admin"),
        "indkob": testing.make_user(org, "indkob", "procurement", full_name="Ib Indkøb"),
    }


def test_step_2_finds_the_system_and_step_12_registers_in_kitos(page: Page, live_server,
                                                                  people, kitos):
    base = live_server.url
    old = System.objects.create(organisation=people["org"], name="Gammelt ESDH", supplier="Acme",
                                purpose="Journalisering af sager og dokumenter",
                                lifecycle="Operational",
                                search_text="gammelt esdh acme journalisering af sager og "
                                            "dokumenter")
    kitos.add_system("Nyt ESDH")
    case = testing.new_case(people["koordinator"], title="Nyt ESDH-system",
                            candidate_system="Nyt ESDH", replaces_system=True,
                            replaced_system_name="det gamle", estimated_contract_value="2500000")

    log_in(page, base, "koordinator")
    page.goto(f"{base}/sager/{case.pk}/")
    section = step(page, 2)  # not what the new case waits on: one line, opened here
    expect(section).to_contain_text("Over udbudsgrænsen")
    section.get_by_label("Søg efter eksisterende systemer").fill("journalisering")
    section.get_by_role("button", name="Søg i porteføljen").click()
    expect(page.locator("#trin-2 .anskaf-system-hits")).to_contain_text("Gammelt ESDH")
    assert_accessible(page)

    # The replaced system becomes a real link.
    page.locator("#trin-2").get_by_text("Knyt sagen til systemer i porteføljen").click()
    page.get_by_label("System der erstattes").select_option(label="Gammelt ESDH")
    page.get_by_role("button", name="Gem system der erstattes").click()
    expect(page.get_by_role("status").first).to_contain_text("Sagens system er gemt")
    expect(page.locator("#trin-2")).to_contain_text("System der erstattes: Gammelt ESDH")
    assert_accessible(page)

    # Later: steps up to 11 are done; on step 12 the system is registered in KITOS.
    testing.advance(people["koordinator"], case, through=11)
    page.goto(f"{base}/sager/{case.pk}/")
    section = page.locator("#trin-12")
    section.get_by_role("button", name="Registrér i KITOS").click()
    expect(page.locator("#trin-12")).to_contain_text("KITOS: registreret (UUID")
    assert_accessible(page)
    new = CaseSystem.objects.get(case=case, kind="acquired").system
    assert kitos.lifecycle_of(str(new.kitos_uuid)) == "PhasingIn"

    # Completing step 12 keeps it under indfasning; step 13 phases the old system out.
    # (The signed contract the documents app asks for is uploaded by its own tests' helper.)
    testing.provide_documents(people["koordinator"], case, 12)
    page.reload()
    section = step(page, 12)
    for box in section.locator("input.form-checkbox").all():
        box.check()
    section.get_by_role("button", name="Gem og gennemfør trin 12").click()
    expect(page.locator("#trin-12")).to_contain_text("Trin 12 er gennemført")
    testing.advance(people["koordinator"], case, through=13)
    page.goto(f"{base}/systemer/{old.pk}/")
    expect(page.locator("dl")).to_contain_text("Under udfasning")
    expect(page.locator("dl")).to_contain_text("Nyt ESDH")  # its successor
    expect(page.get_by_role("main")).to_contain_text(case.number)
    assert_accessible(page)
    page.get_by_role("link", name="Systemer", exact=True).first.click()
    assert_accessible(page)
    log_out(page)


def test_the_other_portfolio_pages_are_accessible(page: Page, live_server, people):
    base = live_server.url
    System.objects.create(organisation=people["org"], name="Opus Løn", lifecycle="Operational")
    log_in(page, base, "it")
    for path in ("/systemer/", "/systemer/ny/", "/systemer/import/", "/systemer/soeg/?q=løn"):
        page.goto(base + path)
        assert_accessible(page)
    page.goto(base + "/systemer/ny/")
    page.get_by_role("button", name="Opret system").click()
    expect(page.get_by_role("alert")).to_contain_text("Formularen indeholder fejl")
    assert_accessible(page)
    page.get_by_label("Navn").fill("Aula")
    page.get_by_role("button", name="Opret system").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aula")
    page.get_by_role("link", name="Registrér kontrakt").click()
    assert_accessible(page)
    page.goto(base + f"/systemer/{System.objects.get(name='Aula').pk}/databehandleraftaler/ny/")
    assert_accessible(page)
    aula = System.objects.get(name="Aula")
    Contract.objects.create(organisation=people["org"], system=aula, number="K-1",
                            start_date=date(2024, 1, 1), duration_months=36, notice_months=3)
    page.goto(base + f"/systemer/{aula.pk}/")
    assert_accessible(page)
    button = page.get_by_role("button", name="Markér beslutning truffet for kontrakt K-1")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_contain_text("Beslutning truffet")
    assert_accessible(page)
    log_out(page)
    log_in(page, base, "admin")
    page.goto(base + "/administration/udbudsgraenser/")
    assert_accessible(page)
    log_out(page)
    log_in(page, base, "indkob")
    testing.new_case(people["koordinator"], estimated_contract_value="3000000")
    page.goto(base + "/udbudsgraense/")
    assert_accessible(page)
