"""Administration -> Procesmodel: show, check, compare, publish and roll back (issue 17)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases.models import ModelVersion
from anskaf.cases.process_models import current_version, model_for, model_publish
from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

pytestmark = pytest.mark.django_db

PAGE = "/administration/procesmodel/"


@pytest.fixture
def admin(org):
    return testing.make_user(org, "admin", "admin")


@pytest.fixture
def browser(admin):
    client = Client()
    client.force_login(admin)
    return client


def _changed() -> str:
    return rename_step(insert_step(shipped(), after=3), "initial_supplier_dialogue",
                       "Leverandørmøde")


def test_the_page_shows_the_model_its_versions_and_the_yaml(browser):
    page = browser.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "den fælles standardmodel" in html
    assert "Fase 1: Behov og afklaring" in html
    assert "Behov/ønske meldes ind til koordinerende funktion" in html
    assert "Beslutningspunkt:" in html
    assert "Standardmodellen" in html  # the shared version in the history
    assert "\nkey: haderslev\n" in html  # the current YAML in the editor
    download = browser.get(f"{PAGE}gaeldende.yaml")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.decode() == shipped()


def test_checking_a_broken_model_marks_the_line_with_its_problem(browser):
    lines = shipped().split("\n")
    index = next(i for i, line in enumerate(lines) if "effect: reject" in line)
    lines[index] = lines[index].replace("effect: reject", "effect: explode")
    page = browser.post(f"{PAGE}kontrol/", {"content": "\r\n".join(lines)})
    assert page.status_code == 400
    html = page.content.decode()
    assert f'<a href="#linje-{index + 1}">Linje {index + 1}</a>' in html
    assert f'<tr id="linje-{index + 1}" class="anskaf-line-problem">' in html
    assert "effect must be advance, repeat or reject" in html
    assert "Udgiv modellen" not in html


def test_checking_a_changed_model_shows_the_diff_in_words_and_the_publish_form(browser):
    page = browser.post(f"{PAGE}kontrol/", {
        "file": SimpleUploadedFile("ny.yaml", _changed().encode(), "application/yaml")})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Modellen er gyldig" in html
    assert "Tilføjet" in html and "security_pre_screening" in html
    assert "titel ændret fra »Indledende dialog" in html
    assert "trin 4 → 5" in html
    assert "Udgiv modellen" in html


def test_a_model_without_the_boards_steps_warns_what_falls_silent(browser):
    content = shipped().replace("key: it_board_meeting", "key: council_meeting", 1)
    html = browser.post(f"{PAGE}kontrol/", {"content": content}).content.decode()
    assert "Modellen er gyldig" in html
    assert "warning: no step has kind &#x27;board_review&#x27; or key" in html


def test_publishing_needs_a_reason_then_new_cases_run_on_it(browser, org, admin, coordinator):
    base = current_version(org.pk).pk
    refused = browser.post(f"{PAGE}udgiv/", {"content": _changed(), "base": base,
                                             "reason": ""})
    assert refused.status_code == 400
    assert "Skriv, hvorfor modellen ændres." in refused.content.decode()
    done = browser.post(f"{PAGE}udgiv/", {"content": _changed().replace("\n", "\r\n"),
                                          "base": base, "reason": "Sikkerhed tidligt"},
                        follow=True)
    assert "Version 1 er udgivet" in done.content.decode()
    version = current_version(org.pk)
    assert (version.version, version.published_by, version.reason) == (
        1, admin, "Sikkerhed tidligt")
    assert "\r" not in version.content
    case = testing.new_case(coordinator)
    assert len(model_for(case).steps) == 22
    page = browser.get(PAGE).content.decode()
    assert "kommunens version 1" in page and "Sikkerhed tidligt" in page
    assert audit_verify(org.pk).ok


def test_identical_content_says_so_and_a_stale_publish_gets_a_conflict(browser, org, admin):
    base = current_version(org.pk).pk
    same = browser.post(f"{PAGE}udgiv/", {"content": shipped(), "base": base, "reason": "x"},
                        follow=True)
    assert "Der er ikke udgivet noget" in same.content.decode()
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="Først")
    late = browser.post(f"{PAGE}udgiv/", {"content": rename_step(shipped(), "need_reported",
                                                                  "Behov"),
                                          "base": base, "reason": "Anden"})
    assert late.status_code == 409
    assert "En anden har udgivet version 1" in late.content.decode()
    assert ModelVersion.objects.filter(organisation=org).count() == 1


def test_rolling_back_publishes_the_earlier_content_again(browser, org, admin):
    shared = current_version(org.pk)
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="Ny")
    refused = browser.post(f"{PAGE}versioner/{shared.pk}/genudgiv/", {"reason": ""})
    assert refused.status_code == 400
    done = browser.post(f"{PAGE}versioner/{shared.pk}/genudgiv/",
                        {"reason": "Tilbage til standarden"}, follow=True)
    assert "er udgivet igen som version 2" in done.content.decode()
    assert current_version(org.pk).sha256 == shared.sha256
    assert AuditEvent.objects.filter(organisation=org, event_type="model.published").count() == 2


def test_another_municipalitys_version_answers_404_to_its_admin(org, other_org, admin):
    foreign = model_publish(actor=None, organisation_id=org.pk, content=_changed(),
                            reason="x", via="cli").version
    stranger = testing.make_user(other_org, "fremmed-admin", "admin")
    client = Client()
    client.force_login(stranger)
    assert client.get(f"{PAGE}versioner/{foreign.pk}.yaml").status_code == 404
    assert client.post(f"{PAGE}versioner/{foreign.pk}/genudgiv/",
                       {"reason": "x"}).status_code == 404
    assert "security_pre_screening" not in client.get(PAGE).content.decode()
    assert current_version(other_org.pk).organisation_id is None


def test_a_coordinator_may_not_publish(org, coordinator):
    client = Client()
    client.force_login(coordinator)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}udgiv/", {"content": _changed(), "reason": "x"}).status_code == 403
    assert not ModelVersion.objects.filter(organisation=org).exists()


def test_the_page_offers_the_model_as_bpmn(browser, admin, org):
    html = browser.get(PAGE).content.decode()
    assert f'href="{PAGE}gaeldende.bpmn"' in html
    download = browser.get(f"{PAGE}gaeldende.bpmn")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/xml")
    assert download["Content-Disposition"] == 'attachment; filename="haderslev-v1.bpmn"'
    assert b"<bpmn:userTask id=\"Task_contract_in_place\"" in download.content
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="Nyt trin")
    mine = current_version(org.pk)
    assert f'href="{PAGE}versioner/{mine.pk}.bpmn"' in browser.get(PAGE).content.decode()
    published = browser.get(f"{PAGE}versioner/{mine.pk}.bpmn").content.decode()
    assert 'id="Task_security_pre_screening"' in published and "Leverandørmøde" in published
    other = testing.make_org("aabenraa", "Aabenraa Kommune")
    theirs = model_publish(actor=testing.make_user(other, "a2", "admin"),
                           organisation_id=other.pk, content=_changed(), reason="x").version
    assert browser.get(f"{PAGE}versioner/{theirs.pk}.bpmn").status_code == 404


# --- forvaltninger, shared versions, moving cases (ADR 0032) --------------------------------


def test_an_admin_publishes_a_forvaltnings_model_from_the_page(browser, org, unit, coordinator):
    page = browser.get(PAGE)
    assert f'<option value="{unit.pk}">{unit.name}</option>' in page.content.decode()
    page = browser.get(f"{PAGE}?enhed={unit.pk}")
    assert "har ikke sin egen model endnu" in page.content.decode()
    check = browser.post(f"{PAGE}kontrol/", {"content": _changed(), "enhed": unit.pk})
    assert check.status_code == 200
    assert f'name="enhed" value="{unit.pk}"' in check.content.decode()
    base = current_version(org.pk, unit.pk).pk
    done = browser.post(f"{PAGE}udgiv/", {"content": _changed(), "reason": "Egen",
                                          "base": base, "enhed": unit.pk})
    assert done.status_code == 302 and done["Location"].endswith(f"?enhed={unit.pk}")
    assert current_version(org.pk, unit.pk).unit_id == unit.pk
    assert current_version(org.pk).organisation_id is None
    assert len(model_for(testing.new_case(coordinator)).steps) == 22
    assert browser.get(f"{PAGE}?enhed=999999").status_code == 404
    assert browser.get(f"{PAGE}?enhed=1x").status_code == 404  # parsed where it enters
    department = testing.make_unit(org, "Afdeling", parent=unit)
    assert browser.get(f"{PAGE}?enhed={department.pk}").status_code == 404


def test_the_page_shows_a_newer_shared_version_with_its_diff_and_adopts_it(browser, org):
    from anskaf.cases.process_models import model_publish_shared

    current_version(org.pk)
    newest = model_publish_shared(actor=None, content=_changed(), reason="KL's anbefaling"
                                  ).version
    html = browser.get(PAGE).content.decode()
    assert "Der er en nyere fælles version" in html and "Leverandørmøde" in html
    refused = browser.post(f"{PAGE}versioner/{newest.pk}/tag-i-brug/", {"reason": " "})
    assert refused.status_code == 400
    assert "Skriv, hvorfor modellen ændres." in refused.content.decode()
    done = browser.post(f"{PAGE}versioner/{newest.pk}/tag-i-brug/", {"reason": "Vi følger KL"})
    assert done.status_code == 302
    assert current_version(org.pk).adopted_from_id == newest.pk
    assert "Der er en nyere fælles version" not in browser.get(PAGE).content.decode()


def test_moving_cases_dry_run_page_then_the_chosen_ones(browser, org, admin, coordinator):
    case = testing.new_case(coordinator)
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="r")
    page = browser.get(f"{PAGE}sager/")
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html and "Nyt trin 4: »Forhåndsvurdering" in html
    assert len(model_for(case).steps) == 21  # the page changes nothing
    empty = browser.post(f"{PAGE}sager/flyt/", {})
    assert empty.status_code == 400 and "Vælg de sager" in empty.content.decode()
    done = browser.post(f"{PAGE}sager/flyt/", {"case": [case.pk]}, follow=True)
    assert "1 sag(er) er flyttet" in done.content.decode()
    case.refresh_from_db()
    assert len(model_for(case).steps) == 22
    assert "intet at flytte" in browser.get(f"{PAGE}sager/").content.decode()
    assert audit_verify(org.pk).ok


def test_a_checked_model_offers_a_preview_of_a_case_on_it_and_stores_nothing(browser, org):
    html = browser.post(f"{PAGE}kontrol/", {"content": _changed()}).content.decode()
    assert "Forhåndsvis en sag" in html and 'action="/administration/procesmodel/forhaandsvis/"' in html
    before = (ModelVersion.objects.count(), AuditEvent.objects.count())
    page = browser.post(f"{PAGE}forhaandsvis/", {"content": _changed()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Forhåndsvisning af en sag" in html and "Intet er gemt" in html
    assert "En ny sag får 22 trin" in html
    assert "Leverandørmøde" in html and "security_pre_screening" in html
    assert "Kun når et system erstattes" in html
    assert "Beslutningspunkt:" in html and "Udfald:" in html
    assert (ModelVersion.objects.count(), AuditEvent.objects.count()) == before


def test_previewing_an_invalid_model_shows_its_lines_and_no_preview(browser):
    broken = shipped().replace("effect: reject", "effect: explode", 1)
    page = browser.post(f"{PAGE}forhaandsvis/", {"content": broken})
    assert page.status_code == 400
    html = page.content.decode()
    assert "kan ikke udgives" in html and 'href="#linje-' in html
    assert "Forhåndsvisning af en sag" not in html
    empty = browser.post(f"{PAGE}forhaandsvis/", {"content": "  "})
    assert empty.status_code == 400
