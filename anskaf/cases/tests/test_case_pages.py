"""The case pages through Django's test client: rendering, actions, errors, isolation, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anskaf import testing
from anskaf.cases.models import Case, StepState


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_pages_need_a_login(client, case):
    for url in ("/sager/", "/sager/ny/", f"/sager/{case.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/log-ind/")


def test_the_case_page_shows_all_21_steps_verbatim(signed_in, case):
    html = signed_in.get(f"/sager/{case.pk}/").content.decode()
    for number in range(1, 22):
        assert f'id="trin-{number}"' in html
    assert "Behov/ønske meldes ind til koordinerende funktion" in html
    # Step 4 waits for nobody yet: one line with its title; its description comes on demand.
    assert "Trin 4. Dokumentation samles" in html
    assert "Den koordinerede funktion samler den indhentede dokumentation" not in html
    # The timeline is a part of its own, read when opened (ADR 0042).
    assert "Tidslinje" in html and "oprettede sagen" not in html
    timeline = signed_in.get(f"/sager/{case.pk}/dele/tidslinje/").content.decode()
    assert "oprettede sagen" in timeline


def test_creating_a_case_with_missing_answers_explains_each_field(signed_in):
    response = signed_in.post("/sager/ny/", {"title": "", "replaces_system": "false"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Formularen indeholder fejl" in html
    assert Case.objects.count() == 0


def test_creating_a_case_redirects_to_it(signed_in, coordinator):
    response = signed_in.post("/sager/ny/", {**testing.case_data(), "replaces_system": "true",
                                             "estimated_contract_value": "1.250.000"})
    case = Case.objects.get()
    assert response["Location"] == f"/sager/{case.pk}/"
    assert case.replaces_system and case.estimated_contract_value == 1250000
    assert case.coordinator == coordinator


def test_completing_a_step_by_htmx_returns_the_case_body_with_focus_on_the_message(signed_in, case):
    response = signed_in.post(f"/sager/{case.pk}/trin/1/gennemfoer/", {"remarks": "Afklaret"},
                              HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="case-body"' in html
    assert "<html" not in html
    assert "Trin 1 er gennemført." in html and "data-autofocus" in html
    assert StepState.objects.get(case=case, number=1).status == "done"


def test_a_refused_step_answers_409_and_keeps_what_was_typed(signed_in, case):
    response = signed_in.post(f"/sager/{case.pk}/trin/8/gennemfoer/",
                              {"remarks": "Mine vigtige noter"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Kan vi gå videre med løsningen?" in html
    assert "Mine vigtige noter" in html  # kept on screen, marked as not saved
    assert "data-unsaved" in html
    # "Gem og gennemfør" is one transaction: a refused completion saves nothing.
    assert StepState.objects.get(case=case, number=8).remarks == ""


def test_a_stale_save_is_refused_and_the_text_is_kept_on_screen(signed_in, case, coordinator):
    from anskaf.cases import services

    services.step_update(actor=coordinator, case_id=case.pk, number=2, remarks="Fra en anden")
    response = signed_in.post(f"/sager/{case.pk}/trin/2/gem/",
                              {"remarks": "Min tekst", "version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "ændret af en anden" in html and "Min tekst" in html
    assert StepState.objects.get(case=case, number=2).remarks == "Fra en anden"


def test_a_decision_without_rationale_answers_400(client, case, coordinator, board_member):
    testing.advance(coordinator, case, 5)
    client.force_login(board_member)
    response = client.post(f"/sager/{case.pk}/trin/6/beslut/", {"outcome": "yes"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "Skriv en begrundelse" in response.content.decode()


def test_without_htmx_an_action_redirects_back_to_the_step(signed_in, case):
    response = signed_in.post(f"/sager/{case.pk}/trin/2/paabegynd/", {})
    assert response.status_code == 302
    assert response["Location"] == f"/sager/{case.pk}/#trin-2"


def test_withdrawing_needs_a_reason_and_then_closes_the_case(signed_in, case):
    assert signed_in.post(f"/sager/{case.pk}/traek-tilbage/", {"reason": ""}).status_code == 400
    response = signed_in.post(f"/sager/{case.pk}/traek-tilbage/", {"reason": "Behovet faldt bort"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "withdrawn"
    html = signed_in.get(f"/sager/{case.pk}/").content.decode()
    assert "Behovet faldt bort" in html and "Gem og gennemfør" not in html
    for number in range(1, 22):  # nor on a step's own page (the closed steps' bodies)
        step_html = signed_in.get(f"/sager/{case.pk}/trin/{number}/").content.decode()
        assert "Gem og gennemfør" not in step_html and 'id="trin-' in step_html, number


def test_editing_a_case_changes_its_fields(signed_in, case):
    data = {**testing.case_data(title="Nyt navn"), "replaces_system": "true", "version": 1}
    response = signed_in.post(f"/sager/{case.pk}/rediger/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Nyt navn" and case.replaces_system
    assert StepState.objects.get(case=case, number=13).status == "not_started"


def test_the_list_finds_Økonomi_when_searching_økonomi(signed_in, coordinator):
    testing.new_case(coordinator, title="Økonomisystem")
    testing.new_case(coordinator, title="Omsorgssystem")
    html = signed_in.get("/sager/", {"q": "økonomi"}).content.decode()
    assert "Økonomisystem" in html and "Omsorgssystem" not in html


def test_the_list_refuses_a_bad_filter_with_a_message(signed_in):
    response = signed_in.get("/sager/", {"phase": "abc"})
    assert response.status_code == 400
    assert "Fasen skal være en af procesmodellens faser: 1, 2, 3, 4, 5." in response.content.decode()


def test_every_case_url_answers_404_to_another_municipality(client, case, outsider):
    client.force_login(outsider)
    urls = [f"/sager/{case.pk}/", f"/sager/{case.pk}/rediger/", f"/sager/{case.pk}/traek-tilbage/"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for action in ("gem", "gennemfoer", "paabegynd", "ikke-relevant", "genaabn", "beslut"):
        url = f"/sager/{case.pk}/trin/1/{action}/"
        assert client.post(url, {"reason": "x", "rationale": "x"}).status_code == 404, url
    assert case.title not in client.get("/sager/").content.decode()


def _count_queries(client, url):
    client.get(url)  # warm: the menu's task count is cached until the data changes
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_case_list_costs_the_same_queries_for_3_and_30_cases(signed_in, coordinator):
    for i in range(3):
        testing.new_case(coordinator, title=f"Sag {i}")
    few = _count_queries(signed_in, "/sager/")
    for i in range(27):
        testing.new_case(coordinator, title=f"Flere {i}")
    assert _count_queries(signed_in, "/sager/") == few


def test_the_case_page_costs_the_same_queries_early_and_late(signed_in, coordinator):
    early = testing.new_case(coordinator)
    late = testing.advance(coordinator, testing.new_case(coordinator), 12)
    assert _count_queries(signed_in, f"/sager/{early.pk}/") == _count_queries(
        signed_in, f"/sager/{late.pk}/")


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "ok"


def test_the_accessibility_statement_is_linked_from_every_page(client, db):
    html = client.get("/log-ind/").content.decode()
    assert 'href="/tilgaengelighed/"' in html
    assert client.get("/tilgaengelighed/").status_code == 200


def test_an_english_browser_still_gets_danish_dates(signed_in, coordinator):
    from django.utils import timezone

    case = testing.advance(coordinator, testing.new_case(coordinator), 1)
    months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december"]
    html = signed_in.get(f"/sager/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert f"{timezone.localdate().day}. {months[timezone.localdate().month - 1]}" in html
    assert '<html lang="da">' in html


# --- closed steps: the body comes on demand (issue 8) -------------------------------------------


def test_closed_steps_come_without_their_body_which_the_step_page_and_fragment_carry(
        signed_in, coordinator):
    case = testing.advance(coordinator, testing.new_case(coordinator), 12)
    html = signed_in.get(f"/sager/{case.pk}/").content.decode()
    # Step 12 is done: its title and status are there, its checklist and reopen form are not.
    assert 'id="trin-12-titel"' in html and "Gennemført" in html
    assert 'id="trin-12-punkt-1"' not in html and "Genåbn trin 12" not in html
    assert "Kan ikke genåbnes" not in html  # step 1's body (it cannot be reopened) is not there
    assert (f'href="/sager/{case.pk}/trin/12/">Vis beskrivelse, tjekliste og handlinger for '
            "trin 12") in html
    assert f'hx-get="/sager/{case.pk}/trin/12/?del=indhold" hx-trigger="toggle once"' in html
    assert 'hx-target="#trin-12-indhold"' in html and 'id="trin-12-indhold"' in html
    # Only the steps the case waits on now that the viewer may act on are open (ADR 0020):
    # nothing is started after step 12 and step 13 is not relevant (nothing is replaced), so
    # the next in order, step 14 (which the coordinator may work on), is the one open step.
    rendered = [n for n in range(1, 22) if f'id="trin-{n}-bemaerkninger"' in html]
    assert rendered == [14], rendered
    assert html.count('class="anskaf-step-details" open') == len(rendered)

    page = signed_in.get(f"/sager/{case.pk}/trin/12/")
    assert page.status_code == 200
    page_html = page.content.decode()
    assert f'<a href="/sager/{case.pk}/">' in page_html and case.title in page_html
    assert 'id="trin-12-punkt-1"' in page_html and "Genåbn trin 12" in page_html
    assert f'action="/sager/{case.pk}/trin/12/genaabn/"' in page_html
    assert '<details class="anskaf-step-details" open>' in page_html
    assert 'id="trin-11"' not in page_html  # only the one step
    assert "Kan ikke genåbnes" in signed_in.get(f"/sager/{case.pk}/trin/1/").content.decode()

    fragment = signed_in.get(f"/sager/{case.pk}/trin/12/?del=indhold", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and "<section" not in body
    assert 'id="trin-12-punkt-1"' in body and "Genåbn trin 12" in body
    assert 'class="anskaf-pre anskaf-description"' in body  # the step's description
    assert len(body) < len(page_html)


def test_the_case_page_is_smaller_for_a_case_with_many_done_steps(signed_in, coordinator):
    case = testing.advance(coordinator, testing.new_case(coordinator), 12)
    html = signed_in.get(f"/sager/{case.pk}/").content.decode()
    bodies = {n: signed_in.get(f"/sager/{case.pk}/trin/{n}/?del=indhold").content.decode()
              for n in range(1, 22)}
    rendered = [n for n in bodies if f'id="trin-{n}-bemaerkninger"' in html]
    # The page carries the checklists and forms of the open steps only; all of them together are
    # several times as many.
    assert html.count('name="checked"') == sum(bodies[n].count('name="checked"') for n in rendered)
    assert html.count('name="checked"') * 2 < sum(b.count('name="checked"') for b in bodies.values())
    assert html.count("<form") < sum(b.count("<form") for b in bodies.values())


def test_the_step_page_and_fragment_answer_404_to_another_municipality(client, case, outsider):
    client.force_login(outsider)
    for url in (f"/sager/{case.pk}/trin/1/", f"/sager/{case.pk}/trin/1/?del=indhold"):
        assert client.get(url).status_code == 404, url
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404, url


def test_a_step_that_is_not_in_the_model_answers_404(signed_in, case):
    for number in (0, 22, 999):
        assert signed_in.get(f"/sager/{case.pk}/trin/{number}/").status_code == 404
    assert signed_in.get("/sager/999999/trin/1/").status_code == 404


def test_an_error_from_the_step_page_shows_the_case_page_with_the_step_open(signed_in, coordinator):
    case = testing.advance(coordinator, testing.new_case(coordinator), 3)
    version = StepState.objects.get(case=case, number=1).version
    # A plain POST (the step page disables htmx) without the reason the form requires.
    response = signed_in.post(f"/sager/{case.pk}/trin/1/genaabn/", {"version": version,
                                                                     "reason": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and 'role="alert"' in html
    assert 'id="trin-1-indhold"' in html and "Genåbn trin 1" in html
    assert html.count('class="anskaf-step-details" open') >= 1


def test_the_step_page_costs_the_same_queries_early_and_late(signed_in, coordinator):
    early = testing.new_case(coordinator)
    late = testing.advance(coordinator, testing.new_case(coordinator), 12)
    assert _count_queries(signed_in, f"/sager/{early.pk}/trin/1/") == _count_queries(
        signed_in, f"/sager/{late.pk}/trin/1/")


def test_the_list_pages_with_the_shared_cursor_and_a_bad_one_shows_the_first_page(
        signed_in, coordinator):
    import re

    for i in range(27):
        testing.new_case(coordinator, title=f"Sag til sidevisning {i:02d}")
    first = signed_in.get("/sager/").content.decode()
    link = re.search(r'href="\?efter=([^"]+)"', first)
    assert link is not None and first.count("Sag til sidevisning") == 25
    second = signed_in.get(f"/sager/?efter={link.group(1)}").content.decode()
    assert second.count("Sag til sidevisning") == 2 and "Næste side" not in second
    assert "Sag til sidevisning 00" in second  # the oldest, last
    bad = signed_in.get("/sager/?efter=ikke-en-markør")
    assert bad.status_code == 200 and bad.content.decode().count("Sag til sidevisning") == 25
