"""Who may write the portfolio (anskaf/portfolio/permissions.py, ADR 0039)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases.models import Case
from anskaf.orgs.models import Membership
from anskaf.portfolio.permissions import (
    SYSTEM_WRITERS,
    kitos_register_refusal,
    may,
    role_refusal,
    roles_of,
    write_refusal,
)


def test_the_portfolio_counts_admin_only_for_an_administrator_of_the_municipality(org, unit):
    scoped = testing.make_user(org, "enhed", password=None)
    Membership.objects.create(organisation=org, person=scoped, role="admin", unit=unit)
    admin = testing.make_user(org, "chef", "admin", password=None)
    assert "admin" not in roles_of(scoped)
    assert not may(scoped, ("admin", "it"))
    assert roles_of(admin) == {"admin"}
    assert may(admin, ("admin", "it"))



@pytest.mark.parametrize("role, allowed", [("it", True), ("procurement", True),
                                           ("legal", False), ("requester", False)])
def test_systems_are_written_by_it_procurement_and_administrators(org, unit, role, allowed):
    person = testing.make_user(org, "person", role, unit=unit, password=None)
    assert (write_refusal(person, SYSTEM_WRITERS) is None) is allowed
    assert (role_refusal(person, SYSTEM_WRITERS, "IT") is None) is allowed


def test_kitos_registration_is_for_the_steps_performers_the_coordinator_it_and_admins(
        org, unit, other_unit, coordinator, requester):
    case = Case(organisation=org, requesting_unit=unit)
    admin = testing.make_user(org, "chef", "admin", password=None)
    elsewhere = testing.make_user(org, "andet", "coordinator", unit=other_unit, password=None)
    assert kitos_register_refusal(coordinator, case, ()) is None
    assert kitos_register_refusal(admin, case, ()) is None
    assert kitos_register_refusal(requester, case, ("requester",)) is None
    assert kitos_register_refusal(requester, case, ()) is not None
    assert kitos_register_refusal(elsewhere, case, ()) is not None
