"""services.case_update: the editable fields, validation, replaces_system and versions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import CaseClosed, Conflict, InvalidTransition, NotFound, ValidationFailed
from anskaf.cases.inputs import case_values

from .helpers import event_types, everything, fresh, last_event, status_of, step

pytestmark = pytest.mark.django_db


def update(actor, case, version=None, **data):
    """As the page and the API do: the fields checked where they enter, then the service."""
    return services.case_update(actor=actor, case_id=case.pk,
                                data=case_values(data, creating=False), version=version)


def test_it_changes_the_given_fields_and_bumps_the_version(coordinator, case):
    update(coordinator, case, title="Nyt lønsystem", candidate_system="Silkeborg Data",
           supplier_name="SD", records_case_number="24/1234",
           estimated_contract_value="1.200.000")
    case = fresh(case)
    assert case.title == "Nyt lønsystem"
    assert case.candidate_system == "Silkeborg Data"
    assert case.supplier_name == "SD"
    assert case.records_case_number == "24/1234"
    assert case.estimated_contract_value == Decimal("1200000.00")
    assert case.version == 2


def test_it_audits_only_the_changed_fields_before_and_after(coordinator, case):
    update(coordinator, case, title="Nyt lønsystem", need=case.need)
    event = last_event(case)
    assert event.event_type == "case.updated"
    assert event.before == {"title": "Nyt økonomisystem"}
    assert event.after == {"title": "Nyt lønsystem"}


def test_an_update_that_changes_nothing_writes_nothing(coordinator, case):
    before = everything(case)
    update(coordinator, case, title=case.title)
    assert everything(case) == before


def test_a_new_title_is_found_by_search(coordinator, case):
    update(coordinator, case, title="Økonomistyring")
    assert "økonomistyring" in fresh(case).search_text


def test_the_requesting_unit_can_change_within_the_organisation(coordinator, case, other_unit):
    update(coordinator, case, unit=other_unit.pk)
    assert fresh(case).requesting_unit == other_unit


def test_a_unit_of_another_organisation_is_refused(coordinator, case, outsider):
    with pytest.raises(ValidationFailed) as info:
        update(coordinator, case, unit=outsider.unit_id)
    assert set(info.value.errors) == {"unit"}


def test_optional_text_may_be_cleared_with_none(coordinator):
    case = testing.new_case(coordinator, candidate_system="Acadre")
    update(coordinator, case, candidate_system=None)
    assert fresh(case).candidate_system == ""


@pytest.mark.parametrize(("data", "field"), [
    ({"title": ""}, "title"),
    ({"need": "   "}, "need"),
    ({"strategic_fit": None}, "strategic_fit"),
    ({"user_impact": 7}, "user_impact"),
    ({"title": "x" * 201}, "title"),
    ({"supplier_name": 12}, "supplier_name"),
    ({"records_case_number": "x" * 61}, "records_case_number"),
    ({"replaces_system": "nej"}, "replaces_system"),
    ({"estimated_contract_value": "mange"}, "estimated_contract_value"),
    ({"unit": "enheden"}, "unit"),
    ({"status": "completed"}, "status"),
    ({"number": "2020-999"}, "number"),
])
def test_bad_input_is_refused_naming_the_field(coordinator, case, data, field):
    before = everything(case)
    with pytest.raises(ValidationFailed) as info:
        update(coordinator, case, **data)
    assert field in info.value.errors
    assert everything(case) == before


def test_every_bad_field_is_named_at_once(coordinator, case):
    with pytest.raises(ValidationFailed) as info:
        update(coordinator, case, title="", need="", supplier_name=3)
    assert set(info.value.errors) == {"title", "need", "supplier_name"}


def test_replacing_a_system_makes_13_and_21_applicable(coordinator, case):
    update(coordinator, case, replaces_system=True, replaced_system_name="Gammelt system")
    assert status_of(case, 13) == status_of(case, 21) == "not_started"
    assert step(case, 13).not_relevant_reason == ""
    case = fresh(case)
    assert case.replaces_system is True
    assert case.replaced_system_name == "Gammelt system"
    event = last_event(case)
    assert event.before["replaces_system"] is False
    assert event.after["replaces_system"] is True


def test_no_longer_replacing_makes_13_and_21_not_relevant_with_the_reason(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    services.step_update(actor=coordinator, case_id=case.pk, number=13, status="in_progress")
    update(coordinator, case, replaces_system=False)
    for n in (13, 21):
        state = step(case, n)
        assert state.status == "not_relevant"
        assert state.not_relevant_reason == services.NOT_REPLACING_REASON
    assert 13 not in fresh(case).steps_in_progress


def test_it_refuses_no_longer_replacing_when_step_13_is_done(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=7)
    testing.provide_documents(coordinator, case, 13)
    services.step_complete(actor=coordinator, case_id=case.pk, number=13)
    before = everything(case)
    with pytest.raises(InvalidTransition) as info:
        update(coordinator, case, replaces_system=False, title="Andet")
    assert info.value.code == "invalid_transition"
    assert everything(case) == before


def test_it_refuses_changing_replaces_system_once_gate_18_is_decided(coordinator, case):
    testing.advance(coordinator, case, through=18)
    before = everything(case)
    with pytest.raises(InvalidTransition):
        update(coordinator, case, replaces_system=True)
    assert everything(case) == before


def test_other_fields_stay_editable_after_gate_18(coordinator, case):
    testing.advance(coordinator, case, through=18)
    update(coordinator, case, records_case_number="25/42", replaces_system=False)
    assert fresh(case).records_case_number == "25/42"


def test_a_stale_version_is_a_conflict_and_changes_nothing(coordinator, case):
    update(coordinator, case, title="Første", version=1)
    before = everything(case)
    with pytest.raises(Conflict) as info:
        update(coordinator, case, title="Anden", version=1)
    assert info.value.code == "conflict"
    assert "version 2" in info.value.message
    assert everything(case) == before


def test_the_current_version_is_accepted(coordinator, case):
    update(coordinator, case, title="Første", version=1)
    update(coordinator, case, title="Anden", version=2)
    assert fresh(case).title == "Anden"
    assert fresh(case).version == 3


def test_a_case_of_another_organisation_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        update(outsider, case, title="Kapret")
    assert fresh(case).title == "Nyt økonomisystem"


@pytest.mark.parametrize("case_id", [0, -1, 2**63])
def test_a_case_id_out_of_range_is_not_found(coordinator, case_id):
    """The boundary parses the id (the URL converter, the API's path); the service takes an
    int, and one that names no case, negative or too big for the database, is 404."""
    with pytest.raises(NotFound):
        services.case_update(actor=coordinator, case_id=case_id, data={"title": "x"})


def test_a_case_id_that_is_not_a_number_is_not_found_where_it_enters(coordinator, client):
    client.force_login(coordinator)
    assert client.get("/sager/abc/").status_code == 404


def test_a_withdrawn_case_cannot_be_edited(coordinator, case):
    services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Ikke længere aktuelt")
    with pytest.raises(CaseClosed) as info:
        update(coordinator, case, title="Igen")
    assert info.value.code == "case_closed"


def test_an_update_appends_exactly_one_audit_event(coordinator, case):
    update(coordinator, case, replaces_system=True, title="Udskiftning af ESDH")
    assert event_types(case) == ["case.created", "case.updated"]
