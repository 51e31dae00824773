"""extensions: guards stop a move before anything is written; handlers run inside it."""

from __future__ import annotations

import pytest
from django.db import connection

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases import extensions, services
from anskaf.cases.errors import RequirementMissing
from anskaf.cases.models import Decision, StepState
from anskaf.testing import decider_for

from .helpers import event_types, everything, status_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    """Register guards and handlers for one test; always unregister them afterwards."""
    registered = []
    before = (list(extensions._guards), list(extensions._handlers))

    def guard(move, fn):
        extensions.register_guard(move, fn)
        registered.append(fn)
        return fn

    def handler(event_type, fn):
        extensions.register_handler(event_type, fn)
        registered.append(fn)
        return fn

    yield guard, handler
    for fn in registered:
        extensions.unregister(fn)
    assert (extensions._guards, extensions._handlers) == before


def require_document(context):
    raise RequirementMissing(f"Trin {context.step} mangler dokumentet »Databehandleraftale«.")


def test_a_guard_that_raises_stops_step_complete_and_nothing_is_written(register, coordinator,
                                                                        case):
    guard, _ = register
    guard("complete", require_document)
    before = everything(case)
    with pytest.raises(RequirementMissing) as info:
        services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    assert info.value.code == "requirement_missing"
    assert "Databehandleraftale" in info.value.message
    assert everything(case) == before
    assert status_of(case, 1) == "not_started"


def test_a_guard_sees_the_move_the_case_the_step_and_the_actor(register, coordinator, case):
    guard, _ = register
    seen = []
    guard("complete", seen.append)
    services.step_complete(actor=coordinator, case_id=case.pk, number=3)
    [context] = seen
    assert (context.move, context.case.pk, context.step, context.actor) == (
        "complete", case.pk, 3, coordinator)
    assert context.outcome is None


def test_a_guard_on_decide_sees_the_outcome_and_can_stop_the_decision(register, coordinator,
                                                                     case):
    testing.advance(coordinator, case, through=5)
    guard, _ = register
    seen = []

    def only_with_minutes(context):
        seen.append(context)
        raise RequirementMissing("Referatet fra mødet i IT-visitationen mangler.")

    guard("decide", only_with_minutes)
    before = everything(case)
    with pytest.raises(RequirementMissing):
        services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6, outcome="maybe",
                                 rationale="Mangler dokumentation")
    assert seen[0].outcome == "maybe"
    assert seen[0].step == 6
    assert everything(case) == before
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("move", ["not_relevant", "reopen"])
def test_guards_also_stop_not_relevant_and_reopen(register, coordinator, case, move):
    services.step_complete(actor=coordinator, case_id=case.pk, number=2)
    guard, _ = register
    guard(move, require_document)
    before = everything(case)
    with pytest.raises(RequirementMissing):
        if move == "reopen":
            services.step_reopen(actor=coordinator, case_id=case.pk, number=2, reason="x")
        else:
            services.step_mark_not_relevant(actor=coordinator, case_id=case.pk, number=3,
                                            reason="x")
    assert everything(case) == before


def test_a_guard_for_another_move_is_not_asked(register, coordinator, case):
    guard, _ = register
    guard("reopen", require_document)
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    assert status_of(case, 1) == "done"


def test_the_engines_refusal_comes_before_the_guards(register, coordinator, case):
    guard, _ = register
    called = []
    guard("complete", called.append)
    with pytest.raises(Exception) as info:
        services.step_complete(actor=coordinator, case_id=case.pk, number=9)
    assert info.value.code == "step_not_open"
    assert called == []


def test_an_event_handler_is_called_inside_the_transaction_after_the_write(register,
                                                                           coordinator, case):
    _, handler = register
    seen = []

    def on_completed(event):
        # The move is already written and audited when the handler runs, in the same
        # transaction: the handler sees it and can still undo it by raising.
        seen.append({
            "type": event.type,
            "step": event.step,
            "actor": event.actor,
            "in_atomic_block": connection.in_atomic_block,
            "status_in_db": StepState.objects.get(case=case, number=1).status,
            "last_event": AuditEvent.objects.filter(case_id=case.pk)
            .order_by("-seq").values_list("event_type", flat=True).first(),
        })

    handler("step.completed", on_completed)
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    assert seen == [{"type": "step.completed", "step": 1, "actor": coordinator,
                     "in_atomic_block": True, "status_in_db": "done",
                     "last_event": "step.completed"}]


def test_a_handler_that_raises_rolls_the_whole_move_back(register, coordinator, case):
    _, handler = register

    def broken(event):
        raise RuntimeError("notifications are down")

    handler("step.completed", broken)
    before = everything(case)
    with pytest.raises(RuntimeError):
        services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    assert everything(case) == before


def test_a_star_handler_receives_every_event(register, coordinator, board_member):
    _, handler = register
    seen = []
    handler("*", lambda event: seen.append(event.type))
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, through=5)
    services.decision_record(actor=board_member, case_id=case.pk, step=6, outcome="yes",
                             rationale="OK")
    testing.advance(coordinator, case, through=7)  # a step behind gate 7 is marked below
    services.step_update(actor=coordinator, case_id=case.pk, number=8, remarks="x")
    services.step_mark_not_relevant(actor=coordinator, case_id=case.pk, number=9, reason="x")
    services.step_reopen(actor=coordinator, case_id=case.pk, number=9, reason="x")
    services.case_update(actor=coordinator, case_id=case.pk, data={"title": "Ny"})
    services.case_withdraw(actor=coordinator, case_id=case.pk, reason="x")
    assert seen == ["case.created"] + ["step.completed"] * 5 + [
        "decision.recorded", "decision.recorded", "step.updated", "step.not_relevant", "step.reopened",
        "case.updated", "case.withdrawn"]
    assert [t for t in event_types(case)] == seen


def test_a_decision_event_carries_outcome_round_and_decision(register, coordinator, case):
    testing.advance(coordinator, case, through=5)
    _, handler = register
    seen = []
    handler("decision.recorded", seen.append)
    decision = services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6,
                                        outcome="maybe", rationale="Mangler bilag")
    [event] = seen
    assert event.step == 6
    assert event.data["outcome"] == "maybe"
    assert event.data["round"] == 1
    assert event.data["decision"] == decision


def test_unregister_removes_a_guard_and_a_handler(coordinator, case):
    calls = []

    def spy(x):
        calls.append(x)

    extensions.register_guard("complete", spy)
    extensions.register_handler("*", spy)
    try:
        extensions.unregister(spy)
        services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    finally:
        extensions.unregister(spy)
    assert calls == []
