"""Demo data: the municipality, its people and cases, and demo logins only in demo mode."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from anskaf import demo
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
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
    roles = dict(Membership.objects.filter(organisation__slug="haderslev")
                 .values_list("person__username", "role"))
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
    counts = (User.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    again = demo.load()
    assert not again.created
    assert Organisation.objects.filter(slug="haderslev").count() == 1
    assert Organisation.objects.filter(slug="nabo").count() == 1
    assert Case.objects.count() == loaded.cases
    assert (User.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == counts


# --- the second municipality --------------------------------------------------------------------


def test_nabo_kommune_has_one_coordinator_and_cases_of_its_own(loaded):
    nabo_org = Organisation.objects.get(slug="nabo")
    assert nabo_org.name == "Nabo Kommune"
    nabo = User.objects.get(username="nabo")
    assert nabo.organisation == nabo_org and nabo.is_demo and nabo.check_password("demo")
    assert nabo.unit.organisation == nabo_org
    assert list(Membership.objects.filter(person=nabo).values_list("role", "organisation")) == [
        ("coordinator", nabo_org.pk)]
    assert list(User.objects.filter(organisation=nabo_org)) == [nabo]
    theirs = Case.objects.filter(organisation=nabo_org)
    assert theirs.count() >= 3 and all(c.coordinator == nabo for c in theirs)
    assert all(c.requesting_unit.organisation == nabo_org for c in theirs)
    assert {c.number for c in theirs} >= {f"{theirs[0].number[:4]}-001"}  # numbered per municipality
    assert any(c.step_states.get(number=1).status == "done" for c in theirs)
    assert ("nabo", "Koordinerende funktion (Nabo Kommune)", nabo.get_full_name()) in demo.LOGINS
    haderslev = Organisation.objects.get(slug="haderslev")
    assert audit_verify(nabo_org.pk).ok and audit_verify(haderslev.pk).ok
    assert not AuditEvent.objects.filter(organisation=haderslev, actor=nabo).exists()


def test_nabo_sees_only_its_own_cases_and_haderslev_none_of_nabos(loaded, client, settings):
    settings.DEMO_MODE = True  # demo accounts are signed out otherwise
    nabo = User.objects.get(username="nabo")
    client.force_login(nabo)
    html = client.get("/sager/").content.decode()
    assert "Ruteplanlægning til vintertjenesten" in html
    assert "Nyt omsorgssystem til hjemmeplejen" not in html
    foreign = Case.objects.get(title="Nyt omsorgssystem til hjemmeplejen")
    assert client.get(f"/sager/{foreign.pk}/").status_code == 404
    client.force_login(User.objects.get(username="koordinator"))
    own = Case.objects.get(title="Ruteplanlægning til vintertjenesten")
    assert client.get(f"/sager/{own.pk}/").status_code == 404
    assert "Ruteplanlægning til vintertjenesten" not in client.get("/sager/").content.decode()


def test_a_database_loaded_before_nabo_kommune_gets_it_on_the_next_load(db, monkeypatch):
    monkeypatch.setattr(demo, "MUNICIPALITIES", demo.MUNICIPALITIES[:1])
    first = demo.load()
    assert first.created and first.organisation == "Haderslev Kommune"
    monkeypatch.undo()
    assert not demo.is_loaded()
    haderslev_cases = Case.objects.count()
    second = demo.load()
    assert second.created and second.organisation == "Nabo Kommune"
    assert second.users == 1 and second.cases == Case.objects.count() - haderslev_cases
    assert demo.is_loaded() and not demo.load().created


def _authenticate(username: str, password: str):
    # django-axes refuses authenticate() without a request.
    return authenticate(RequestFactory().post("/log-ind/"), username=username, password=password)


def test_demo_logins_are_refused_unless_demo_mode_is_on(loaded, settings):
    settings.DEMO_MODE = False
    for username, _role, _name in demo.LOGINS:
        assert _authenticate(username, "demo") is None
    settings.DEMO_MODE = True
    for username, _role, _name in demo.LOGINS:
        user = _authenticate(username, "demo")
        assert user is not None and user.username == username
    assert _authenticate("koordinator", "wrong") is None


def test_demo_login_through_the_login_page_only_in_demo_mode(loaded, client, settings):
    settings.DEMO_MODE = False
    response = client.post("/log-ind/", {"username": "nabo", "password": "demo"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    settings.DEMO_MODE = True
    response = client.post("/log-ind/", {"username": "nabo", "password": "demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="nabo").pk)


def test_the_validators_refuse_demo_as_a_chosen_password_yet_demo_logins_work(loaded, settings):
    """All of Django's validators are on (they judge passwords people choose); the demo's
    accounts get "demo" from the loader and log in with it only in demo mode."""
    from django.contrib.auth.password_validation import get_default_password_validators, validate_password
    from django.core.exceptions import ValidationError

    names = {type(v).__name__ for v in get_default_password_validators()}
    assert names == {"UserAttributeSimilarityValidator", "MinimumLengthValidator",
                     "CommonPasswordValidator", "NumericPasswordValidator"}
    with pytest.raises(ValidationError):
        validate_password("demo")
    settings.DEMO_MODE = True
    assert _authenticate("koordinator", "demo") is not None


def test_the_demo_meeting_falls_on_a_weekday():
    import datetime as dt

    from anskaf.demo import on_a_weekday

    for offset in range(7):
        start = dt.datetime(2026, 12, 5, 10, 0) + dt.timedelta(days=offset)  # from a Saturday
        moved = on_a_weekday(start)
        assert moved.weekday() < 5 and (moved - start).days < 3
        assert moved == start or start.weekday() >= 5


def test_a_demo_loaded_on_a_sunday_has_its_moves_and_meeting_on_weekdays(db):
    """Decisions, completions, the audit trail and the meeting of a demo loaded at a weekend
    fall on working days (the moves on Friday), and the audit chain still holds."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from anskaf.cases.models import StepState
    from anskaf.meetings.models import Meeting

    sunday = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    assert sunday.weekday() == 6
    start = dt.datetime.now(dt.UTC)
    with mock.patch.object(timezone, "now", lambda: sunday + (dt.datetime.now(dt.UTC) - start)):
        assert demo.load().created
    orgs = Organisation.objects.filter(slug__in=["haderslev", "nabo"])

    def days(values):
        return {timezone.localtime(v).weekday() for v in values if v is not None}

    decided = days(Decision.objects.filter(case__organisation__in=orgs)
                   .values_list("decided_at", flat=True))
    completed = days(StepState.objects.filter(case__organisation__in=orgs)
                     .values_list("completed_at", flat=True))
    audited = days(AuditEvent.objects.filter(organisation__in=orgs).values_list("at", flat=True))
    meetings = days(Meeting.objects.filter(organisation__in=orgs).values_list("starts_at", flat=True))
    assert decided and completed and audited and meetings
    assert max(decided | completed | audited | meetings) < 5
    assert decided == completed == audited == {4}  # Friday
    for org in orgs:
        assert audit_verify(org.pk).ok


def test_the_demo_clock_goes_back_only_at_a_weekend():
    import datetime as dt

    for offset, back in enumerate([0, 0, 0, 0, 0, 1, 2]):  # Monday 7 December 2026 on
        day = dt.date(2026, 12, 7) + dt.timedelta(days=offset)
        assert demo.last_working_day_offset(day) == dt.timedelta(days=back)
