"""The first step is prefilled from the create form (issue 20): the checklist items the form
answered (`answered_by:` in the model) start ticked, and the step says where the answers are
(the need at the top of the case), so nobody is asked again what the form just asked."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases import services
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_of
from anskaf.process import diff
from anskaf.process.loader import load_default, load_text
from anskaf.process.tests.test_loader import DEFAULT, line_of, the_problem

pytestmark = pytest.mark.django_db


def _first(case):
    model = model_of(case.model_version)
    return model, model.first_step, case.step_states.get(number=model.first_step.number)


def test_the_default_model_says_which_field_answers_each_question_of_the_first_step():
    model = load_default()
    assert [i.answered_by for i in model.first_step.checklist] == [
        "need", "strategic_fit", "user_impact"]
    assert all(i.answered_by is None for s in model.steps[1:] for i in s.checklist)


def test_a_new_case_has_the_first_steps_answered_items_ticked_and_audited(coordinator):
    case = testing.new_case(coordinator)
    _model, step, state = _first(case)
    assert state.checked == [i.id for i in step.checklist]
    event = AuditEvent.objects.get(case_id=case.pk, event_type="case.created")
    assert event.after["answered_checklist"] == state.checked


def test_an_empty_answer_leaves_its_item_unticked(coordinator):
    case = testing.new_case(coordinator)
    _model, step, _state = _first(case)
    blank = Case(need="Et behov", strategic_fit="   ", user_impact="")
    assert services.answered_items(step, blank) == [step.checklist[0].id]


def test_the_step_page_shows_the_answers_under_the_ticked_items(client, coordinator):
    case = testing.new_case(coordinator, need="Borgerne skal kunne booke tider selv.")
    _model, step, _state = _first(case)
    client.force_login(coordinator)
    html = client.get(f"/sager/{case.pk}/").content.decode()
    n = step.number
    assert (f'id="trin-{n}-punkt-1" name="checked" value="{step.checklist[0].id}" '
            f'aria-describedby="trin-{n}-besvaret" checked') in html
    assert (f'<legend class="form-label">Tjekliste <span class="weight-normal" '
            f'id="trin-{n}-besvaret">– besvaret ved oprettelsen (se »Behovsafdækning« '
            "øverst)</span></legend>") in html
    assert "Borgerne skal kunne booke tider selv." in html  # in the need, at the top


def test_an_unknown_answering_field_is_named_with_its_line():
    text = DEFAULT.replace("answered_by: need ", "answered_by: budget ", 1)
    problem = the_problem(text, "'answered_by' must be one of need, strategic_fit, user_impact")
    assert problem.line == line_of(text, "answered_by: budget")


def test_the_model_diff_names_a_changed_answering_field():
    old = load_default()
    new = load_text(DEFAULT.replace("        answered_by: user_impact  # the create form asks it\n",
                                    "", 1))
    lines = diff.diff_models(old, new).lines()
    assert any("besvares ikke længere ved oprettelsen" in line for line in lines), lines
