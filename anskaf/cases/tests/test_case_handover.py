"""services.case_handover: hand a case to another coordinator; assignments and deadlines move,
both are told, audited (issue 19, item 2; ADR 0018)."""

from __future__ import annotations

import datetime as dt

import pytest

from anskaf import testing
from anskaf.audit.services import audit_verify
from anskaf.cases import selectors, services
from anskaf.cases.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anskaf.process.errors import CaseClosed

from .helpers import everything, fresh, last_event, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def successor(org, unit):
    return testing.make_user(org, "efterfoelger", "coordinator", unit=unit,
                             full_name="Eva Efterfølger")


def hand(actor, case, to, **kwargs):
    return services.case_handover(actor=actor, case_id=case.pk, coordinator=to, **kwargs)


def test_the_case_gets_the_new_coordinator_audited(coordinator, successor, case):
    hand(coordinator, case, "efterfoelger", reason="Karen går på pension.")
    assert fresh(case).coordinator_id == successor.pk
    event = last_event(case)
    assert event.event_type == "case.handed_over"
    assert event.before == {"coordinator": "koordinator"}
    assert event.after == {"coordinator": "efterfoelger", "reason": "Karen går på pension.",
                           "steps": []}
    assert audit_verify(case.organisation_id).ok


def test_the_old_coordinators_open_assignments_move_done_ones_stay(coordinator, successor, case):
    services.step_assign(actor=coordinator, case_id=case.pk, number=1, assignee="koordinator")
    services.step_assign(actor=coordinator, case_id=case.pk, number=4, assignee="koordinator")
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    hand(coordinator, case, "efterfoelger")
    assert step(case, 4).assignee_id == successor.pk
    assert step(case, 1).assignee_id == coordinator.pk  # history: who was assigned when done
    assert last_event(case).after["steps"] == [4]


def test_the_deadlines_the_old_coordinator_set_move_and_both_are_told(coordinator, successor,
                                                                      case, manager):
    from anskaf.notifications.models import Notification, StepDeadline
    from anskaf.notifications.services import deadline_set

    deadline_set(actor=coordinator, case_id=case.pk, number=2,
                 due_date=dt.date.today() + dt.timedelta(days=10))
    hand(manager, case, "efterfoelger")
    assert StepDeadline.objects.get(case=case, step=2).set_by_id == successor.pk
    told = dict(Notification.objects.filter(case=case, kind="handover")
                .values_list("recipient__username", "subject"))
    assert set(told) == {"koordinator", "efterfoelger"}
    assert "du er nu koordinator" in told["efterfoelger"]
    assert "overdraget til Eva Efterfølger" in told["koordinator"]


def test_only_a_person_with_the_coordinator_role_may_take_over(coordinator, requester, case):
    before = everything(case)
    with pytest.raises(ValidationFailed) as info:
        hand(coordinator, case, "medarbejder")
    assert "koordinerende funktion" in info.value.errors["coordinator"]
    assert everything(case) == before


@pytest.mark.parametrize("who", ["", None, "ukendt", 3.5, True, -1, 2**70])
def test_an_unknown_person_is_refused(coordinator, case, who):
    with pytest.raises(ValidationFailed):
        hand(coordinator, case, who)


def test_a_person_of_another_municipality_is_refused(coordinator, outsider, case):
    with pytest.raises(ValidationFailed):
        hand(coordinator, case, outsider.username)


def test_a_deactivated_person_cannot_take_over(coordinator, successor, case):
    successor.is_active = False
    successor.save()
    with pytest.raises(ValidationFailed):
        hand(coordinator, case, "efterfoelger")


def test_the_case_coordinator_already_is_refused(coordinator, case):
    with pytest.raises(ValidationFailed, match="allerede"):
        hand(coordinator, case, "koordinator")


def test_who_may_not_edit_the_case_may_not_hand_it_over(requester, successor, case):
    with pytest.raises(PermissionDenied):
        hand(requester, case, "efterfoelger")


def test_an_admin_hands_over_a_deactivated_coordinators_case(org, coordinator, successor, case):
    admin = testing.make_user(org, "admin", "admin")
    coordinator.is_active = False
    coordinator.save()
    without = selectors.case_list(viewer=admin, filters=selectors.CaseFilters(
        without_coordinator=True))
    assert [c.pk for c in without] == [case.pk]
    hand(admin, case, "efterfoelger")
    assert selectors.case_list(viewer=admin, filters=selectors.CaseFilters(
        without_coordinator=True)) == []


def test_a_stale_version_is_a_conflict(coordinator, successor, case):
    with pytest.raises(Conflict):
        hand(coordinator, case, "efterfoelger", version=99)


def test_a_closed_case_is_not_handed_over(coordinator, successor, case):
    services.case_withdraw(actor=coordinator, case_id=case.pk, reason="Ikke længere behov")
    with pytest.raises(CaseClosed):
        hand(coordinator, case, "efterfoelger")


def test_a_case_of_another_municipality_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        hand(outsider, case, "fremmed")


def test_the_new_coordinator_may_now_edit_the_case(coordinator, successor, requester, case):
    services.case_update(actor=coordinator, case_id=case.pk, data={"restricted": True})
    hand(coordinator, case, "efterfoelger")
    services.case_update(actor=successor, case_id=case.pk, data={"title": "Overtaget"})
    assert fresh(case).title == "Overtaget"
