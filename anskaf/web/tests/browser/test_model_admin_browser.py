"""The admin checks a broken model (sees the line), fixes it, sees the diff, publishes it with a
reason, and a new case runs on it (issue 17)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from anskaf import testing
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_for
from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

from .helpers import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_checks_fixes_compares_and_publishes_a_model(page: Page, live_server):
    org = testing.make_org()
    unit = testing.make_unit(org)
    testing.make_user(org, "admin", "admin", unit=unit, full_name="Anne Admin")
    fixed = rename_step(insert_step(shipped(), after=3), "initial_supplier_dialogue",
                        "Leverandørmøde")
    lines = fixed.split("\n")
    broken_line = next(i for i, line in enumerate(lines) if "effect: reject" in line) + 1
    lines[broken_line - 1] = lines[broken_line - 1].replace("effect: reject", "effect: explode")
    broken = "\n".join(lines)

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/administration/")
    page.get_by_role("link", name="Procesmodel").click()
    expect(page.get_by_role("heading", name="Procesmodel", level=1)).to_be_visible()
    assert_accessible(page)

    # A broken model: the problem is named with its line, and the line is marked.
    page.get_by_label("Modellens YAML").fill(broken)
    page.get_by_role("button", name="Kontrollér modellen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Modellen har 1 fejl")
    expect(alert).to_contain_text(f"Linje {broken_line}")
    expect(page.locator(f"#linje-{broken_line}")).to_contain_text(
        "effect must be advance, repeat or reject")
    expect(page.get_by_role("button", name="Udgiv modellen")).to_have_count(0)
    assert_accessible(page)

    # Fixed: valid, and the differences in words.
    page.get_by_label("Modellens YAML").fill(fixed)
    page.get_by_role("button", name="Kontrollér igen").click()
    expect(page.get_by_role("status").first).to_contain_text("Modellen er gyldig")
    changes = page.locator("#forskelle")
    expect(changes).to_contain_text("Tilføjet")
    expect(changes).to_contain_text("Forhåndsvurdering af informationssikkerhed")
    expect(changes).to_contain_text("titel ændret fra »Indledende dialog")
    assert_accessible(page)

    # Preview a case on it: the steps in order, nothing stored; then back to publish.
    page.get_by_role("button", name="Forhåndsvis en sag").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning af en sag", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("En ny sag får 22 trin")
    expect(page.get_by_role("main")).to_contain_text("Leverandørmøde")
    assert_accessible(page)
    page.get_by_role("button", name="Tilbage til kontrollen og udgivelsen").click()
    expect(page.get_by_role("status").first).to_contain_text("Modellen er gyldig")

    # Publish: the reason is required.
    page.get_by_role("button", name="Udgiv modellen").click()
    expect(page.get_by_text("Skriv, hvorfor modellen ændres.")).to_be_visible()
    page.get_by_label("Begrundelse").fill("Informationssikkerhed vurderes tidligere")
    page.get_by_role("button", name="Udgiv modellen").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("Version 1 er udgivet")
    expect(page.get_by_role("main")).to_contain_text("Informationssikkerhed vurderes tidligere")
    expect(page.get_by_role("main")).to_contain_text("Anne Admin")
    assert_accessible(page)

    # A new case starts on it: 22 steps, the renamed title.
    page.goto(f"{live_server.url}/sager/ny/")
    page.get_by_label("Titel").fill("Nyt bookingsystem")
    page.get_by_label("Hvilket behov skal et nyt IT-system opfylde?").fill("Booking.")
    page.get_by_label("Passer det ind i organisationen – mission, værdier, strategier?").fill("Ja.")
    page.get_by_label("Hvordan påvirker det slutbrugerne/borgerne?").fill("Hurtigere.")
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("status").first).to_contain_text("er oprettet")
    expect(page.locator("#trin-22")).to_have_count(1)
    expect(page.locator("#trin-4")).to_contain_text("Forhåndsvurdering af informationssikkerhed")
    expect(page.locator("#trin-3")).to_contain_text("Leverandørmøde")
    case = Case.objects.get(title="Nyt bookingsystem")
    assert len(model_for(case).steps) == 22


def test_the_admin_moves_an_older_case_to_the_new_version_after_a_dry_run(page: Page,
                                                                          live_server):
    from anskaf.audit.services import audit_verify
    from anskaf.cases.process_models import model_publish
    from anskaf.process.tests.model_edits import inserted_and_renamed

    org = testing.make_org()
    unit = testing.make_unit(org)
    admin = testing.make_user(org, "admin", "admin", unit=unit, full_name="Anne Admin")
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit)
    older = testing.advance(coordinator, testing.new_case(coordinator, title="Ældre sag"),
                            through=2)
    model_publish(actor=admin, organisation_id=org.pk, content=inserted_and_renamed(),
                  reason="Sikkerhed tidligt")

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/administration/procesmodel/")
    page.get_by_label("Vis modellen for").select_option(label=unit.name)
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(unit.name)
    assert_accessible(page)
    page.get_by_role("link", name="flytter dem").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Flyt igangværende sager")
    expect(page.get_by_role("main")).to_contain_text("Nyt trin 4: »Forhåndsvurdering")
    assert_accessible(page)
    assert len(model_for(Case.objects.get(pk=older.pk)).steps) == 21  # a dry run
    page.get_by_role("button", name="Flyt de valgte sager").click()
    expect(page.locator(".anskaf-messages")).to_contain_text("1 sag(er) er flyttet")
    expect(page.get_by_role("main")).to_contain_text("intet at flytte")

    page.goto(f"{live_server.url}/sager/{older.pk}/")
    expect(page.locator("#trin-22")).to_have_count(1)
    expect(page.locator("#trin-4")).to_contain_text("Forhåndsvurdering af informationssikkerhed")
    page.get_by_text("Vis sagens hændelser").click()  # the timeline loads when opened
    expect(page.locator("#tidslinje-indhold")).to_contain_text("flyttede sagen fra version")
    assert_accessible(page)
    assert audit_verify(org.pk).ok
