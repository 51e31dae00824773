"""The case's steps drive its systems through KITOS's life cycle; step 12 checks the DPA."""

from datetime import date

import pytest

from anskaf import testing
from anskaf.cases import services as case_services
from anskaf.cases.errors import PermissionDenied, RequirementMissing
from anskaf.portfolio import forms, services
from anskaf.portfolio.models import CaseSystem, DataProcessingAgreement, LinkKind, System


def _acquired(case):
    return CaseSystem.objects.get(case=case, kind=LinkKind.ACQUIRED).system


def test_steps_12_and_20_move_the_acquired_system(coordinator):
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi", supplier_name="KMD")
    testing.advance(coordinator, case, through=11)
    assert not CaseSystem.objects.filter(case=case).exists()
    testing.advance(coordinator, case, through=12)
    system = _acquired(case)
    assert (system.name, system.supplier, system.lifecycle) == ("Nyt Økonomi", "KMD",
                                                                "PhasingIn")
    testing.advance(coordinator, case, through=20)
    system.refresh_from_db()
    assert system.lifecycle == "Operational"


def test_steps_13_and_21_phase_out_the_replaced_system(coordinator, old_system):
    case = testing.new_case(coordinator, replaces_system=True,
                            replaced_system_name="det gamle")
    services.case_link(actor=coordinator, case_id=case.pk, kind="replaced",
                       system_id=old_system.pk)
    case.refresh_from_db()
    assert case.replaced_system_name == "Gammelt ESDH"
    testing.advance(coordinator, case, through=12)
    assert _acquired(case).predecessor_id == old_system.pk  # successor/predecessor both ways
    assert list(old_system.successors.all()) == [_acquired(case)]
    testing.advance(coordinator, case, through=13)
    old_system.refresh_from_db()
    assert old_system.lifecycle == "PhasingOut"
    testing.advance(coordinator, case, through=21)
    old_system.refresh_from_db()
    assert old_system.lifecycle == "NotInUse"


def test_step_12_refuses_personal_data_without_a_signed_dpa(coordinator, org, it_person):
    case = testing.new_case(coordinator)
    system = System.objects.create(organisation=org, name="Borgerportal", personal_data=True)
    services.case_link(actor=coordinator, case_id=case.pk, kind="acquired", system_id=system.pk)
    testing.advance(coordinator, case, through=11)
    doer = testing.stand_in(case, ("management", "coordinator"))
    testing.tick_required(doer, case, 12)
    testing.provide_documents(doer, case, 12)  # the documents app's own requirement
    with pytest.raises(RequirementMissing, match="databehandleraftale"):
        case_services.step_complete(actor=doer, case_id=case.pk, number=12)
    services.dpa_save(actor=it_person, system_id=system.pk, case_id=case.pk, values=forms.dpa_values({
        "supplier": "Borgerportal A/S", "signed_on": "2025-03-01", "oversight_method":
        "isae3402_2", "oversight_interval_months": "12"}))
    case_services.step_complete(actor=doer, case_id=case.pk, number=12)
    system.refresh_from_db()
    assert system.lifecycle == "PhasingIn"


def test_step_11_not_relevant_lets_step_12_through(coordinator, org):
    case = testing.new_case(coordinator)
    system = System.objects.create(organisation=org, name="Borgerportal", personal_data=True)
    services.case_link(actor=coordinator, case_id=case.pk, kind="acquired", system_id=system.pk)
    testing.advance(coordinator, case, through=10)
    case_services.step_mark_not_relevant(actor=testing.stand_in(case, ("security",)),
                                         case_id=case.pk, number=11,
                                         reason="Ingen personoplysninger hos leverandøren.")
    testing.advance(coordinator, case, through=12)
    assert _acquired(case).lifecycle == "PhasingIn"


def test_only_writers_may_change_systems_and_agreements(requester, it_person, org):
    with pytest.raises(PermissionDenied):
        services.system_save(actor=requester, values={"name": "X"})
    system = services.system_save(actor=it_person, values=forms.system_values({
        "name": "Fagsystem", "hosting": "web", "personal_data": "True",
        "lifecycle": "Operational"}, organisation_id=it_person.organisation_id))
    assert system.search_text.startswith("fagsystem")
    with pytest.raises(PermissionDenied):
        services.dpa_save(actor=requester, system_id=system.pk, values={"supplier": "X"})
    assert DataProcessingAgreement.objects.count() == 0


def test_contract_validation_is_danish(it_person, old_system):
    from anskaf.cases.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.contract_save(actor=it_person, system_id=old_system.pk, values=forms.contract_values({
            "number": "K-1", "start_date": "31.13.2024", "duration_months": "12",
            "option_count": "1", "option_months": "12", "options_used": "2",
            "notice_months": "3", "notice_to": "month"}))
    assert "start_date" in exc.value.errors and "options_used" in exc.value.errors
    assert "dd.mm.åååå" in exc.value.errors["start_date"]
    contract = services.contract_save(actor=it_person, system_id=old_system.pk, values=forms.contract_values({
        "number": "K-1", "start_date": "31.01.2024", "duration_months": "12",
        "option_count": "1", "option_months": "12", "options_used": "0",
        "notice_months": "3", "notice_to": "month"}))
    assert contract.start_date == date(2024, 1, 31)


def test_the_service_refuses_values_that_name_another_municipalitys_unit_or_system(
        it_person, old_system, outsider):
    """The form offers only the municipality's own; a caller that builds the values itself
    is held to the same by the service (ADR 0040)."""
    from anskaf.cases.errors import ReferenceRefused

    foreign = System.objects.create(organisation_id=outsider.organisation_id, name="Fremmed")
    for values, field in (({"name": "X", "owner_unit": outsider.unit}, "owner_unit"),
                          ({"name": "X", "system_owner": outsider}, "system_owner"),
                          ({"name": "X", "predecessor": foreign}, "predecessor")):
        with pytest.raises(ReferenceRefused) as refused:
            services.system_save(actor=it_person, values=values)
        assert set(refused.value.errors) == {field}
    with pytest.raises(ReferenceRefused):
        services.system_save(actor=it_person, system_id=old_system.pk,
                             values={"predecessor": old_system})
    assert not System.objects.filter(name="X").exists()
