"""services.case_create: numbers, steps, defaults, validation and the audit event."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases import services
from anskaf.cases.errors import ValidationFailed
from anskaf.cases.inputs import case_values
from anskaf.cases.models import Case, CaseNumberSequence, ModelVersion, StepState
from anskaf.process.loader import DEFAULT_MODEL_PATH, sha256_of

from .helpers import events

pytestmark = pytest.mark.django_db


def test_the_first_case_of_the_year_is_number_001(coordinator, year):
    case = testing.new_case(coordinator)
    assert case.number == f"{year}-001"


def test_numbers_count_up_per_organisation_and_year(coordinator, requester, year):
    numbers = [testing.new_case(coordinator).number, testing.new_case(requester).number,
               testing.new_case(coordinator).number]
    assert numbers == [f"{year}-001", f"{year}-002", f"{year}-003"]


def test_each_organisation_has_its_own_sequence(coordinator, outsider, year):
    testing.new_case(coordinator)
    testing.new_case(coordinator)
    assert testing.new_case(outsider).number == f"{year}-001"
    assert testing.new_case(coordinator).number == f"{year}-003"
    assert CaseNumberSequence.objects.filter(year=year).count() == 2


def test_a_new_year_starts_a_new_sequence(coordinator, year, monkeypatch):
    testing.new_case(coordinator)
    from datetime import date

    monkeypatch.setattr(services.timezone, "localdate", lambda: date(year + 1, 1, 2))
    assert testing.new_case(coordinator).number == f"{year + 1}-001"


def test_a_refused_creation_uses_no_number(coordinator, year):
    with pytest.raises(ValidationFailed):
        testing.new_case(coordinator, title="")
    assert testing.new_case(coordinator).number == f"{year}-001"


def test_every_step_of_the_model_gets_a_state(case):
    states = StepState.objects.filter(case=case).order_by("number")
    assert [s.number for s in states] == list(range(1, 22))
    assert all(s.version == 1 and s.remarks == "" for s in states)
    # Only the first step's items the create form answered start ticked (test_first_step_prefilled).
    assert all(s.checked == [] for s in states[1:])


def test_13_and_21_are_not_relevant_with_a_reason_when_nothing_is_replaced(coordinator):
    case = testing.new_case(coordinator, replaces_system=False)
    states = {s.number: s for s in StepState.objects.filter(case=case)}
    assert {n for n, s in states.items() if s.status == "not_relevant"} == {13, 21}
    assert states[13].not_relevant_reason == services.NOT_REPLACING_REASON
    assert states[1].not_relevant_reason == ""


def test_every_step_applies_when_a_system_is_replaced(coordinator):
    case = testing.new_case(coordinator, replaces_system=True, replaced_system_name="KMD Opus")
    assert set(StepState.objects.filter(case=case).values_list("status", flat=True)) == {
        "not_started"}
    assert case.replaced_system_name == "KMD Opus"


def test_the_creator_is_coordinator_and_their_unit_requests_by_default(coordinator, unit):
    case = testing.new_case(coordinator)
    assert case.coordinator == coordinator
    assert case.created_by == coordinator
    assert case.requesting_unit == unit


def test_another_unit_of_the_organisation_may_request(coordinator, other_unit):
    case = testing.new_case(coordinator, unit=other_unit.pk)
    assert case.requesting_unit == other_unit


def test_a_new_case_is_active_in_phase_1_at_version_1(case):
    case = Case.objects.get(pk=case.pk)
    assert case.status == "active"
    assert case.phase == 1
    assert case.version == 1
    assert case.waiting_steps == [1, 2, 3, 4, 5]
    assert "requester" in case.waiting_roles
    assert case.steps_in_progress == []


def test_the_case_points_to_the_stored_default_model_version(case):
    version = ModelVersion.objects.get(pk=case.model_version_id)
    content = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    assert version.content == content
    assert version.sha256 == sha256_of(content)
    assert version.key == "haderslev"


def test_cases_share_the_model_version_rather_than_storing_it_again(coordinator):
    a, b = testing.new_case(coordinator), testing.new_case(coordinator)
    assert a.model_version_id == b.model_version_id
    assert ModelVersion.objects.count() == 1


def test_text_fields_are_stored_trimmed(coordinator):
    case = testing.new_case(coordinator, title="  Nyt ESDH  ", candidate_system=" Acadre ")
    assert case.title == "Nyt ESDH"
    assert case.candidate_system == "Acadre"


def test_the_search_text_is_number_and_title_casefolded(coordinator, year):
    case = testing.new_case(coordinator, title="Økonomi og LØN")
    assert case.search_text == f"{year}-001 økonomi og løn"


def test_creation_appends_an_audit_event_with_the_case_fields(coordinator):
    case = testing.new_case(coordinator)
    [event] = events(case)
    assert event.event_type == "case.created"
    assert event.object_type == "cases.Case"
    assert event.object_id == str(case.pk)
    assert event.actor_id == coordinator.pk
    assert event.actor_role == "coordinator"
    assert event.before is None
    assert event.after["number"] == case.number
    assert event.after["title"] == "Nyt økonomisystem"
    assert event.after["replaces_system"] is False
    assert audit_verify(case.organisation_id).ok


def test_the_acting_role_is_one_step_1_asks_for(requester):
    case = testing.new_case(requester)
    assert events(case)[0].actor_role == "requester"


@pytest.mark.parametrize("field", ["title", "need", "strategic_fit", "user_impact"])
@pytest.mark.parametrize("value", [None, "", "   ", 42])
def test_step_1_questions_and_the_title_are_required(coordinator, field, value):
    data = testing.case_data(**{field: value})
    with pytest.raises(ValidationFailed) as info:
        case_values(data, creating=True)
    assert set(info.value.errors) == {field}
    assert info.value.code == "validation_error"
    assert info.value.errors[field]  # a Danish message that says what to do


def test_every_missing_field_is_named_at_once(coordinator):
    with pytest.raises(ValidationFailed) as info:
        case_values({}, creating=True)
    assert set(info.value.errors) == {"title", "need", "strategic_fit", "user_impact"}


def test_a_too_long_title_is_refused(coordinator):
    with pytest.raises(ValidationFailed) as info:
        testing.new_case(coordinator, title="x" * 201)
    assert info.value.errors == {"title": "Højst 200 tegn."}


def test_replaces_system_must_be_a_boolean(coordinator):
    with pytest.raises(ValidationFailed) as info:
        testing.new_case(coordinator, replaces_system="ja")
    assert set(info.value.errors) == {"replaces_system"}


@pytest.mark.parametrize(("given", "stored"), [
    (250000, Decimal("250000.00")),
    ("250.000", Decimal("250000.00")),
    ("1.644.638,50", Decimal("1644638.50")),
    (None, None),
    ("", None),
])
def test_the_estimated_contract_value_is_read_in_kroner(coordinator, given, stored):
    case = testing.new_case(coordinator, estimated_contract_value=given)
    assert Case.objects.get(pk=case.pk).estimated_contract_value == stored


@pytest.mark.parametrize(("given", "stored"), [
    ("1644638.00", Decimal("1644638.00")),
    ("250000.5", Decimal("250000.50")),
])
def test_a_decimal_point_is_not_read_as_a_thousands_separator(coordinator, given, stored):
    try:
        case = testing.new_case(coordinator, estimated_contract_value=given)
    except ValidationFailed:
        return  # refusing the ambiguous text is as good as reading it right
    assert Case.objects.get(pk=case.pk).estimated_contract_value == stored


def test_an_amount_that_rounds_up_to_the_limit_is_refused(coordinator):
    with pytest.raises(ValidationFailed) as info:
        testing.new_case(coordinator, estimated_contract_value="999999999999,999")
    assert set(info.value.errors) == {"estimated_contract_value"}


@pytest.mark.parametrize("given", ["mange penge", -1, True, "1e15", "NaN"])
def test_a_meaningless_contract_value_is_refused(coordinator, given):
    with pytest.raises(ValidationFailed) as info:
        testing.new_case(coordinator, estimated_contract_value=given)
    assert set(info.value.errors) == {"estimated_contract_value"}


def test_a_unit_of_another_organisation_is_refused(coordinator, outsider):
    with pytest.raises(ValidationFailed) as info:
        testing.new_case(coordinator, unit=outsider.unit_id)
    assert set(info.value.errors) == {"unit"}


def test_a_person_without_an_organisation_cannot_create_a_case(db):
    from anskaf.orgs.models import User

    loner = User.objects.create_user(username="alene", password="x")
    with pytest.raises(ValidationFailed) as info:
        services.case_create(actor=loner, data=testing.case_data())
    assert set(info.value.errors) == {"organisation"}


@pytest.mark.parametrize("field", ["title", "need", "candidate_system"])
def test_text_with_a_nul_character_is_refused_on_every_database(coordinator, field):
    with pytest.raises(ValidationFailed) as info:
        testing.new_case(coordinator, **{field: "før\x00efter"})
    assert set(info.value.errors) == {field}


def test_a_refused_creation_writes_nothing(coordinator):
    with pytest.raises(ValidationFailed):
        testing.new_case(coordinator, need="")
    assert Case.objects.count() == 0
    assert StepState.objects.count() == 0
    assert AuditEvent.objects.count() == 0
