"""The admin imports units from an Excel workbook: the dry run first (nothing written), then the
import of what it showed; with JavaScript and without (issue 18, part 4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from anskaf import testing
from anskaf.orgs.models import OrgUnit
from anskaf.orgs.tests.test_import_preview import UNIT_HEADER, xlsx

from .helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _workbook(unit_name: str) -> bytes:
    return xlsx(("Personer", [["brugernavn"]]),
                ("Enheder", [UNIT_HEADER, ["Hjemmeplejen", "afdeling", unit_name],
                             ["Distrikt\u202eNord", "afdeling", "Hjemmeplejen"],
                             ["Plejecentre", "kontor", unit_name]]))


def _preview_and_import(page: Page, base: str, data: bytes, check: bool) -> None:
    page.goto(f"{base}/administration/")
    page.get_by_role("link", name="Importér fra Excel eller CSV").click()
    expect(page.get_by_role("heading", name="Importér fra Excel eller CSV", level=1)).to_be_visible()
    if check:
        assert_accessible(page)
    page.get_by_label("Enheder (kolonnerne navn;type;overordnet)").check()
    page.get_by_label("Fil (Excel eller CSV)").set_input_files(
        {"name": "kommune.xlsx", "mimeType": "application/octet-stream", "buffer": data})
    page.get_by_role("button", name="Se hvad importen vil gøre").click()
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", name="Forhåndsvisning af importen")).to_be_visible()
    expect(main).to_contain_text("Intet er gemt endnu")
    expect(main).to_contain_text("2 oprettes, 0 ændres, 0 er uændrede, og 1 række afvises")
    expect(main).to_contain_text("(arket »Enheder«)")
    expect(main).to_contain_text("række 3, kolonne navn")  # the bidi character, shown
    expect(main).to_contain_text("Skriv »forvaltning« eller »afdeling«, ikke »kontor«.")
    assert not OrgUnit.objects.filter(name="Hjemmeplejen").exists()
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Importér uden de afviste rækker").click()
    expect(main).to_contain_text("Enhederne i kommune.xlsx er importeret")
    expect(main).to_contain_text("2 oprettet, 0 opdateret og 0 uændret; 1 afvist række sprunget over")
    if check:
        assert_accessible(page)


def test_the_admin_previews_and_imports_a_workbook(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    testing.make_user(org, "admin", "admin", unit=unit, full_name="Anne Admin")
    log_in(page, live_server.url, "admin")
    _preview_and_import(page, live_server.url, _workbook(unit.name), check=True)
    assert OrgUnit.objects.get(name="Distrikt Nord").parent.name == "Hjemmeplejen"
    assert not OrgUnit.objects.filter(name="Plejecentre").exists()


def test_the_import_works_without_javascript(browser: Browser, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    testing.make_user(org, "admin", "admin", unit=unit)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/log-ind/")
    page.get_by_label("Brugernavn").fill("admin")
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Mine opgaver", level=1)).to_be_visible()
    _preview_and_import(page, live_server.url, _workbook(unit.name), check=False)
    context.close()
    assert OrgUnit.objects.filter(name="Hjemmeplejen").exists()
