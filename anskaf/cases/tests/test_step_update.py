"""services.step_update: remarks, checklist and "in progress", on any applicable step."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import services
from anskaf.cases.errors import (
    CaseClosed,
    Conflict,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from anskaf.testing import decider_for

from .helpers import event_types, everything, fresh, last_event, step

pytestmark = pytest.mark.django_db


def patch(actor, case, number, **kwargs):
    return services.step_update(actor=actor, case_id=case.pk, number=number, **kwargs)


def test_remarks_are_saved_and_the_step_version_goes_up(coordinator, case):
    patch(coordinator, case, 2, remarks="Vi har talt med Aabenraa om deres erfaringer.")
    state = step(case, 2)
    assert state.remarks == "Vi har talt med Aabenraa om deres erfaringer."
    assert state.version == 2
    assert state.status == "not_started"


def test_remarks_are_audited_before_and_after(coordinator, case):
    patch(coordinator, case, 2, remarks="Første udkast")
    event = last_event(case)
    assert event.event_type == "step.updated"
    assert event.object_id == f"{case.pk}:2"
    assert event.before["remarks"] == ""
    assert event.after["remarks"] == "Første udkast"
    assert event.after["version"] == 2


def test_checklist_items_are_ticked_and_kept_in_model_order(coordinator, case):
    # The create form answered all three (test_first_step_prefilled): start from none ticked.
    patch(coordinator, case, 1, checklist=[{"id": i, "done": False} for i in ("1.1", "1.2", "1.3")])
    assert step(case, 1).checked == []
    patch(coordinator, case, 1, checklist=[{"id": "1.3", "done": True},
                                           {"id": "1.1", "done": True}])
    assert step(case, 1).checked == ["1.1", "1.3"]
    patch(coordinator, case, 1, checklist=[{"id": "1.3", "done": False},
                                           {"id": "1.2", "done": True}])
    assert step(case, 1).checked == ["1.1", "1.2"]


def test_an_unknown_checklist_id_is_refused(coordinator, case):
    before = everything(case)
    with pytest.raises(ValidationFailed) as info:
        patch(coordinator, case, 1, checklist=[{"id": "2.1", "done": True}])
    assert set(info.value.errors) == {"checklist"}
    assert "'2.1'" in info.value.errors["checklist"]
    assert everything(case) == before


@pytest.mark.parametrize("checklist", [
    "1.1", [{"id": "1.1"}], [{"id": "1.1", "done": "ja"}], ["1.1"], {"id": "1.1", "done": True},
])
def test_a_malformed_checklist_is_refused(coordinator, case, checklist):
    with pytest.raises(ValidationFailed) as info:
        patch(coordinator, case, 1, checklist=checklist)
    assert set(info.value.errors) == {"checklist"}


@pytest.mark.parametrize("bad_id", [["1.1"], {"id": "1.1"}])
def test_a_checklist_id_that_is_not_text_is_refused(coordinator, case, bad_id):
    with pytest.raises(ValidationFailed) as info:
        patch(coordinator, case, 1, checklist=[{"id": bad_id, "done": True}])
    assert set(info.value.errors) == {"checklist"}


def test_remarks_must_be_text(coordinator, case):
    with pytest.raises(ValidationFailed) as info:
        patch(coordinator, case, 1, remarks=["ikke", "tekst"])
    assert set(info.value.errors) == {"remarks"}


def test_remarks_longer_than_20000_characters_are_refused(coordinator, case):
    with pytest.raises(ValidationFailed):
        patch(coordinator, case, 1, remarks="x" * 20001)
    patch(coordinator, case, 1, remarks="x" * 20000)


def test_a_step_can_be_set_in_progress_from_not_started(coordinator, case):
    patch(coordinator, case, 3, status="in_progress")
    state = step(case, 3)
    assert state.status == "in_progress"
    assert state.version == 2
    assert fresh(case).steps_in_progress == [3]


def test_setting_in_progress_alone_is_audited_as_started(coordinator, case):
    patch(coordinator, case, 3, status="in_progress")
    event = last_event(case)
    assert event.event_type == "step.started"
    assert (event.before["status"], event.after["status"]) == ("not_started", "in_progress")


def test_remarks_with_a_nul_character_are_refused(coordinator, case):
    with pytest.raises(ValidationFailed) as info:
        patch(coordinator, case, 1, remarks="a\x00b")
    assert set(info.value.errors) == {"remarks"}


def test_a_later_step_can_be_started_ahead_of_its_segment(coordinator, case):
    patch(coordinator, case, 15, status="in_progress", remarks="Vi forbereder opsætningen.")
    state = step(case, 15)
    assert state.status == "in_progress"
    assert state.remarks == "Vi forbereder opsætningen."
    assert state.version == 2  # one write, one version


def test_in_progress_is_refused_on_a_step_already_in_progress(coordinator, case):
    patch(coordinator, case, 3, status="in_progress")
    with pytest.raises(InvalidTransition) as info:
        patch(coordinator, case, 3, status="in_progress")
    assert info.value.code == "invalid_transition"


def test_in_progress_is_refused_on_a_done_step(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=3)
    before = everything(case)
    with pytest.raises(InvalidTransition):
        patch(coordinator, case, 3, status="in_progress", remarks="Tilbage igen")
    assert everything(case) == before


@pytest.mark.parametrize("status", ["done", "not_relevant", "not_started", "afsluttet"])
def test_no_other_status_can_be_set_by_an_update(coordinator, case, status):
    with pytest.raises(ValidationFailed) as info:
        patch(coordinator, case, 3, status=status)
    assert set(info.value.errors) == {"status"}


def test_a_done_steps_remarks_and_checklist_stay_editable(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    patch(coordinator, case, 1, remarks="Tilføjet efter afslutning",
          checklist=[{"id": "1.2", "done": False}])
    state = step(case, 1)
    assert state.status == "done"
    assert state.remarks == "Tilføjet efter afslutning"
    assert state.checked == ["1.1", "1.3"]
    assert state.completed_by == coordinator


def test_a_not_relevant_step_cannot_be_worked_on(coordinator, case):
    with pytest.raises(InvalidTransition) as info:
        patch(coordinator, case, 13, remarks="Noget")
    assert "ikke relevant" in info.value.message


def test_a_stale_version_is_a_conflict(coordinator, case):
    patch(coordinator, case, 2, remarks="A", version=1)
    before = everything(case)
    with pytest.raises(Conflict) as info:
        patch(coordinator, case, 2, remarks="B", version=1)
    assert info.value.code == "conflict"
    assert "Trin 2" in info.value.message
    assert everything(case) == before
    patch(coordinator, case, 2, remarks="B", version=2)
    assert step(case, 2).remarks == "B"


def test_the_version_is_checked_per_step(coordinator, case):
    patch(coordinator, case, 2, remarks="A", version=1)
    patch(coordinator, case, 3, remarks="A", version=1)


def test_an_update_that_changes_nothing_writes_nothing(coordinator, case):
    patch(coordinator, case, 2, remarks="A")
    before = everything(case)
    patch(coordinator, case, 2, remarks="A", checklist=[{"id": "2.1", "done": False}])
    assert everything(case) == before


def test_an_update_is_one_audit_event(coordinator, case):
    patch(coordinator, case, 2, remarks="A", checklist=[{"id": "2.1", "done": True}],
          status="in_progress")
    assert event_types(case) == ["case.created", "step.updated"]
    event = last_event(case)
    assert event.before["status"] == "not_started"
    assert event.after["status"] == "in_progress"
    assert event.after["checked"] == ["2.1"]


@pytest.mark.parametrize("number", [0, 22, "x", None])
def test_an_unknown_step_is_not_found(coordinator, case, number):
    with pytest.raises(NotFound):
        patch(coordinator, case, number, remarks="x")


def test_a_case_of_another_organisation_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        patch(outsider, case, 1, remarks="x")


def test_an_in_operation_case_can_still_be_worked_on(coordinator):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=20)
    patch(coordinator, case, 21, status="in_progress", remarks="Arkivering aftalt")
    assert step(case, 21).status == "in_progress"


def test_a_rejected_case_cannot_be_worked_on(coordinator, case):
    testing.advance(coordinator, case, through=5)
    services.decision_record(actor=decider_for(case, 6), case_id=case.pk, step=6, outcome="no",
                             rationale="Nej")
    with pytest.raises(CaseClosed):
        patch(coordinator, case, 1, remarks="x")
