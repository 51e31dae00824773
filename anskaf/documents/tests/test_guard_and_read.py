"""Required documents gate their step; confidential documents are read by few."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services as case_services
from anskaf.cases.errors import NotFound, PermissionDenied, RequirementMissing
from anskaf.cases.models import StepState
from anskaf.documents.services import readable_version
from anskaf.documents.testing import upload


def test_step_12_cannot_be_completed_without_the_signed_contract(coordinator, case):
    testing.advance(coordinator, case, through=11)
    testing.tick_required(coordinator, case, 12)
    with pytest.raises(RequirementMissing) as info:
        case_services.step_complete(actor=coordinator, case_id=case.pk, number=12)
    assert info.value.code == "requirement_missing"
    assert "»Underskrevet kontrakt«" in info.value.message
    assert StepState.objects.get(case=case, number=12).status != "done"
    upload(coordinator, case, 12, "signed_contract", "Kontrakt.pdf")
    case_services.step_complete(actor=coordinator, case_id=case.pk, number=12)
    assert StepState.objects.get(case=case, number=12).status == "done"


def test_step_13_names_both_missing_agreements(coordinator):
    case = testing.new_case(coordinator, replaces_system=True, replaced_system_name="Gammelt")
    testing.advance(coordinator, case, through=12)
    upload(coordinator, case, 13, "migration_agreement", "Migrering.pdf")
    with pytest.raises(RequirementMissing) as info:
        case_services.step_complete(actor=coordinator, case_id=case.pk, number=13)
    assert "»Aftale om arkivering af data«" in info.value.message
    assert "migrering" not in info.value.message


def test_a_dpa_marked_not_needed_does_not_gate(coordinator, case):
    testing.advance(coordinator, case, through=10)
    case_services.step_mark_not_relevant(actor=testing.stand_in(case, ("security",)),
                                         case_id=case.pk, number=11,
                                         reason="Ingen personoplysninger.")
    assert StepState.objects.get(case=case, number=11).status == "not_relevant"


@pytest.fixture
def contract(coordinator, case):
    testing.advance(coordinator, case, through=11)
    return upload(coordinator, case, 12, "signed_contract", "Kontrakt æøå.pdf")


@pytest.fixture
def product(coordinator, case):
    return upload(coordinator, case, 4, "product_description", "Produkt.pdf")


def read(person, version):
    return readable_version(actor=person, case_id=version.document.case_id,
                            document_id=version.document_id, number=version.number)


@pytest.mark.parametrize("role", ["coordinator", "management", "security", "admin"])
def test_confidential_documents_are_read_by_managers_security_and_admins(org, unit, contract,
                                                                          role):
    person = testing.make_user(org, f"p-{role}", role, unit=unit if role != "admin" else None)
    assert read(person, contract).version == contract


def test_the_case_coordinator_and_step_12_performers_read_the_contract(coordinator, org, unit,
                                                                       contract):
    assert read(coordinator, contract).version == contract
    for role in ("requester", "procurement"):  # step 12's performers (procurement optional)
        performer = testing.make_user(org, f"p-{role}", role, unit=unit)
        assert read(performer, contract).version == contract


@pytest.mark.parametrize("role", ["it", "it_board", "archive", "legal"])
def test_others_who_see_the_case_may_not_read_the_contract(org, unit, contract, role, product):
    from anskaf.cases.process_models import model_for

    if role in model_for(contract.document.case).step(12).role_keys:
        pytest.skip(f"{role} performs step 12")
    person = testing.make_user(org, f"p-{role}", role, unit=unit)
    with pytest.raises(PermissionDenied) as info:
        read(person, contract)
    assert "fortroligt" in info.value.message
    # ... but the case's ordinary documents follow the case's visibility.
    assert read(person, product).version == product


def test_the_person_assigned_to_the_step_reads_its_confidential_documents(org, unit, coordinator,
                                                                          case, contract):
    person = testing.make_user(org, "tildelt", "archive", unit=unit)
    with pytest.raises(PermissionDenied):
        read(person, contract)
    StepState.objects.filter(case=case, number=12).update(assignee=person)
    assert read(person, contract).version == contract


def test_another_municipality_never_reads_anything(outsider, product, contract):
    for version in (product, contract):
        with pytest.raises(NotFound):
            read(outsider, version)


def test_a_restricted_case_hides_its_documents_from_those_outside_it(org, other_unit, coordinator,
                                                                     case, product):
    case_services.case_update(actor=coordinator, case_id=case.pk, data={"restricted": True})
    stranger = testing.make_user(org, "fremmed-enhed", "requester", unit=other_unit)
    with pytest.raises(NotFound):
        read(stranger, product)
