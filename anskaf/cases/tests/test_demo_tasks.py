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
