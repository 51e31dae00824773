"""Another municipality's model (issue 15): one more step in front, so every number moves by one,
and a board step under its own key bound by kind. The apps find their steps by key or kind and
go on working; a model without the board's steps leaves the meetings silent, not broken.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from ruamel.yaml import YAML

from anskaf import testing
from anskaf.cases.models import StepState
from anskaf.cases.process_models import model_for, store_version
from anskaf.meetings import services as meetings
from anskaf.meetings.models import Referral
from anskaf.meetings.testing import put_on_agenda, ready_case, schedule
from anskaf.portfolio.models import CaseSystem, LinkKind
from anskaf.process.loader import DEFAULT_MODEL_PATH, load_text

pytestmark = pytest.mark.django_db

INTAKE = {
    "number": 1, "key": "intake", "phase": 1,
    "title": {"da": "Henvendelsen registreres", "en": "The request is registered"},
    "description": {"da": "Koordinatoren registrerer henvendelsen.",
                    "en": "The coordinator registers the request."},
    "performers": {"text": "Den koordinerende funktion", "roles": [{"role": "coordinator"}]},
}


def _shift(numbers: Any) -> list[int]:
    return [n + 1 for n in numbers]


def _dump(data: Any) -> str:
    out = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.dump(data, out)
    return out.getvalue()


def renumbered_model(*, review_key: str | None = None, drop_board: bool = False) -> str:
    """The shipped model with one step more in front: every number is one higher. With
    `review_key`, the board's meeting is renamed and bound by `kind: board_review` instead; with
    `drop_board`, the board's meeting and gate lose their keys' meaning (renamed, no kind)."""
    data = YAML(typ="rt").load(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    data["key"] = "naboby"
    for step in data["steps"]:
        step["number"] += 1
        if "requires" in step:
            step["requires"] = _shift(step["requires"])
        if "until_started" in step.get("not_relevant", {}):
            step["not_relevant"]["until_started"] = _shift(step["not_relevant"]["until_started"])
        gate = step.get("gate")
        if gate is not None:
            gate["rests_on"] = [1, *_shift(gate["rests_on"])]
            for outcome in gate["outcomes"].values():
                if "reopen" in outcome:
                    outcome["reopen"] = _shift(outcome["reopen"])
        if step["key"] == "it_board_meeting" and review_key:
            step["key"] = review_key
            step["kind"] = "board_review"
        if drop_board and step["key"] in ("it_board_meeting", "it_board_decision"):
            step["key"] = "council_" + step["key"]
    for phase in data["phases"]:
        phase["steps"] = ([1] if phase["number"] == 1 else []) + _shift(phase["steps"])
    data["segments"] = [([1] if i == 0 else []) + _shift(s) for i, s in enumerate(data["segments"])]
    data["operation_step"] += 1
    data["steps"].insert(0, INTAKE)
    return _dump(data)


@pytest.fixture
def renumbered(org: Any) -> Any:
    """The organisation runs on the renumbered model (new cases start on it)."""
    return store_version(content=renumbered_model(review_key="it_council_meeting"),
                         organisation_id=org.pk)


def _state(case: Any, number: int) -> StepState:
    return StepState.objects.get(case=case, number=number)


def test_the_renumbered_model_is_valid_and_moves_every_number() -> None:
    model = load_text(renumbered_model(review_key="it_council_meeting"))
    assert len(model.steps) == 22
    assert model.step_by_key("contract_in_place").number == 13
    assert model.step_of_kind("board_review").number == 6
    assert model.step_by_key("it_board_decision").number == 7


def test_the_board_completes_the_review_bound_by_kind_and_decides_its_gate(
        renumbered, coordinator, board_member) -> None:
    case = ready_case(coordinator)
    assert model_for(case).key == "naboby"
    assert _state(case, 5).status == "done" and _state(case, 6).status != "done"
    meeting = schedule(board_member)
    item = put_on_agenda(board_member, coordinator, case, meeting)
    assert Referral.objects.get(case=case).documentation_done_at is not None  # step 5 here
    meetings.meeting_publish(actor=board_member, meeting_id=meeting.pk)
    decision = meetings.outcome_record(actor=board_member, item_id=item.pk, outcome="yes",
                                       rationale="Godt")
    assert decision.step == 7
    assert _state(case, 6).status == "done" and _state(case, 7).status == "done"
    client = Client()
    client.force_login(board_member)
    page = client.get(f"/it-visitationen/moeder/{meeting.pk}/")
    assert page.status_code == 200
    assert "Dokumentation (trin 5)" in page.content.decode()


def test_a_case_that_is_not_ready_names_the_models_own_numbers(renumbered, coordinator) -> None:
    from anskaf.cases.errors import InvalidTransition

    case = testing.new_case(coordinator)
    with pytest.raises(InvalidTransition, match="Trin 1, 2, 3, 4, 5 skal"):
        meetings.case_put_forward(actor=coordinator, case_id=case.pk)


def test_the_portfolio_follows_the_contract_step_under_its_new_number(
        renumbered, coordinator) -> None:
    case = testing.new_case(coordinator, candidate_system="Nyt Økonomi", supplier_name="KMD")
    testing.advance(coordinator, case, through=12)  # the DPA step, which was 11
    assert not CaseSystem.objects.filter(case=case).exists()
    testing.advance(coordinator, case, through=13)  # the contract, which was 12
    system = CaseSystem.objects.get(case=case, kind=LinkKind.ACQUIRED).system
    assert system.lifecycle == "PhasingIn"


def test_the_case_page_shows_the_panels_on_the_models_own_steps(renumbered, coordinator) -> None:
    case = testing.new_case(coordinator)
    client = Client()
    client.force_login(coordinator)
    html = testing.page_with_parts(client, f"/sager/{case.pk}/", opened=True)
    assert 'id="portefoelje-trin-3"' in html  # the system search, on the needs analysis
    assert 'id="portefoelje-trin-2"' not in html
    # The board's section shows once the case may go to the board (the documentation step is
    # number 5 here); before that it has nothing to add and is left out (issue 20).
    assert 'id="it-visitationen"' not in html
    testing.advance(coordinator, case, through=5)
    assert 'id="it-visitationen"' in testing.page_with_parts(client, f"/sager/{case.pk}/")


def test_without_the_boards_steps_the_meetings_stay_silent(org, coordinator) -> None:
    store_version(content=renumbered_model(drop_board=True), organisation_id=org.pk)
    case = testing.new_case(coordinator)
    client = Client()
    client.force_login(coordinator)
    testing.advance(coordinator, case, through=5)  # where the board's section would show
    assert 'id="it-visitationen"' not in testing.page_with_parts(client, f"/sager/{case.pk}/")
    from anskaf.cases.errors import InvalidTransition

    with pytest.raises(InvalidTransition, match="ingen trin for IT-visitationen"):
        meetings.case_put_forward(actor=coordinator, case_id=case.pk)


def test_model_validate_names_what_a_model_leaves_silent(tmp_path: Path) -> None:
    path = tmp_path / "naboby.yaml"
    path.write_text(renumbered_model(drop_board=True), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "anskaf.cli", "model", "validate", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "OK:" in result.stdout
    warnings = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert any("'board_review' or key 'it_board_meeting'" in w and "IT-visitation meetings" in w
               for w in warnings), result.stdout
    assert any("'it_board_decision'" in w for w in warnings)
    shipped = subprocess.run([sys.executable, "-m", "anskaf.cli", "model", "validate",
                              str(DEFAULT_MODEL_PATH)], capture_output=True, text=True, check=False)
    assert shipped.returncode == 0 and "warning:" not in shipped.stdout
