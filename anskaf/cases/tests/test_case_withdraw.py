"""services.case_withdraw: a reason, an audit event, and a case that stays read-only."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import CaseClosed, Conflict, NotFound, ValidationFailed
from anskaf.testing import decider_for

from .helpers import everything, fresh, last_event

pytestmark = pytest.mark.django_db


def withdraw(actor, case, reason="Behovet er dækket af et eksisterende system.", version=None):
    return services.case_withdraw(actor=actor, case_id=case.pk, reason=reason, version=version)


def test_withdrawing_sets_the_status_and_keeps_the_reason(coordinator, case):
    withdraw(coordinator, case, reason="  Behovet er dækket.  ")
    case = fresh(case)
    assert case.status == "withdrawn"
    assert case.withdrawn_reason == "Behovet er dækket."
    assert case.version == 2


def test_withdrawing_is_audited_with_the_reason(coordinator, case):
    withdraw(coordinator, case, reason="Behovet er dækket.")
    event = last_event(case)
    assert event.event_type == "case.withdrawn"
    assert event.before == {"status": "active"}
    assert event.after == {"status": "withdrawn", "reason": "Behovet er dækket."}
    assert event.actor_role == "coordinator"


@pytest.mark.parametrize("reason", [None, "", "   ", 5])
def test_a_reason_is_required(coordinator, case, reason):
    before = everything(case)
    with pytest.raises(ValidationFailed) as info:
        withdraw(coordinator, case, reason=reason)
    assert set(info.value.errors) == {"reason"}
    assert everything(case) == before


def test_a_stale_version_is_a_conflict(coordinator, case):
    services.case_update(actor=coordinator, case_id=case.pk, data={"title": "Ny titel"})
    with pytest.raises(Conflict):
        withdraw(coordinator, case, version=1)
    assert fresh(case).status == "active"
    withdraw(coordinator, case, version=2)
    assert fresh(case).status == "withdrawn"


def test_a_withdrawal_cannot_be_undone_or_repeated(coordinator, case):
    withdraw(coordinator, case)
    with pytest.raises(CaseClosed):
        withdraw(coordinator, case)
    with pytest.raises(CaseClosed):
        services.case_update(actor=coordinator, case_id=case.pk, data={"title": "Igen"})


def test_a_withdrawn_case_refuses_every_step_move_and_decision(coordinator, case):
    testing.advance(coordinator, case, through=5)
    withdraw(coordinator, case)
    before = everything(case)
    moves = [
        lambda: services.step_update(actor=coordinator, case_id=case.pk, number=8,
                                     remarks="x"),
        lambda: services.step_update(actor=coordinator, case_id=case.pk, number=8,
                                     status="in_progress"),
        lambda: services.step_complete(actor=coordinator, case_id=case.pk, number=1),
        lambda: services.step_mark_not_relevant(actor=coordinator, case_id=case.pk, number=9,
                                                reason="x"),
        lambda: services.step_reopen(actor=coordinator, case_id=case.pk, number=3, reason="x"),
        lambda: services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6,
                                         outcome="yes", rationale="x"),
    ]
    for move in moves:
        with pytest.raises(CaseClosed) as info:
            move()
        assert info.value.code == "case_closed"
    assert everything(case) == before


def test_a_case_in_operation_can_still_be_withdrawn(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=20)
    assert fresh(case).status == "in_operation"
    withdraw(coordinator, case)
    assert fresh(case).status == "withdrawn"


def test_a_completed_case_cannot_be_withdrawn(coordinator, case):
    testing.advance(coordinator, case, through=21)
    assert fresh(case).status == "completed"
    with pytest.raises(CaseClosed):
        withdraw(coordinator, case)


def test_a_rejected_case_cannot_be_withdrawn(coordinator, case):
    testing.advance(coordinator, case, through=5)
    services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6, outcome="no",
                             rationale="Løsningen lever ikke op til kravene.")
    with pytest.raises(CaseClosed):
        withdraw(coordinator, case)
    assert fresh(case).status == "rejected"


def test_a_case_of_another_organisation_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        withdraw(outsider, case)
    assert fresh(case).status == "active"


def test_a_withdrawn_case_waits_for_nobody(coordinator, case):
    withdraw(coordinator, case)
    case = fresh(case)
    assert case.waiting_steps == []
    assert case.waiting_roles == []
