"""The case page says who may mark a step with its own rule not relevant, and offers the form
only to them; the UI refuses like the API (issue 19, ADR 0018)."""

from __future__ import annotations

import pytest

from anskaf import testing

from .helpers import step

pytestmark = pytest.mark.django_db

WHO = "Kun Informationssikkerhedskonsulenterne (ISK) kan markere trinnet (trin 11) som ikke relevant."


def body_of(client, case, number: int) -> str:
    response = client.get(f"/sager/{case.pk}/trin/{number}/?del=indhold")
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_is_told_who_may_and_gets_no_form(client, coordinator, case):
    testing.advance(coordinator, case, through=7)
    client.force_login(coordinator)
    html = body_of(client, case, 11)
    assert WHO in html
    assert "trin/11/ikke-relevant/" not in html
    assert "trin/9/ikke-relevant/" in body_of(client, case, 9)


def test_security_gets_the_form(client, coordinator, org, case):
    testing.advance(coordinator, case, through=7)
    client.force_login(testing.make_user(org, "isk", "security"))
    html = body_of(client, case, 11)
    assert "trin/11/ikke-relevant/" in html
    assert WHO not in html


def test_posting_the_form_as_the_coordinator_is_refused(client, coordinator, case):
    testing.advance(coordinator, case, through=7)
    client.force_login(coordinator)
    response = client.post(f"/sager/{case.pk}/trin/11/ikke-relevant/",
                           {"reason": "Ingen persondata", "version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "Informationssikkerhedskonsulenterne" in response.content.decode()
    assert step(case, 11).status == "not_started"


def test_once_the_contract_has_started_the_page_says_so(client, coordinator, org, case):
    testing.advance(coordinator, case, through=7)
    from anskaf.cases import services

    services.step_update(actor=coordinator, case_id=case.pk, number=12, status="in_progress")
    client.force_login(testing.make_user(org, "isk", "security"))
    html = body_of(client, case, 11)
    assert "kan ikke længere markeres som ikke relevant" in html
    assert "trin/11/ikke-relevant/" not in html
