"""The orgs services and selectors behind the administration pages, called directly."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.orgs import permissions, selectors, services
from anskaf.orgs.errors import NotAllowed, NotFound, ValidationFailed
from anskaf.orgs.models import Membership, OrgUnit


@pytest.fixture
def admin_user(org):
    person = testing.make_user(org, "chef", full_name="Sofie Christensen", password=None)
    Membership.objects.create(organisation=org, person=person, role="admin", unit=None)
    return person


def test_is_org_admin_needs_the_admin_role_for_the_whole_organisation(org, unit, admin_user,
                                                                      coordinator, client):
    assert permissions.is_admin(admin_user)
    assert not permissions.is_admin(coordinator)
    assert not permissions.is_admin(None)
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.is_admin(AnonymousUser())
    scoped = testing.make_user(org, "enhed", password=None)
    Membership.objects.create(organisation=org, person=scoped, role="admin", unit=unit)
    assert not permissions.is_admin(scoped)


def test_every_service_refuses_a_person_who_is_not_an_admin(coordinator, unit):
    calls = [
        lambda: services.unit_create(actor=coordinator, data={"name": "X", "kind": "department"}),
        lambda: services.unit_update(actor=coordinator, unit_id=unit.pk,
                                     data={"name": "X", "kind": "department"}),
        lambda: services.person_create(actor=coordinator, data={"username": "x",
                                                                "full_name": "X Y"}),
        lambda: services.person_update(actor=coordinator, person_id=coordinator.pk,
                                       data={"username": "x", "full_name": "X Y"}),
        lambda: services.role_add(actor=coordinator, person_id=coordinator.pk, role="admin"),
        lambda: services.role_remove(actor=coordinator, person_id=coordinator.pk,
                                     membership_id=Membership.objects.get(person=coordinator).pk),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    assert not Membership.objects.filter(role="admin").exists()
    assert not AuditEvent.objects.exists()


def test_services_do_not_find_another_organisations_units_and_people(admin_user, outsider):
    with pytest.raises(NotFound):
        services.unit_update(actor=admin_user, unit_id=outsider.unit_id,
                             data={"name": "X", "kind": "department"})
    with pytest.raises(NotFound):
        services.person_update(actor=admin_user, person_id=outsider.pk,
                               data={"username": "x", "full_name": "X"})
    with pytest.raises(NotFound):
        services.role_add(actor=admin_user, person_id=outsider.pk, role="it")
    with pytest.raises(NotFound):
        services.role_remove(actor=admin_user, person_id=outsider.pk,
                             membership_id=Membership.objects.get(person=outsider).pk)
    with pytest.raises(NotFound):
        selectors.person_get(organisation_id=admin_user.organisation_id, person_id=2**63)
    with pytest.raises(ValidationFailed) as exc:
        services.role_add(actor=admin_user, person_id=admin_user.pk, role="it",
                          unit_id=outsider.unit_id)
    assert exc.value.errors == {"unit": "Vælg »Hele kommunen« eller en enhed i din kommune."}


def test_roles_are_read_by_key_or_danish_label(admin_user):
    assert services.role_key("IT-visitationen") == "it_board"
    assert services.role_key(" Coordinator ") == "coordinator"
    assert services.role_key("troldmand") is None
    membership = services.role_add(actor=admin_user, person_id=admin_user.pk, role="Jura")
    assert membership.role == "legal" and membership.unit is None


def test_the_admins_own_role_caches_are_dropped_after_a_change(admin_user):
    with permissions.access_cache():  # as within one request
        assert "legal" not in permissions.role_keys(admin_user)
        services.role_add(actor=admin_user, person_id=admin_user.pk, role="legal")
        assert "legal" in permissions.role_keys(admin_user)


def test_the_unit_tree_never_loops_even_on_a_cycle_made_outside_the_services(org, unit):
    child = testing.make_unit(org, "Hjemmeplejen", parent=unit)
    OrgUnit.objects.filter(pk=unit.pk).update(parent=child)  # not possible through the services
    rows = selectors.unit_tree(organisation_id=org.pk)
    assert rows == []  # nothing hangs from the top: shown as nothing rather than forever
    with pytest.raises(ValidationFailed):
        services.unit_update(actor=_admin(org), unit_id=unit.pk,
                             data={"name": unit.name, "kind": "administration",
                                   "parent": child.pk})


def _admin(org):
    person = testing.make_user(org, "admin2", password=None)
    Membership.objects.create(organisation=org, person=person, role="admin")
    return person


def test_unit_tree_lists_each_forvaltning_followed_by_its_departments(org, unit, other_unit):
    a = testing.make_unit(org, "Plejecentre", parent=unit)
    b = testing.make_unit(org, "Hjemmeplejen", parent=unit)
    c = OrgUnit.objects.create(organisation=org, name="Distrikt Nord", parent=b,
                               kind="department")
    rows = selectors.unit_tree(organisation_id=org.pk)
    assert [(r.unit.pk, r.depth) for r in rows] == [
        (other_unit.pk, 0), (unit.pk, 0), (b.pk, 1), (c.pk, 2), (a.pk, 1)]
    assert rows[3].label == "Social- og Sundhedsforvaltningen › Hjemmeplejen › Distrikt Nord"
    assert selectors.unit_descendant_ids(unit) == {unit.pk, a.pk, b.pk, c.pk}


@pytest.mark.parametrize(("password", "because"), [
    ("19283746501928", "udelukkende numerisk"),       # NumericPasswordValidator
    ("mortenlarsen77", "minder for meget"),           # UserAttributeSimilarityValidator
    ("kort1", "for kort"),                            # MinimumLengthValidator
    ("password123", "for almindelig"),                # CommonPasswordValidator
])
def test_every_password_validator_django_ships_judges_a_chosen_password(admin_user, password,
                                                                        because):
    data = {"username": "mortenlarsen", "full_name": "Morten Larsen",
            "email": "ml@haderslev.dk", "unit": None, "is_active": True}
    with pytest.raises(ValidationFailed) as exc:
        services.person_create(actor=admin_user, data=data, password=password)
    assert because in exc.value.errors["password"]
    assert services.person_create(actor=admin_user, data=data,
                                  password="Vinter-Rugbrød-2026").check_password(
        "Vinter-Rugbrød-2026")
