"""services.decision_record: gate decisions, their rounds, effects and validation."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import (
    CaseClosed,
    Conflict,
    GateNotReady,
    InvalidTransition,
    MoveRefused,
    NotFound,
    OutcomeNotAllowed,
    StepNotOpen,
    ValidationFailed,
)
from anskaf.cases.models import Decision
from anskaf.testing import gate_actor

from .helpers import everything, fresh, last_event, status_of, step

pytestmark = pytest.mark.django_db


def decide(actor, case, number, outcome, rationale="Begrundelse", **kwargs):
    return services.decision_record(actor=gate_actor(actor, case, number), case_id=case.pk,
                                    step=number, outcome=outcome, rationale=rationale, **kwargs)


@pytest.fixture
def at_6(coordinator, case):
    testing.advance(coordinator, case, through=5)
    return case


def test_ja_at_6_records_round_1_and_makes_the_gate_done(board_member, at_6):
    decision = decide(board_member, at_6, 6, "yes", rationale="Løsningen passer ind.",
                      recommendations="Brug SSO.", it_contacts=["Ida IT", " Ole Drift "])
    assert (decision.step, decision.round, decision.outcome) == (6, 1, "yes")
    assert decision.rationale == "Løsningen passer ind."
    assert decision.recommendations == "Brug SSO."
    assert decision.it_contacts == ["Ida IT", "Ole Drift"]
    assert decision.decided_by == board_member
    assert decision.decided_role == "it_board"
    state = step(at_6, 6)
    assert state.status == "done"
    assert state.completed_by == board_member
    case = fresh(at_6)
    assert case.status == "active"
    assert case.phase == 3
    assert case.waiting_steps == [7]
    assert case.waiting_roles == ["management"]


def test_a_decision_is_audited_with_its_fields(board_member, at_6):
    decision = decide(board_member, at_6, 6, "yes", rationale="OK", it_contacts="Ida\nOle\n")
    event = last_event(at_6)
    assert event.event_type == "decision.recorded"
    assert event.object_type == "cases.Decision"
    assert event.object_id == str(decision.pk)
    assert event.actor_role == "it_board"
    assert event.after["outcome"] == "yes"
    assert event.after["round"] == 1
    assert event.after["rationale"] == "OK"
    assert event.after["it_contacts"] == ["Ida", "Ole"]
    assert event.after["steps"] == {"6": "done"}


def test_maybe_at_6_returns_4_and_5_to_in_progress_keeping_their_work(coordinator,
                                                                       board_member, at_6):
    services.step_update(actor=coordinator, case_id=at_6.pk, number=4, remarks="Bilag A",
                         checklist=[{"id": "4.1", "done": True}])
    decide(board_member, at_6, 6, "maybe", rationale="Vi mangler en sikkerhedsbeskrivelse.",
           missing_documentation=["Sikkerhedsbeskrivelse", "Snitfladetegning"])
    assert [status_of(at_6, n) for n in (3, 4, 5, 6)] == ["done", "in_progress",
                                                           "in_progress", "in_progress"]
    assert step(at_6, 4).remarks == "Bilag A"
    assert step(at_6, 4).checked == ["4.1"]
    assert step(at_6, 4).completed_by is None
    decision = Decision.objects.get(case=at_6)
    assert decision.missing_documentation == ["Sikkerhedsbeskrivelse", "Snitfladetegning"]
    case = fresh(at_6)
    assert case.status == "active"
    assert case.phase == 2
    assert case.steps_in_progress == [4, 5, 6]


def test_a_new_round_follows_a_maybe(coordinator, board_member, at_6):
    decide(board_member, at_6, 6, "maybe")
    with pytest.raises(GateNotReady):
        decide(board_member, at_6, 6, "yes")
    services.step_complete(actor=coordinator, case_id=at_6.pk, number=4)
    services.step_complete(actor=board_member, case_id=at_6.pk, number=5,
                           remarks="Behandlet igen")
    decide(board_member, at_6, 6, "maybe")
    services.step_complete(actor=coordinator, case_id=at_6.pk, number=4)
    services.step_complete(actor=board_member, case_id=at_6.pk, number=5,
                           remarks="Behandlet igen")
    decision = decide(board_member, at_6, 6, "yes")
    assert decision.round == 3
    rounds = list(Decision.objects.filter(case=at_6).order_by("round")
                  .values_list("round", "outcome"))
    assert rounds == [(1, "maybe"), (2, "maybe"), (3, "yes")]


def test_each_gate_counts_its_own_rounds_from_1(coordinator, board_member, manager, at_6):
    decide(board_member, at_6, 6, "maybe")
    testing.advance(coordinator, at_6, through=5)
    assert decide(board_member, at_6, 6, "yes").round == 2
    assert decide(manager, at_6, 7, "yes").round == 1
    testing.advance(coordinator, at_6, through=17)
    assert decide(coordinator, at_6, 18, "no").round == 1
    assert status_of(at_6, 17) == "in_progress"
    assert status_of(at_6, 18) == "in_progress"
    services.step_complete(actor=coordinator, case_id=at_6.pk, number=17)
    assert decide(coordinator, at_6, 18, "yes").round == 2
    assert fresh(at_6).phase == 5


@pytest.mark.parametrize("gate", [6, 7])
def test_nej_at_6_or_7_rejects_the_case(coordinator, case, gate):
    testing.advance(coordinator, case, through=gate - 1)
    decide(coordinator, case, gate, "no", rationale="Ikke et behov, vi kan dække nu.")
    case = fresh(case)
    assert case.status == "rejected"
    assert status_of(case, gate) == "done"
    assert case.waiting_steps == []
    assert last_event(case).after["status"] == "rejected"


def test_a_rejected_case_is_read_only_afterwards(coordinator, board_member, at_6):
    decide(board_member, at_6, 6, "no")
    before = everything(at_6)
    moves = [
        lambda: decide(board_member, at_6, 6, "yes"),
        lambda: decide(coordinator, at_6, 7, "yes"),
        lambda: services.step_update(actor=coordinator, case_id=at_6.pk, number=1, remarks="x"),
        lambda: services.step_reopen(actor=coordinator, case_id=at_6.pk, number=1, reason="x"),
        lambda: services.case_update(actor=coordinator, case_id=at_6.pk, data={"title": "x"}),
        lambda: services.case_withdraw(actor=coordinator, case_id=at_6.pk, reason="x"),
    ]
    for move in moves:
        with pytest.raises(CaseClosed):
            move()
    assert everything(at_6) == before


@pytest.mark.parametrize("rationale", [None, "", "   ", 12])
def test_a_rationale_is_required(board_member, at_6, rationale):
    before = everything(at_6)
    with pytest.raises(ValidationFailed) as info:
        decide(board_member, at_6, 6, "yes", rationale=rationale)
    assert set(info.value.errors) == {"rationale"}
    assert info.value.status == 400
    assert everything(at_6) == before


@pytest.mark.parametrize("gate", [7, 18])
def test_maybe_is_not_allowed_at_7_or_18(coordinator, case, gate):
    testing.advance(coordinator, case, through=gate - 1)
    with pytest.raises(OutcomeNotAllowed) as info:
        decide(coordinator, case, gate, "maybe")
    assert info.value.code == "outcome_not_allowed"


@pytest.mark.parametrize("outcome", ["ja", "YES", "", None, True])
def test_an_unknown_outcome_is_refused(board_member, at_6, outcome):
    with pytest.raises(ValidationFailed) as info:
        decide(board_member, at_6, 6, outcome)
    assert set(info.value.errors) == {"outcome"}


def test_a_decision_on_a_step_that_is_not_a_gate_is_a_business_refusal(coordinator, case):
    with pytest.raises(MoveRefused) as info:
        decide(coordinator, case, 5, "yes")
    assert info.value.code == "invalid_reference"
    assert info.value.status == 409


@pytest.mark.parametrize("number", ["6", 6.0, True, 0, 22, None])
def test_the_step_must_be_a_step_number(board_member, at_6, number):
    with pytest.raises(ValidationFailed) as info:
        decide(board_member, at_6, number, "yes")
    assert set(info.value.errors) == {"step"}


@pytest.mark.parametrize(("field", "value"), [
    ("it_contacts", [1, 2]), ("it_contacts", {"navn": "Ida"}),
    ("missing_documentation", 7), ("recommendations", ["a"]),
])
def test_optional_fields_must_have_their_shape(board_member, at_6, field, value):
    with pytest.raises(ValidationFailed) as info:
        decide(board_member, at_6, 6, "yes", **{field: value})
    assert set(info.value.errors) == {field}


def test_a_gate_whose_steps_are_not_done_is_not_ready(coordinator, case):
    before = everything(case)
    with pytest.raises(GateNotReady) as info:
        decide(coordinator, case, 6, "yes")
    assert info.value.code == "gate_not_ready"
    assert everything(case) == before


def test_gate_18_is_not_open_before_6_and_7(coordinator, case):
    with pytest.raises(StepNotOpen):
        decide(coordinator, case, 18, "yes")


def test_a_gate_decided_ja_cannot_be_decided_again(board_member, at_6):
    decide(board_member, at_6, 6, "yes")
    with pytest.raises(InvalidTransition) as info:
        decide(board_member, at_6, 6, "yes")
    assert info.value.code == "invalid_transition"
    assert Decision.objects.filter(case=at_6).count() == 1


def test_a_stale_gate_version_is_a_conflict(board_member, at_6):
    decide(board_member, at_6, 6, "maybe")
    with pytest.raises(Conflict):
        decide(board_member, at_6, 6, "no", version=1)
    assert fresh(at_6).status == "active"


def test_a_case_of_another_organisation_is_not_found(outsider, at_6):
    with pytest.raises(NotFound):
        decide(outsider, at_6, 6, "yes")
    assert Decision.objects.count() == 0


def test_a_coordinator_may_not_decide_the_boards_gate(coordinator, at_6):
    from anskaf.cases.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="IT-visitationen"):
        services.decision_record(actor=coordinator, case_id=at_6.pk, step=6, outcome="yes",
                                 rationale="Begrundelse")
    assert Decision.objects.count() == 0
