"""Mine opgaver: what waits for whom, assignments, deputies, and the count in the navigation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.cases import services
from anskaf.cases.errors import PermissionDenied, ValidationFailed
from anskaf.orgs import deputies
from anskaf.orgs.services import role_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_person(org):
    return testing.make_user(org, "it", "it", full_name="Ida IT")


def _page(client, person):
    client.force_login(person)
    response = client.get("/opgaver/")
    assert response.status_code == 200
    return response.content.decode()


def test_login_lands_on_mine_opgaver(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/")["Location"] == "/opgaver/"


def test_it_sees_the_steps_that_wait_for_it_and_not_the_boards_decision(
        client, coordinator, it_person):
    case = testing.new_case(coordinator, title="Økonomisystem")
    testing.advance(coordinator, case, 2)
    html = _page(client, it_person)
    assert "Trin 3. Indledende dialog med leverandør/præsentation af IT-system" in html
    assert "Trin 6." not in html
    assert "Mine opgaver (" in html  # the count in the navigation


def test_the_board_sees_the_decision_once_steps_1_to_5_are_done(client, coordinator,
                                                                 board_member):
    case = testing.new_case(coordinator)
    assert "Trin 6." not in _page(client, board_member)
    testing.advance(coordinator, case, 5)
    html = _page(client, board_member)
    assert "Beslutninger der venter på dig (1)" in html
    assert "Kan vi gå videre med løsningen?" in html


def test_management_of_another_unit_does_not_see_step_7(client, coordinator, other_unit):
    case = testing.advance(coordinator, testing.new_case(coordinator), 6)
    other_manager = testing.make_user(case.organisation, "anden-leder", "management",
                                      unit=other_unit)
    assert "Trin 7." not in _page(client, other_manager)
    own_manager = testing.stand_in(case, ("management",))
    assert "Trin 7." in _page(client, own_manager)


def test_an_assigned_step_shows_for_the_assignee_and_their_deputy(client, coordinator, org,
                                                                   unit):
    colleague = testing.make_user(org, "kollega", "requester", unit=unit, full_name="Kim Kollega")
    deputy = testing.make_user(org, "stedfortraeder", full_name="Sara Stedfortræder")
    case = testing.new_case(coordinator, title="Tildelt sag")
    services.step_assign(actor=coordinator, case_id=case.pk, number=9, assignee="kollega")
    assert "Trin 9. Organisering af projektet" in _page(client, colleague)
    assert "Tildelt sag" not in _page(client, deputy)

    today = timezone.localdate()
    deputies.deputy_add(actor=colleague, deputy_username="stedfortraeder",
                        starts_on=today, ends_on=today + dt.timedelta(days=7))
    html = _page(client, deputy)
    assert "Stedfortræder for Kim Kollega" in html and "Trin 9." in html
    # ... and may act on it, with the audit trail naming who did it.
    services.step_update(actor=deputy, case_id=case.pk, number=9, remarks="Klaret af Sara")


def test_a_deputy_period_that_has_ended_gives_no_access(client, coordinator, org, unit):
    colleague = testing.make_user(org, "kollega", "requester", unit=unit)
    deputy = testing.make_user(org, "stedfortraeder")
    case = testing.new_case(coordinator)
    services.step_assign(actor=coordinator, case_id=case.pk, number=9, assignee="kollega")
    past = timezone.localdate() - dt.timedelta(days=10)
    deputies.deputy_add(actor=colleague, deputy_username="stedfortraeder", starts_on=past,
                        ends_on=past + dt.timedelta(days=2))
    with pytest.raises(PermissionDenied):
        services.step_update(actor=deputy, case_id=case.pk, number=9, remarks="nej")


def test_a_step_can_only_be_assigned_within_its_roles(coordinator, org, board_member):
    case = testing.new_case(coordinator)
    with pytest.raises(ValidationFailed, match="har ikke en af trinnets roller"):
        services.step_assign(actor=coordinator, case_id=case.pk, number=9, assignee="visitation")
    services.step_assign(actor=coordinator, case_id=case.pk, number=6, assignee="visitation")
    assert case.step_states.get(number=6).assignee == board_member


def test_assigning_in_the_browser_form_and_the_page_shows_the_assignee(client, coordinator,
                                                                       board_member):
    case = testing.new_case(coordinator)
    client.force_login(coordinator)
    response = client.post(f"/sager/{case.pk}/trin/6/tildel/", {"assignee": "visitation"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Tildelt: " in response.content.decode()


def test_deputies_page_adds_and_removes_with_clear_errors(client, coordinator, org):
    testing.make_user(org, "kollega")
    client.force_login(coordinator)
    assert client.get("/mig/stedfortraeder/").status_code == 200
    bad = client.post("/mig/stedfortraeder/", {"deputy": "kollega", "starts_on": "2026-12-10",
                                               "ends_on": "2026-12-01"})
    assert bad.status_code == 400
    assert "Slutdatoen skal ligge på eller efter startdatoen" in bad.content.decode()
    # DKFDS' date picker: typed "dd.mm.åååå" (its ISO form is read as well, above).
    assert 'data-dateformat="DD.MM.YYYY" data-default-value="2026-12-10"' in bad.content.decode()
    ok = client.post("/mig/stedfortraeder/", {"deputy": "kollega", "starts_on": "01.12.2026",
                                              "ends_on": "10.12.2026"})
    assert ok.status_code == 302
    record = coordinator.deputies.get()
    client.post("/mig/stedfortraeder/", {"remove": record.pk})
    assert not coordinator.deputies.exists()


def _nav_count(client, path="/sager/"):
    import re

    html = client.get(path).content.decode()
    found = re.search(r"Mine opgaver \((\d+)\)", html)
    return int(found.group(1)) if found else 0


def test_the_menu_count_follows_every_move_although_it_is_cached(client, coordinator,
                                                                  it_person):
    client.force_login(it_person)
    assert _nav_count(client) == 0
    case = testing.advance(coordinator, testing.new_case(coordinator), 2)
    opened = _nav_count(client)
    assert opened >= 1  # step 3 (and what runs beside it) opened for IT
    assert _nav_count(client) == opened  # served from the cache, still right
    services.step_complete(actor=it_person, case_id=case.pk, number=3)
    assert _nav_count(client) == opened - 1


def test_another_persons_remark_leaves_the_menu_count_cached(client, coordinator, it_person):
    """ADR 0044: a remark moves nobody's work, so the count is not computed again (the page
    reads the same queries as before it); a completed step is, at once."""
    case = testing.advance(coordinator, testing.new_case(coordinator), 2)
    other = testing.new_case(coordinator)
    client.force_login(it_person)
    opened = _nav_count(client)
    with CaptureQueriesContext(connection) as warm:
        assert _nav_count(client) == opened
    services.step_update(actor=coordinator, case_id=other.pk, number=1, remarks="Husk budget")
    with CaptureQueriesContext(connection) as after_remark:
        assert _nav_count(client) == opened
    assert len(after_remark) == len(warm)
    services.step_complete(actor=it_person, case_id=case.pk, number=3)
    assert _nav_count(client) == opened - 1


def _step_state_reads(captured) -> list[str]:
    """The SQL of the queries that read step states for the task list (its parts)."""
    return [q["sql"] for q in captured.captured_queries
            if "cases_stepstate" in q["sql"] and '"checked"' in q["sql"]]


def test_the_candidates_are_read_with_their_own_versions_in_one_statement(
        client, coordinator, it_person):
    """ADR 0045, amended: each candidate's own work version comes with the candidates (a
    subquery), not in a second query naming every candidate's id (thousands for IT)."""
    cases = [testing.advance(coordinator, testing.new_case(coordinator), 2) for _ in range(3)]
    client.force_login(it_person)
    _page(client, it_person)
    services.step_complete(actor=it_person, case_id=cases[0].pk, number=3)
    with CaptureQueriesContext(connection) as captured:
        html = _page(client, it_person)
    heads = [q["sql"] for q in captured.captured_queries if "audit_caseworkhead" in q["sql"]]
    assert len(heads) == 1 and "cases_case" in heads[0], heads
    assert all(c.title in html for c in cases[1:])


