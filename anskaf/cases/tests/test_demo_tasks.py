"""Each demo person's "Mine opgaver" shows their own work, and only their municipality's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from anskaf import demo
from anskaf.orgs import deputies
from anskaf.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings):
    settings.DEMO_MODE = True
    demo.load()


def tasks_of(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get("/opgaver/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_sees_its_decision_at_step_6(loaded):
    html = tasks_of("visitation")
    decisions = html.split('id="beslutninger"')[1].split('id="trin"')[0]
    assert "Kommunikationsplatform til dagtilbud og forældre" in decisions
    assert "Trin 6." in decisions


def test_management_sees_the_go_no_go_at_step_7(loaded):
    decisions = tasks_of("leder").split('id="beslutninger"')[1].split('id="trin"')[0]
    assert "Trin 7." in decisions


def test_security_sees_the_data_processing_agreement(loaded):
    html = tasks_of("isk")
    assert "Nyt omsorgssystem til hjemmeplejen" in html
    assert "Trin 11. Databehandleraftale på plads" in html


def test_the_administrator_performs_no_steps(loaded):
    html = tasks_of("admin")
    assert "Ingen beslutninger venter på dig." in html
    assert "Ingen trin venter på dig lige nu." in html


def test_nabo_sees_only_nabo_kommunes_cases(loaded):
    html = tasks_of("nabo")
    assert "Nyt sagsbehandlingssystem til byggesager" in html
    assert "hjemmeplejen" not in html and "Kommunikationsplatform" not in html
    for username in ("koordinator", "medarbejder", "it", "visitation", "isk"):
        assert "byggesager" not in tasks_of(username)


def test_a_deputy_sees_the_absent_persons_assigned_steps(loaded):
    from anskaf.cases import services
    from anskaf.cases.models import Case

    care = Case.objects.get(title="Nyt omsorgssystem til hjemmeplejen")
    koordinator = User.objects.get(username="koordinator")
    services.step_assign(actor=koordinator, case_id=care.pk, number=11, assignee="isk")
    assert "Trin 11." not in tasks_of("jura")
    today = timezone.localdate()
    deputies.deputy_add(actor=User.objects.get(username="isk"), deputy_username="jura",
                        starts_on=today, ends_on=today + dt.timedelta(days=14))
    html = tasks_of("jura")
    assert "Trin 11. Databehandleraftale på plads" in html
    assert "Stedfortræder for" in html


def _actionable(html: str) -> str:
    return html.split('id="i-princippet"')[0]


def test_medarbejders_actionable_list_has_no_step_of_a_case_that_waits_elsewhere(loaded):
    from anskaf.cases import selectors
    from anskaf.cases.models import Case
    from anskaf.cases.process_models import model_for

    medarbejder = User.objects.get(username="medarbejder")
    tasks = selectors.actionable_tasks(viewer=medarbejder)
    assert tasks, "the requester has work in the demo"
    for task in tasks:
        case = Case.objects.get(pk=task.case.pk)
        detail = selectors.case_detail(viewer=medarbejder, case_id=case.pk)
        now = {w.number for w in selectors.case_attention(detail).now}
        assert task.step.number in now, (case.number, task.step.number, now)
    # The care system waits on the data processing agreement: its contract step, blocked by
    # it, is folded away as open only in principle.
    care = Case.objects.get(title="Nyt omsorgssystem til hjemmeplejen")
    contract = model_for(care).step_by_key("contract_in_place")
    html = tasks_of("medarbejder")
    assert f"Trin {contract.number}. " not in _actionable(html)
    principle = html.split('id="i-princippet"')[1]
    assert "Venter på trin" in principle


def test_the_board_does_not_get_its_step_for_a_case_never_put_forward(loaded):
    html = tasks_of("visitation")
    assert "Digitale nøgler til borgernes hjem" not in _actionable(html)
    principle = html.split('id="i-princippet"')[1]
    assert "Digitale nøgler til borgernes hjem" in principle
    assert "ikke sendt til IT-visitationen" in principle


def test_each_task_says_why_it_is_yours_and_how_long_it_has_waited(loaded):
    html = tasks_of("isk")
    assert "Din rolle: Informationssikkerhedskonsulenterne (ISK)" in html
    assert "Overdraget af" in html
    assert "Dage ventet 0" not in html and "Dage i trinnet" in html
