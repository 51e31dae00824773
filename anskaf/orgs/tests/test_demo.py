"""Demo data: the municipality, its people and cases, and demo logins only in demo mode."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from anskaf import demo
from anskaf.cases.models import Case, Decision
from anskaf.orgs.models import Membership, Organisation, OrgUnit, User


@pytest.fixture
def loaded(db):
    result = demo.load()
    assert result.created
    return result


def test_demo_creates_haderslev_with_two_administrations_and_departments(loaded):
    org = Organisation.objects.get(slug="haderslev")
    assert org.name == "Haderslev Kommune"
    assert org.procurement_email == "udbud-indkob@haderslev.dk"
    top = OrgUnit.objects.filter(organisation=org, parent=None)
    assert sorted(u.name for u in top) == [
        "Børne- og Familieforvaltningen",
        "Social- og Sundhedsforvaltningen",
    ]
    assert OrgUnit.objects.filter(organisation=org, parent__isnull=False).count() >= 2


def test_demo_people_hold_their_roles_and_share_one_administration(loaded):
    roles = dict(Membership.objects.values_list("person__username", "role"))
    assert roles == {
        "koordinator": "coordinator",
        "medarbejder": "requester",
        "leder": "management",
        "it": "it",
        "visitation": "it_board",
        "isk": "security",
        "indkob": "procurement",
        "jura": "legal",
        "admin": "admin",
    }
    units = {
        u.unit_id for u in User.objects.filter(username__in=["koordinator", "medarbejder", "leder"])
    }
    assert len(units) == 1 and None not in units
    assert all(u.is_demo and u.get_full_name() for u in User.objects.all())
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


def test_demo_cases_cover_rejected_in_operation_replacing_and_a_maybe_round(loaded):
    cases = {c.title: c for c in Case.objects.all()}
    assert len(cases) >= 5
    statuses = {c.status for c in cases.values()}
    assert {"active", "rejected", "in_operation"} <= statuses

    care = cases["Nyt omsorgssystem til hjemmeplejen"]
    assert care.replaces_system and care.replaced_system_name == "Ældre Omsorgssystem X"
    assert care.step_states.get(number=10).status == "done"
    assert care.step_states.get(number=11).status == "in_progress"
    assert care.step_states.get(number=12).status == "in_progress"

    rejected = next(c for c in cases.values() if c.status == "rejected")
    no = Decision.objects.get(case=rejected, step=6)
    assert no.outcome == "no" and no.rationale

    running = next(c for c in cases.values() if c.status == "in_operation")
    assert running.replaces_system
    assert running.step_states.get(number=20).status == "done"
    assert running.step_states.get(number=21).status != "done"

    maybe = Decision.objects.get(outcome="maybe", step=6)
    assert maybe.missing_documentation
    assert maybe.case.step_states.get(number=6).status == "in_progress"
    assert maybe.case.step_states.get(number=5).status == "done"

    fresh = [c for c in cases.values() if c.step_states.get(number=2).status == "in_progress"]
    assert fresh and fresh[0].step_states.get(number=1).status == "done"
    assert any(s.remarks for c in cases.values() for s in c.step_states.all())


def test_demo_is_idempotent(loaded):
    again = demo.load()
    assert not again.created
    assert Organisation.objects.filter(slug="haderslev").count() == 1
    assert Case.objects.count() == loaded.cases


def test_demo_logins_are_refused_unless_demo_mode_is_on(loaded, settings):
    settings.DEMO_MODE = False
    for username, _role, _name in demo.LOGINS:
        assert authenticate(username=username, password="demo") is None
    settings.DEMO_MODE = True
    for username, _role, _name in demo.LOGINS:
        user = authenticate(username=username, password="demo")
        assert user is not None and user.username == username
    assert authenticate(username="koordinator", password="wrong") is None


def test_demo_login_through_the_login_page_only_in_demo_mode(loaded, client, settings):
    settings.DEMO_MODE = False
    assert not client.login(username="koordinator", password="demo")
    settings.DEMO_MODE = True
    assert client.login(username="koordinator", password="demo")