def test_a_completion_recomputes_only_its_own_cases_part_of_another_persons_list(
        client, coordinator, it_person):
    """ADR 0045: each person's list is kept in per-case parts under the case's own work
    version; a completion in one case moves that case's part, and the others are read kept."""
    first = testing.advance(coordinator, testing.new_case(coordinator, title="Første"), 2)
    second = testing.advance(coordinator, testing.new_case(coordinator, title="Anden"), 2)
    testing.advance(coordinator, testing.new_case(coordinator, title="Tredje"), 2)
    client.force_login(it_person)
    html = _page(client, it_person)
    assert all(t in html for t in ("Første", "Anden", "Tredje"))
    services.step_complete(actor=it_person, case_id=first.pk, number=3)
    with CaptureQueriesContext(connection) as captured:
        html = _page(client, it_person)
    reads = _step_state_reads(captured)
    assert len(reads) == 1, reads  # the parts missing, read together: the first case's alone
    assert f"IN({first.pk})" in reads[0].replace(" ", "").replace("'", ""), reads[0]
    assert "Anden" in html and "Tredje" in html  # the kept parts still listed
    services.step_complete(actor=it_person, case_id=second.pk, number=3)
    html = _page(client, it_person)
    assert "Anden" not in html.split('id="trin"')[1].split('id="i-princippet"')[0]
    assert "Tredje" in html


