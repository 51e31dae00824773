"""Deputies act with the absent person's roles on the absent person's tasks, for exactly the
deputy period; the inbox never lists a task its reader may not perform (issue 19, item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anskaf import testing
from anskaf.cases import permissions, selectors, services
from anskaf.cases.errors import PermissionDenied
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_for
from anskaf.http.kept import forget_kept
from anskaf.orgs import deputies
from anskaf.orgs.models import Deputy, Membership

pytestmark = pytest.mark.django_db

GO_DECISION = 7  # the department's own go/no-go gate, decided by its management


@pytest.fixture
def waiting_for_go(coordinator, manager):
    case = testing.advance(coordinator, testing.new_case(coordinator, title="Stedfortræder"),
                           GO_DECISION - 1)
    services.step_assign(actor=coordinator, case_id=case.pk, number=GO_DECISION,
                         assignee=manager.username)
    return case


def _deputise(absent, deputy, starts, ends):
    deputies.deputy_add(actor=absent, deputy_username=deputy.username, starts_on=starts,
                        ends_on=ends)
    permissions.forget_access(deputy)


def _decide(person, case):
    return services.decision_record(actor=person, case_id=case.pk, step=GO_DECISION,
                                    outcome="yes", rationale="Vi går videre")


def test_the_deputy_lists_and_decides_the_absent_managers_decision(org, waiting_for_go,
                                                                     manager):
    it_person = testing.make_user(org, "it-stedfortraeder", "it")
    today = timezone.localdate()
    _deputise(manager, it_person, today, today)
    tasks = [t for t in selectors.my_tasks(viewer=it_person) if t.case.pk == waiting_for_go.pk]
    assert [(t.step.number, t.kind) for t in tasks] == [(GO_DECISION, "decision")]
    decision = _decide(it_person, waiting_for_go)  # was 403: the deputy lacked management
    assert decision.decided_by == it_person


@pytest.mark.parametrize("starts, ends", [(-10, -1), (1, 5)])
def test_outside_the_period_the_deputy_neither_sees_nor_decides(org, waiting_for_go, manager,
                                                                starts, ends):
    it_person = testing.make_user(org, "it-stedfortraeder", "it")
    today = timezone.localdate()
    _deputise(manager, it_person, today + dt.timedelta(days=starts),
              today + dt.timedelta(days=ends))
    assert not [t for t in selectors.my_tasks(viewer=it_person)
                if t.case.pk == waiting_for_go.pk]
    with pytest.raises(PermissionDenied):
        _decide(it_person, waiting_for_go)


def test_the_absent_persons_roles_cover_only_their_own_tasks(org, coordinator, manager):
    """An unassigned decision of the absent manager's role stays theirs and the role's."""
    case = testing.advance(coordinator, testing.new_case(coordinator), GO_DECISION - 1)
    it_person = testing.make_user(org, "it-stedfortraeder", "it")
    today = timezone.localdate()
    _deputise(manager, it_person, today, today + dt.timedelta(days=3))
    assert not [t for t in selectors.my_tasks(viewer=it_person) if t.case.pk == case.pk]
    with pytest.raises(PermissionDenied):
        _decide(it_person, case)


def test_a_gate_assigned_to_a_performer_without_the_deciding_role_is_not_offered(
        org, unit, coordinator, requester):
    """Step 7's performers include the requester, who may be assigned but cannot decide."""
    case = testing.advance(coordinator, testing.new_case(coordinator), GO_DECISION - 1)
    services.step_assign(actor=coordinator, case_id=case.pk, number=GO_DECISION,
                         assignee=requester.username)
    assert not [t for t in selectors.my_tasks(viewer=requester) if t.case.pk == case.pk]


# --- the property: every listed task passes the check its service runs ------------------------

ROLES = ("requester", "it", "management", "it_board", "security", "procurement", "archive")
PEOPLE = 4


def _check_inbox(person) -> None:
    permissions.forget_access(person)
    for task in selectors.my_tasks(viewer=person):
        case = Case.objects.get(pk=task.case.pk)  # the list keeps a case's number and title
        model = model_for(case)
        assignee = case.step_states.get(number=task.step.number).assignee_id
        if task.kind == "decision":
            refusal = permissions.decide_refusal(person, case, model, task.step, assignee)
        else:
            refusal = permissions.work_refusal(person, case, model, task.step, assignee)
        assert refusal is None, (person.username, task.step.number, task.kind, refusal)


@pytest.fixture
def matrix(org, unit, coordinator):
    cases = [testing.new_case(coordinator, title=f"Matrix {n}") for n in range(3)]
    testing.advance(coordinator, cases[1], 5)  # waits for the board's gate
    testing.advance(coordinator, cases[2], GO_DECISION - 1)  # waits for management's gate
    people = [testing.make_user(org, f"p{n}") for n in range(PEOPLE)]
    return org, unit, cases, people


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_inbox_lists_only_what_its_reader_may_do(matrix, data):
    org, unit, cases, people = matrix
    # Roles, deputies and assignees are written here without the services, so without the
    # audit events that move the work version the task lists are kept under (ADR 0044).
    cache.clear()
    forget_kept()
    with transaction.atomic():
        for person in people:
            for role in data.draw(st.sets(st.sampled_from(ROLES), max_size=2)):
                scoped = data.draw(st.booleans())
                Membership.objects.create(organisation=org, person=person, role=role,
                                          unit=unit if scoped else None)
        today = timezone.localdate()
        for absent in people:
            if data.draw(st.booleans()):
                deputy = data.draw(st.sampled_from([p for p in people if p != absent]))
                starts = today + dt.timedelta(days=data.draw(st.integers(-3, 1)))
                Deputy.objects.create(organisation=org, person=absent, deputy=deputy,
                                      starts_on=starts,
                                      ends_on=starts + dt.timedelta(days=data.draw(
                                          st.integers(0, 3))))
        for case in cases:
            for state in case.step_states.all():
                if data.draw(st.integers(0, 3)) == 0:  # assign directly: any person at all
                    state.assignee = data.draw(st.sampled_from(people))
                    state.save(update_fields=["assignee"])
        for person in people:
            _check_inbox(person)
        transaction.set_rollback(True)
