"""The building blocks of every app's access rules (ADR 0039): one walk of the unit tree, one
definition of an administrator and of the operator, one `require`, and a cache that lives as
long as a request, never on a model instance."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from anskaf import testing
from anskaf.orgs import permissions
from anskaf.orgs.errors import NotAllowed
from anskaf.orgs.models import Membership, User
from anskaf.orgs.viewer import access_changed

# --- the unit tree, pure ------------------------------------------------------------------------

TREE = [(1, None), (2, 1), (3, 2), (4, 1), (5, None)]


def test_a_unit_covers_itself_and_every_unit_below_it():
    covered = permissions.descendants_map(TREE)
    assert covered == {1: {1, 2, 3, 4}, 2: {2, 3}, 3: {3}, 4: {4}, 5: {5}}


def test_the_ancestors_of_a_unit_are_itself_and_the_units_above_it_nearest_first():
    assert permissions.ancestors(TREE, 3) == [3, 2, 1]
    assert permissions.ancestors(TREE, 5) == [5]
    assert permissions.ancestors(TREE, None) == []


def test_the_walks_end_on_a_cycle_instead_of_looping():
    cycle = [(1, 2), (2, 1), (3, 1)]
    assert permissions.descendants_map(cycle)[1] == {1, 2, 3}
    assert permissions.ancestors(cycle, 3) == [3, 1, 2]


# --- require ------------------------------------------------------------------------------------


def test_require_raises_the_apps_error_with_the_reason_and_nothing_without_one():
    permissions.require(None)
    with pytest.raises(NotAllowed, match="Kun de rette"):
        permissions.require("Kun de rette.")
    with pytest.raises(LookupError, match="Kun de rette"):
        permissions.require("Kun de rette.", LookupError)


# --- administrators and the operator ------------------------------------------------------------


def test_an_administrator_holds_the_admin_role_for_the_whole_municipality(org, unit, other_org):
    admin = testing.make_user(org, "chef", "admin", password=None)
    scoped = testing.make_user(org, "enhed", password=None)
    Membership.objects.create(organisation=org, person=scoped, role="admin", unit=unit)
    elsewhere = testing.make_user(org, "skaev", password=None)
    Membership.objects.create(organisation=other_org, person=elsewhere, role="admin")
    assert permissions.is_admin(admin)
    assert permissions.access_of(admin).is_admin
    for person in (scoped, elsewhere, None, AnonymousUser()):
        assert not permissions.is_admin(person)
    admin.is_active = False
    assert not permissions.is_admin(admin)
    assert not permissions.access_of(admin).is_admin


def test_the_operator_is_active_and_marked_as_the_installations_operator(db):
    operator = User.objects.create_user(username="drift", is_operator=True)
    assert permissions.is_operator(operator)
    operator.is_active = False
    assert not permissions.is_operator(operator)
    assert not permissions.is_operator(AnonymousUser())
    assert not permissions.is_operator(None)


def test_only_a_municipalitys_own_administrators_configure_it(org, other_org):
    admin = testing.make_user(org, "chef", "admin", password=None)
    assert permissions.can_configure(admin, org.pk)
    assert permissions.configure_refusal(admin, org.pk) is None
    assert not permissions.can_configure(admin, other_org.pk)
    assert permissions.configure_refusal(admin, other_org.pk)


# --- the cache ------------------------------------------------------------------------------------


def test_without_a_bound_cache_every_question_asks_the_viewer_afresh(org, coordinator):
    """Nothing is held per request: each question reads the viewer cached across requests
    (orgs/viewer.py), so an announced change is seen by the very next question."""
    assert permissions.current_cache() is None
    assert not permissions.is_admin(coordinator)
    Membership.objects.create(organisation=org, person=coordinator, role="admin")
    access_changed(org.pk, coordinator)  # as every service that changes access does
    assert permissions.is_admin(coordinator)


def test_without_a_bound_cache_a_new_stamp_reads_the_database(org, coordinator,
                                                              django_assert_num_queries):
    permissions.access_of(coordinator)
    access_changed(org.pk, coordinator)
    with django_assert_num_queries(3):  # memberships, units, deputies: again
        permissions.access_of(coordinator)


def test_within_a_bound_cache_a_person_is_read_once(coordinator, django_assert_num_queries):
    with permissions.access_cache() as cache:
        with permissions.access_cache() as inner:  # a nested block keeps the outer cache
            assert inner is cache
        permissions.access_of(coordinator)
        with django_assert_num_queries(0):
            permissions.access_of(coordinator)
            assert permissions.role_keys(coordinator) == ["coordinator"]
            assert not permissions.is_admin(coordinator)
    assert permissions.current_cache() is None


def test_a_role_given_within_the_block_is_seen_once_announced(org, coordinator):
    with permissions.access_cache():
        assert not permissions.is_admin(coordinator)
        Membership.objects.create(organisation=org, person=coordinator, role="admin")
        assert not permissions.is_admin(coordinator)  # the request's view of it
        # No person given: the request's cache carries the new stamp to every object of it.
        access_changed(org.pk)
        assert permissions.is_admin(coordinator)


def test_forget_access_empties_the_request_cache(org, coordinator):
    with permissions.access_cache() as cache:
        permissions.access_of(coordinator)
        assert len(cache) > 0
        permissions.forget_access()
        assert len(cache) == 0


def test_the_cache_is_never_kept_on_the_person(coordinator):
    before = set(vars(coordinator))
    with permissions.access_cache():
        permissions.access_of(coordinator)
        permissions.role_keys(coordinator)
        permissions.is_admin(coordinator)
    assert set(vars(coordinator)) == before


def test_a_deputy_named_within_the_block_stands_in_at_once(org, unit, coordinator):
    import datetime as dt

    from django.utils import timezone

    from anskaf.orgs import deputies

    deputy = testing.make_user(org, "stedfortraeder", "requester", unit=unit, password=None)
    today = timezone.localdate()
    with permissions.access_cache():
        assert not permissions.access_of(deputy).acts_for(coordinator.pk)
        deputies.deputy_add(actor=coordinator, deputy_username=deputy.username,
                            starts_on=today, ends_on=today + dt.timedelta(days=1))
        assert permissions.access_of(deputy).acts_for(coordinator.pk)
