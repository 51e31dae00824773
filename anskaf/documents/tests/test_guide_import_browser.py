"""In Chromium: Ny sag -> Importér fra Word, preview, name the board's outcome, import (axe on
each page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.cases.process_models import current_model
from anskaf.web.tests.browser.helpers import assert_accessible, log_in

from .test_guide_import import _all_yes_until, seed_guide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _choose(page: Page, label: str, data: bytes) -> None:
    page.get_by_label(label).set_input_files(
        [{"name": "Vejledning omsorg.docx", "mimeType": DOCX, "buffer": data}])


def test_a_coordinator_imports_a_guide_after_naming_the_boards_outcome(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    testing.make_user(org, "koordinator", "coordinator", unit=unit, full_name="Karen Koordinator")
    model = current_model(org.pk)
    data = seed_guide(model, _all_yes_until(model, "it_board_decision"),
                      {"need_reported": "Meldt ind af hjemmeplejen"})
    log_in(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/sager/ny/")
    page.get_by_role("link", name="Importér fra Word").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importér en sag fra Word")
    assert_accessible(page)

    _choose(page, "Den udfyldte vejledning (.docx)", data)
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning: Vejledning omsorg.docx")).to_be_visible()
    expect(page.get_by_text("Meldt ind af hjemmeplejen")).to_be_visible()
    expect(page.get_by_role("button", name="Importér sagen")).to_have_count(0)
    assert_accessible(page)

    gate = model.step_by_key("it_board_decision")
    page.get_by_label(f"Udfald af trin {gate.number}").select_option("yes")
    page.get_by_label("Titel").fill("Nyt omsorgssystem")
    _choose(page, "Vælg filen igen for at fortsætte", data)
    page.get_by_role("button", name="Vis forhåndsvisningen igen").click()
    expect(page.get_by_role("button", name="Importér sagen")).to_be_visible()
    assert_accessible(page)

    _choose(page, "Vælg filen igen for at fortsætte", data)
    page.get_by_role("button", name="Importér sagen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("er importeret fra Word")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nyt omsorgssystem")
    assert_accessible(page)
