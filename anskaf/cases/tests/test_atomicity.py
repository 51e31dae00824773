"""Every service is one transaction: a move that fails, at any point, writes nothing."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.services import audit_verify
from anskaf.cases import services
from anskaf.cases.errors import InvalidTransition, StepNotOpen
from anskaf.testing import decider_for

from .helpers import everything

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def failing_audit(monkeypatch):
    """The audit append, the last write of every move, fails."""

    def fail(**kwargs):
        raise Boom("the audit trail is unavailable")

    monkeypatch.setattr(services, "audit_append", fail)


def test_a_refused_move_writes_no_audit_event_and_no_state(coordinator, case):
    before = everything(case)
    with pytest.raises(StepNotOpen):
        services.step_complete(actor=coordinator, case_id=case.pk, number=8, remarks="x")
    assert everything(case) == before


def test_a_refused_case_update_keeps_even_the_valid_fields_unchanged(coordinator, case):
    testing.advance(coordinator, case, through=18)
    before = everything(case)
    with pytest.raises(InvalidTransition):
        services.case_update(actor=coordinator, case_id=case.pk,
                             data={"title": "Ny titel", "replaces_system": True})
    assert everything(case) == before


MOVES = {  # name: (the steps done first, the move)
    "step_complete": (0, lambda a, c: services.step_complete(actor=a, case_id=c.pk, number=1)),
    "step_update": (0, lambda a, c: services.step_update(
        actor=a, case_id=c.pk, number=1, remarks="x", status="in_progress",
        checklist=[{"id": "1.1", "done": True}])),
    "step_mark_not_relevant": (0, lambda a, c: services.step_mark_not_relevant(
        actor=a, case_id=c.pk, number=4, reason="x")),
    "step_reopen": (5, lambda a, c: services.step_reopen(actor=a, case_id=c.pk, number=3,
                                                         reason="x")),
    "decision_record": (5, lambda a, c: services.decision_record(
        actor=decider_for(c, 6), case_id=c.pk, step=6, outcome="maybe", rationale="x")),
    "decision_record_reject": (6, lambda a, c: services.decision_record(
        actor=decider_for(c, 7), case_id=c.pk, step=7, outcome="no", rationale="x")),
    "case_update": (0, lambda a, c: services.case_update(
        actor=a, case_id=c.pk, data={"title": "Ny", "replaces_system": True})),
    "case_withdraw": (0, lambda a, c: services.case_withdraw(actor=a, case_id=c.pk,
                                                             reason="x")),
}


@pytest.mark.parametrize("name", MOVES)
def test_a_move_that_fails_at_its_last_write_leaves_nothing_behind(coordinator, monkeypatch,
                                                                   name):
    through, move = MOVES[name]
    case = testing.new_case(coordinator)
    testing.advance(coordinator, case, through=through)
    before = everything(case)

    def fail(**kwargs):
        raise Boom("the audit trail is unavailable")

    monkeypatch.setattr(services, "audit_append", fail)
    with pytest.raises(Boom):
        move(coordinator, case)
    assert everything(case) == before
    assert audit_verify(case.organisation_id).ok


def test_a_creation_that_fails_at_its_last_write_leaves_no_case(coordinator, failing_audit):
    from anskaf.cases.models import Case, CaseNumberSequence, StepState

    with pytest.raises(Boom):
        testing.new_case(coordinator)
    assert Case.objects.count() == 0
    assert StepState.objects.count() == 0
    assert not CaseNumberSequence.objects.filter(last__gt=0).exists()