def test_a_new_role_recomputes_every_part(client, coordinator, org):
    """A role is not bound to one case: it moves the shared version, so every part of the
    person's list is computed again and the new role's steps appear at once."""
    admin = testing.make_user(org, "admin", "admin")
    newcomer = testing.make_user(org, "nyit", full_name="Nina Ny")
    testing.advance(coordinator, testing.new_case(coordinator, title="Økonomi"), 2)
    testing.advance(coordinator, testing.new_case(coordinator, title="Lønsystem"), 2)
    assert "Økonomi" not in _page(client, newcomer)
    role_add(actor=admin, person_id=newcomer.pk, role="it")
    html = _page(client, newcomer)
    assert "Økonomi" in html and "Lønsystem" in html


def _tables(html: str) -> str:
    return html.split("<h1>Mine opgaver</h1>")[1].split("Stedfortræder ved fravær")[0]


def test_the_task_tables_are_kept_rendered_and_a_new_deadline_shows_at_once(client,
                                                                           coordinator):
    """ADR 0045: a table is kept under everything it shows, so the next request renders none
    of its rows, and a deadline (which moves nobody's work) still shows at once."""
    from anskaf.notifications.services import deadline_set

    case = testing.new_case(coordinator, title="Frist-sagen")
    client.force_login(coordinator)
    table = "cases/includes/task_table.html"
    first = client.get("/opgaver/")
    assert table in [t.name for t in first.templates]
    again = client.get("/opgaver/")
    assert table not in [t.name for t in again.templates]
    assert _tables(again.content.decode()) == _tables(first.content.decode())
    deadline_set(actor=coordinator, case_id=case.pk, number=1, due_date="2031-03-02")
    html = client.get("/opgaver/").content.decode()
    assert "02.03.2031" in _tables(html) and "Frist-sagen" in html


def test_the_menu_count_follows_a_deputy_period_starting(client, coordinator, it_person, org):
    colleague = testing.make_user(org, "kollega", full_name="Kim Kollega")
    case = testing.advance(coordinator, testing.new_case(coordinator), 2)
    services.step_assign(actor=coordinator, case_id=case.pk, number=3, assignee=it_person.pk)
    client.force_login(colleague)
    assert _nav_count(client) == 0
    deputies.deputy_add(actor=it_person, deputy_username=colleague.username,
                        starts_on=timezone.localdate(),
                        ends_on=timezone.localdate() + dt.timedelta(days=3))
    assert _nav_count(client) == 1


