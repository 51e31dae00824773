"""Issue 20/21.7: a step is one form. "Gem og gennemfør" saves the remarks and ticks with the
completion in one service call; a stale save shows the newer state and keeps what was typed."""

from __future__ import annotations

import re

from anskaf.audit.models import AuditEvent
from anskaf.cases import services
from anskaf.cases.models import StepState


def test_complete_saves_remarks_and_ticks_with_the_completion(client, case, coordinator):
    client.force_login(coordinator)
    first = StepState.objects.get(case=case, number=1)
    ids = services.checklist_ids(case_model(case).step(1), first)
    response = client.post(f"/sager/{case.pk}/trin/1/gennemfoer/",
                           {"remarks": "Behovet er beskrevet", "checked": ids,
                            "version": str(first.version)})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "done"
    assert first.remarks == "Behovet er beskrevet"
    assert first.checked == ids
    event = AuditEvent.objects.filter(event_type="step.completed").latest("seq")
    assert event.after["saved"]["remarks"] == "Behovet er beskrevet"  # one event, one move
    assert not AuditEvent.objects.filter(event_type="step.updated", case_id=case.pk).exists()


def test_a_refused_completion_saves_nothing(client, case, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/sager/{case.pk}/trin/8/gennemfoer/",
                           {"remarks": "For tidligt"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "For tidligt" in response.content.decode()
    assert StepState.objects.get(case=case, number=8).remarks == ""


def test_a_stale_save_shows_the_newer_state_and_keeps_the_typing(client, case, coordinator):
    services.step_update(actor=coordinator, case_id=case.pk, number=1, remarks="Fra en anden")
    client.force_login(coordinator)
    response = client.post(f"/sager/{case.pk}/trin/1/gem/",
                           {"remarks": "Min egen tekst", "version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Den nyeste gemte udgave af trin 1 (version 2)" in html
    assert "Fra en anden" in html and "Min egen tekst" in html
    # The form now carries the newer version: saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in html
    assert StepState.objects.get(case=case, number=1).remarks == "Fra en anden"


def test_the_step_form_warns_before_leaving_with_unsaved_changes(client, case, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/sager/{case.pk}/").content.decode()
    assert 'id="trin-1-formular"' in html and "data-unsaved-warning" in html


def case_model(case):
    from anskaf.cases.process_models import model_for

    return model_for(case)



def test_a_refused_completion_keeps_the_remarks_and_ticks_typed(client, case, coordinator):
    """Issue 16, item 3: "Gennemfør" refused (the contract's documents are missing) saves
    neither the remarks nor the ticks, and the page comes back with both as they were typed."""
    from anskaf.testing import advance

    advance(coordinator, case, through=11)
    state = StepState.objects.get(case=case, number=12)
    ids = services.checklist_ids(case_model(case).step(12), state)
    ticked = ids[:1]
    client.force_login(coordinator)
    response = client.post(f"/sager/{case.pk}/trin/12/gennemfoer/",
                           {"remarks": "Kontrakten er underskrevet", "checked": ticked,
                            "version": str(state.version)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Kontrakten er underskrevet" in html
    boxes = dict(re.findall(r'<input[^>]*name="checked" value="([^"]+)"([^>]*)>', html))
    assert " checked" in boxes[ticked[0]]  # ticked as typed
    assert not any(" checked" in boxes[item] for item in ids[1:])  # the rest as typed: not
    state.refresh_from_db()
    assert state.status != "done" and state.remarks == "" and state.checked == []
