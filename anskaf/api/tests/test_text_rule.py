"""The text rule at the boundary (issue 21.1): control characters and, in names, bidi overrides
are refused in every API body (400 validation_error naming the field), in the forms (a Danish
message) and in the services the command line uses."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from anskaf import testing
from anskaf.cases import services as case_services
from anskaf.cases.errors import ValidationFailed
from anskaf.orgs import fields as org_fields
from anskaf.orgs.fields import problem_of
from anskaf.testing import case_data

from .conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db

BAD = ["\x01", "\x1b", "\x7f", "\x85", "\x9f", "a\rb"]


@pytest.mark.parametrize("char", BAD)
def test_a_control_character_in_a_case_body_is_a_validation_error(api, char):
    response = api.post("/cases", case_data(need=f"Behov{char}her"))
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
    assert "need" in response.json()["fields"]


@pytest.mark.parametrize("char", BAD)
def test_a_control_character_in_step_remarks_is_refused(api, case, char):
    response = api.patch(f"/cases/{case.pk}/steps/2", {"remarks": f"ESC{char}"})
    assert response.status_code == 400 and "remarks" in response.json()["fields"]
    case.refresh_from_db()
    assert not case.step_states.filter(remarks__contains=char).exists()


def test_tab_newline_and_crlf_are_still_fine(api, case):
    response = api.patch(f"/cases/{case.pk}/steps/2", {"remarks": "a\tb\nc\r\nd"})
    assert response.status_code == 200


def test_a_bidi_override_in_a_title_is_refused_but_not_in_free_text(api):
    response = api.post("/cases", case_data(title="faktura\u202efdp.exe"))
    assert response.status_code == 400
    assert "skriveretningen" in response.json()["fields"]["title"]
    assert api.post("/cases", case_data(need="Hebraisk \u202bשלום\u202c")).status_code == 201


def test_a_system_name_with_esc_is_refused_by_the_portfolio_api(org):
    it = testing.make_user(org, "it-tekst", "it")
    response = ApiClient(it).post("/systems", {"name": "Nyt\x1bsystem"})
    assert response.status_code == 400 and "name" in response.json()["fields"]


def test_the_services_refuse_them_for_the_command_line_and_the_forms(coordinator, case, unit):
    with pytest.raises(ValidationFailed) as refused:
        case_services.step_update(actor=coordinator, case_id=case.pk, number=2, remarks="a\x07b")
    assert "kontroltegn (U+0007)" in refused.value.errors["remarks"]
    assert "skriveretningen" in (problem_of(org_fields.unit_name, "IT\u2066afdeling")[1] or "")
    assert "kontroltegn" in (problem_of(org_fields.full_name, "Anne\x1bHansen")[1] or "")


def test_the_case_form_shows_the_danish_message(coordinator):
    client = Client()
    client.force_login(coordinator)
    data = {**case_data(title="Nyt\x1bsystem"), "replaces_system": "false"}
    response = client.post(reverse("cases:case_create"), data)
    assert response.status_code in (200, 400)
    assert "usynligt kontroltegn (U+001B)" in response.content.decode()