def test_long_task_lists_are_paged_fifty_at_a_time(client, coordinator):
    for i in range(51):  # a new case waits for its coordinator in its first step only
        testing.new_case(coordinator, title=f"Sag nummer {i:02d}")
    client.force_login(coordinator)
    first = client.get("/opgaver/").content.decode()
    actionable = first.split('id="trin"')[1].split('id="i-princippet"')[0]
    assert "Trin der venter på dig (51)" in first
    assert "Viser 1–50 af 51 (side 1 af 2)" in first
    assert actionable.count("<tr>") - 1 == 50  # rows without the header
    assert "Sag nummer 00" in actionable and "Sag nummer 50" not in actionable  # longest first
    second = client.get("/opgaver/?trin=2").content.decode()
    actionable = second.split('id="trin"')[1].split('id="i-princippet"')[0]
    assert "Viser 51–51 af 51 (side 2 af 2)" in second
    assert "Sag nummer 50" in actionable and "Sag nummer 00" not in actionable
    assert "?trin=1#trin" in second
    assert "Viser 1–50" in client.get("/opgaver/?trin=abc").content.decode()  # bad -> page 1
    assert "Viser 51–51" in client.get("/opgaver/?trin=99").content.decode()  # past -> last


def _queries(client, url: str, **headers) -> tuple[int, str]:
    client.get(url, **headers)  # warm the per-process caches (process models, the viewer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_task_page_reads_the_same_queries_for_5_and_60_tasks_and_pages_the_rest(
        client, coordinator):
    client.force_login(coordinator)
    for i in range(5):  # a new case waits for its coordinator in its first step only
        testing.new_case(coordinator, title=f"Sag nummer {i:02d}")
    few, _ = _queries(client, "/opgaver/")
    for i in range(5, 60):
        testing.new_case(coordinator, title=f"Sag nummer {i:02d}")
    many, first = _queries(client, "/opgaver/")
    assert few == many, (few, many)
    actionable, principle = first.split('id="trin"')[1].split('id="i-princippet"')
    assert actionable.count("Sag nummer") == 50 and "Viser 1–50 af 60 (side 1 af 2)" in actionable
    # The folded list of what is open only in principle is paged too (it was rendered whole).
    assert principle.count("Sag nummer") == 50 and "Viser 1–50 af 60" in principle
    second = client.get("/opgaver/?trin=2").content.decode()
    shown = second.split('id="trin"')[1].split('id="i-princippet"')[0]
    assert "Viser 51–60 af 60 (side 2 af 2)" in second
    assert [f"Sag nummer {i:02d}" in shown for i in range(60)] == [i >= 50 for i in range(60)]
    assert 'href="?trin=1#trin"' in second  # back to the first page, by keyboard a link
    rest = client.get("/opgaver/?i-princippet=2").content.decode().split('id="i-princippet"')[1]
    assert "Viser 51–60 af 60 (side 2 af 2)" in rest and "<details class=\"details\" open>" in rest


def test_the_task_list_api_pages_by_its_cursor_in_the_same_queries(client, coordinator):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=coordinator)}"}
    for i in range(7):
        testing.new_case(coordinator, title=f"Sag nummer {i:02d}")
    whole = client.get("/api/v1/tasks?limit=200", **headers).json()
    assert len(whole["items"]) > 5 and whole["next"] is None
    first_count, first = _queries(client, "/api/v1/tasks?limit=5", **headers)
    body = json.loads(first)
    assert body["items"] == whole["items"][:5]
    second_count, second = _queries(client, body["next"], **headers)
    rest = json.loads(second)
    assert rest["items"] == whole["items"][5:10]
    assert first_count == second_count
    assert client.get("/api/v1/tasks?cursor=x", **headers).status_code == 404
    assert client.get("/api/v1/tasks?limit=0", **headers).status_code == 400
