"""A template stays on its step when the municipality's model inserts a step before it
(issue 17): it is bound to the step's key, not to the number the step had at upload."""

from __future__ import annotations

import io

import pytest

from anskaf import testing
from anskaf.cases.process_models import model_for, model_publish
from anskaf.documents.selectors import case_documents
from anskaf.documents.services import template_upload
from anskaf.documents.tests.test_views import MINIMAL_PDF
from anskaf.process.tests.model_edits import insert_step, shipped

pytestmark = pytest.mark.django_db


def _templates_by_step(viewer, case) -> dict[str, list[str]]:
    model = model_for(case)
    shown = case_documents(viewer=viewer, case=case, model=model, assignees={})
    return {model.step(n).key: [t.title for t in docs.templates]
            for n, docs in shown.items() if docs.templates}


def test_a_template_keeps_its_step_when_a_step_is_inserted_before_it(org, coordinator):
    admin = testing.make_user(org, "admin", "admin")
    old = testing.new_case(coordinator, title="På 21 trin")
    contract = next(s for s in model_for(old).steps if s.key == "contract_in_place")
    f = io.BytesIO(MINIMAL_PDF)
    template_upload(actor=admin, title="Kontraktskabelon", step=contract.number, fileobj=f,
                    name="kontrakt.pdf", size=len(MINIMAL_PDF), model=model_for(old))
    model_publish(actor=admin, organisation_id=org.pk, content=insert_step(shipped(), after=3),
                  reason="Et trin mere")
    new = testing.new_case(coordinator, title="På 22 trin")
    moved = next(s for s in model_for(new).steps if s.key == "contract_in_place")
    assert moved.number == contract.number + 1
    assert _templates_by_step(coordinator, new) == {"contract_in_place": ["Kontraktskabelon"]}
    assert _templates_by_step(coordinator, old) == {"contract_in_place": ["Kontraktskabelon"]}
