"""The work version (ADR 0044): the task counter is kept under the newest audited write that can
change anyone's tasks, so a remark, a comment or a second tick leaves every counter cached."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit import events
from anskaf.audit.models import CaseWorkHead
from anskaf.audit.selectors import chain_version, shared_work_version, work_version
from anskaf.cases import services
from anskaf.discussion.services import comment_create

pytestmark = pytest.mark.django_db


def _ticks(case, number):
    step = testing.model_of(case.model_version).step(number)
    return [i.id for i in step.checklist]


def test_remarks_comments_and_further_ticks_leave_the_work_version(coordinator):
    case = testing.new_case(coordinator)
    org = coordinator.organisation_id
    first, second = _ticks(case, 1)[:2]
    services.step_update(actor=coordinator, case_id=case.pk, number=1,  # the answers' ticks
                         checklist=[{"id": i, "done": False} for i in _ticks(case, 1)])
    work, head = work_version(org), chain_version(org)

    services.step_update(actor=coordinator, case_id=case.pk, number=1, remarks="Noter")
    comment_create(actor=coordinator, case_id=case.pk, body="Se trin 1")
    assert chain_version(org) != head  # both were audited...
    assert work_version(org) == work  # ...and moved nobody's work

    services.step_update(actor=coordinator, case_id=case.pk, number=1,
                         checklist=[{"id": first, "done": True}])
    assert work_version(org) != work  # the first tick starts the step
    work = work_version(org)
    services.step_update(actor=coordinator, case_id=case.pk, number=1,
                         checklist=[{"id": second, "done": True}])
    assert work_version(org) == work  # started already
    services.step_update(actor=coordinator, case_id=case.pk, number=1,
                         checklist=[{"id": first, "done": False}, {"id": second, "done": False}])
    assert work_version(org) != work  # no tick left: not started any more


def test_a_move_moves_the_work_version_and_it_is_the_newest_such_events_hash(coordinator):
    case = testing.new_case(coordinator)
    org = coordinator.organisation_id
    before = work_version(org)
    testing.advance(coordinator, case, 1)
    assert work_version(org) != before
    assert work_version(org) == chain_version(org)  # the completion was the newest event


@pytest.mark.parametrize(("before", "after", "moves"), [
    ({"remarks": "a", "checked": [], "version": 1}, {"remarks": "b", "checked": [], "version": 2},
     False),
    ({"checked": []}, {"checked": ["x"]}, True),
    ({"checked": ["x"]}, {"checked": ["x", "y"]}, False),
    ({"checked": ["x"]}, {"checked": []}, True),
    ({"status": "open", "checked": []}, {"status": "in_progress", "checked": []}, True),
    (None, {"checked": []}, False),
])
def test_a_step_edit_moves_work_only_by_status_or_by_starting(before, after, moves):
    assert events.EVENTS["step.updated"].may_move_work(before, after) is moves


def test_an_event_type_moves_work_unless_declared_quiet():
    assert events.EVENTS["step.completed"].may_move_work(None, None)
    assert events.EVENTS["role.added"].may_move_work(None, None)
    assert not events.EVENTS["comment.created"].may_move_work(None, None)
    undeclared = events.EventType("x.y", "cases.Case", frozenset())
    assert undeclared.may_move_work(None, None)


def _own_versions(case_ids: list[int]) -> dict[int, str]:
    return dict(CaseWorkHead.objects.filter(case_id__in=case_ids).values_list("case_id", "hash"))


def test_a_cases_own_event_moves_its_version_and_no_other_cases(coordinator):
    """ADR 0045: a step's move is bound to its case: it moves the municipality's work version
    and its own case's, and neither the shared version nor another case's."""
    org = coordinator.organisation_id
    case, other = testing.new_case(coordinator), testing.new_case(coordinator)
    shared, own = shared_work_version(org), _own_versions([case.pk, other.pk])
    testing.advance(coordinator, case, 1)
    shared_after, own_after = shared_work_version(org), _own_versions([case.pk, other.pk])
    assert shared_after == shared
    assert own_after[case.pk] != own[case.pk] and own_after[case.pk] == work_version(org)
    assert own_after[other.pk] == own[other.pk]


def test_an_event_not_bound_to_a_case_moves_the_shared_version(coordinator, org):
    from anskaf.orgs.services import role_add

    admin = testing.make_user(org, "admin", "admin")
    shared = shared_work_version(org.pk)
    role_add(actor=admin, person_id=coordinator.pk, role="it")
    assert shared_work_version(org.pk) == work_version(org.pk) != shared


def test_only_the_cases_apps_events_on_a_case_are_bound_to_it():
    local = {name for name, e in events.EVENTS.items() if e.case_local}
    assert {"step.completed", "step.assigned", "decision.recorded", "case.handed_over"} <= local
    assert all(events.EVENTS[n].object_type.startswith("cases.") for n in local)
    assert not {"role.added", "deputy.added", "meeting.case_put_forward", "dpa.created",
                "person.updated"} & local
