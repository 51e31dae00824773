"""In Chromium (issue 19): a contract's used option and a DPA's completed oversight are
recorded on the system's page, and their reminders stop. Every page passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.notifications import jobs
from anskaf.portfolio.models import Contract, DataProcessingAgreement, System
from anskaf.portfolio.notice import add_months
from anskaf.web.tests.browser.helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register(transactional_db, settings):
    settings.ANSKAF_CONTRACT_REMINDER_DAYS = (90, 30, 7)
    org = testing.make_org()
    unit = testing.make_unit(org)
    today = timezone.localdate()
    system = System.objects.create(organisation=org, name="Omsorgssystem", owner_unit=unit)
    # Binding for 24 months from 22 months ago, one month's notice: notice is due in about a
    # month; one option of 12 months is left.
    contract = Contract.objects.create(
        organisation=org, system=system, number="K-77", start_date=add_months(today, -22),
        duration_months=24, option_count=1, option_months=12, notice_months=1)
    dpa = DataProcessingAgreement.objects.create(
        organisation=org, system=system, supplier="Hosting A/S",
        signed_on=today - dt.timedelta(days=350), oversight_interval_months=12)
    return {"system": system, "contract": contract, "dpa": dpa, "today": today,
            "indkob": testing.make_user(org, "indkob", "procurement", full_name="Ib Indkøb"),
            "isk": testing.make_user(org, "isk", "security", unit=unit, full_name="Iben ISK")}


def test_an_option_and_an_oversight_are_recorded_and_the_reminders_stop(
        page: Page, live_server, register):
    base, system = live_server.url, register["system"]
    assert jobs.contract_reminders() == 1
    assert jobs.dpa_reminders() == 1

    log_in(page, base, "indkob")
    page.goto(f"{base}/systemer/{system.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Ret kontrakt K-77").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ret kontrakten")
    assert_accessible(page)
    page.get_by_label("Udnyttede optioner").fill("1")
    page.get_by_label("Årlig udgift (kr.)").fill("1.893.000,50")
    page.get_by_role("button", name="Gem ændringer").click()
    expect(page.get_by_role("status").first).to_contain_text("Kontrakten er gemt")
    contract = Contract.objects.get(pk=register["contract"].pk)
    assert contract.options_used == 1 and str(contract.annual_cost) == "1893000.50"
    expect(page.locator("table").first).to_contain_text("1.893.001 kr.")
    assert_accessible(page)
    assert jobs.contract_reminders() == 0  # the notice date moved a year on

    page.get_by_role("button", name="Log ud").click()
    log_in(page, base, "isk")
    page.goto(f"{base}/systemer/{system.pk}/")
    page.get_by_role("link", name="Registrér tilsyn med Hosting A/S").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registrér tilsyn")
    assert_accessible(page)
    today = register["today"]
    page.get_by_label("Tilsynsdato").fill(today.isoformat())
    page.get_by_label("Tilsynsmetode").select_option("isae3000")
    page.get_by_label("Resultat").select_option("satisfactory")
    page.get_by_label("Dokument").fill("ESDH 26/0042")
    page.get_by_role("button", name="Registrér tilsyn").click()
    expect(page.get_by_role("status").first).to_contain_text("Tilsynet med Hosting A/S er "
                                                              "registreret")
    assert_accessible(page)
    dpa = DataProcessingAgreement.objects.get(pk=register["dpa"].pk)
    assert dpa.last_oversight_on == today
    assert jobs.dpa_reminders() == 0
