"""Bringing an ongoing acquisition in from its Word guide (issue 17 item 5, ADR 0033): both
layouts read, rows matched by title despite spelling variants, the rules kept, one
transaction, the round trip of anskaf's own export, and bad files refused storing nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases import services
from anskaf.cases.errors import PermissionDenied
from anskaf.cases.models import Case, Decision, StepState
from anskaf.cases.process_models import current_model, model_for
from anskaf.documents.guide import build_guide, guide_docx
from anskaf.documents.guide_import import (
    IMPORTED_RATIONALE,
    guide_import,
    guide_import_preview,
)
from anskaf.documents.models import Document, DocumentVersion
from anskaf.documents.validation import BadFile
from anskaf.documents.word_import import ImportRefused, read_docx, status_of
from anskaf.process.engine import StepStatus

from .conftest import stored_names

pytestmark = pytest.mark.django_db

# The guide's own spellings where they differ from the model's titles (and a typo or two).
VARIANTS = {
    "need_reported": "Behov/ønske meldes ind til koordinerede funktion",
    "documentation_collected": "Dokumentation samles. Kontakt IT-visitationen",
    "technical_setup": "Teknisk opsætning ",
    "in_operation": "Det nye IT-system er i drift/klar til ibrugtagning",
}


def seed_guide(model, done: dict[str, str], remarks: dict[str, str] | None = None,
               heading: str = "Guide til Styrings- og samarbejdsmodel for anskaffelse af "
                              "IT-systemer") -> bytes:
    """A filled-in guide in the seed's layout: five columns, the remarks inside the
    description cell after "Egne bemærkninger:"."""
    from docx import Document as Docx

    remarks = remarks or {}
    doc = Docx()
    doc.add_paragraph(heading)
    table = doc.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, ("Nr.", "Trin", "Beskrivelse",
                                               "Udfører/interessenter", "Gennemført\nja/nej"),
                          strict=True):
        cell.text = text
    for step in model.steps:
        if step.number == model.phases[-1].steps[0]:  # the guide's own heading of a phase
            merged = table.add_row().cells
            merged[0].merge(merged[4]).text = "Overgang til drift"
        cells = table.add_row().cells
        cells[0].text = str(step.number)
        cells[1].text = VARIANTS.get(step.key, step.title.da)
        cells[2].text = (f"{step.description.da}\nEgne bemærkninger: "
                         f"{remarks.get(step.key, '')}")
        cells[3].text = step.performers_text
        cells[4].text = done.get(step.key, "")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def model(org):
    return current_model(org.pk)


def _all_yes_until(model, last_key: str) -> dict[str, str]:
    done = {}
    for step in model.steps:
        if not step.only_when_replacing:
            done[step.key] = "Ja"
        if step.key == last_key:
            break
    return done


def _import(actor, data: bytes, name: str = "vejledning.docx", **kwargs):
    return guide_import(actor=actor, fileobj=io.BytesIO(data), name=name, size=len(data),
                        data={"title": "Nyt omsorgssystem", **kwargs.pop("data", {})}, **kwargs)


# --- reading -------------------------------------------------------------------------------------


def test_the_done_column_reads_as_a_status():
    assert status_of("Ja")[0] == StepStatus.DONE
    assert status_of(" x ")[0] == StepStatus.DONE
    assert status_of("Ja, 12/3-2026")[0] == StepStatus.DONE
    assert status_of("✓")[0] == StepStatus.DONE
    assert status_of("Nej, mangler")[0] == StepStatus.NOT_STARTED
    assert status_of("Janus")[0] == StepStatus.NOT_STARTED
    assert status_of("Nej")[0] == StepStatus.NOT_STARTED
    assert status_of("")[0] == StepStatus.NOT_STARTED
    assert status_of("Nej (i gang)")[0] == StepStatus.IN_PROGRESS
    assert status_of("Ikke relevant: ingen persondata") == (StepStatus.NOT_RELEVANT,
                                                            "ingen persondata")


def test_the_seed_layout_is_read_with_remarks_from_the_description_cell(model):
    read = read_docx(seed_guide(model, {"need_reported": "Ja"},
                                {"need_reported": "Aftalt med Karen"}))
    assert read.layout == "guide"
    assert len(read.rows) == len(model.steps)
    first = read.rows[0]
    assert first.number == model.first_step.number and first.done_text == "Ja"
    assert first.remarks == "Aftalt med Karen"


def test_preview_maps_every_row_despite_the_guides_spelling_and_stores_nothing(coordinator,
                                                                                model):
    data = seed_guide(model, _all_yes_until(model, "initial_supplier_dialogue"),
                      {"need_reported": "Behovet er meldt ind i marts"})
    preview = guide_import_preview(actor=coordinator, fileobj=io.BytesIO(data),
                                   name="guide.docx")
    plan = preview.plan
    assert plan.notes == []
    assert [s.row_title is not None for s in plan.steps] == [True] * len(model.steps)
    by_key = {s.key: s for s in plan.steps}
    assert by_key["need_reported"].row_title == VARIANTS["need_reported"]
    assert by_key["need_reported"].action == "done"
    assert by_key["need_reported"].remarks == "Behovet er meldt ind i marts"
    assert by_key["documentation_collected"].action == "nothing"
    assert plan.ok
    assert not Case.objects.exists() and not AuditEvent.objects.exists()


# --- confirming ----------------------------------------------------------------------------------


def test_confirming_creates_the_case_with_steps_done_remarks_document_and_audit(coordinator,
                                                                               model, store):
    data = seed_guide(model, _all_yes_until(model, "it_board_meeting"),
                      {"need_reported": "Behovet er meldt ind", "it_board_meeting": "Mødet 4/3"})
    case = _import(coordinator, data)
    states = {s.number: s for s in StepState.objects.filter(case=case)}
    for step in model.steps:
        state = states[step.number]
        if step.key in _all_yes_until(model, "it_board_meeting"):
            assert state.status == StepStatus.DONE, step.key
            assert state.completed_by == coordinator
            assert timezone.localdate(state.completed_at) == timezone.localdate()
    need = model.step_by_key("need_reported")
    assert states[need.number].remarks == "Behovet er meldt ind"
    [document] = Document.objects.filter(case=case)
    assert document.title == "vejledning.docx" and document.step == model.first_step.number
    version = DocumentVersion.objects.get(document=document)
    assert version.size == len(data)
    assert store.open(version.storage_name).read() == data
    event = AuditEvent.objects.get(case_id=case.pk, event_type="case.imported")
    assert event.after["name"] == "vejledning.docx"
    assert event.after["counts"]["done"] == 5
    assert audit_verify(case.organisation_id).ok


def test_a_gate_marked_done_needs_the_importer_to_name_its_outcome(coordinator, model):
    data = seed_guide(model, _all_yes_until(model, "internal_decision"))
    gate = model.step_by_key("it_board_decision")
    preview = guide_import_preview(actor=coordinator, fileobj=io.BytesIO(data), name="g.docx")
    refused = {s.key: s.refusal for s in preview.plan.refusals}
    assert "Angiv udfaldet" in refused["it_board_decision"]
    assert not preview.plan.ok
    with pytest.raises(ImportRefused):
        _import(coordinator, data)
    assert not Case.objects.exists()
    outcomes = {"it_board_decision": "yes", "internal_decision": "yes"}
    case = _import(coordinator, data, outcomes=outcomes)
    decision = Decision.objects.get(case=case, step=gate.number)
    assert decision.outcome == "yes" and decision.rationale == IMPORTED_RATIONALE
    assert decision.decided_by == coordinator
    assert case.status == "active"


def test_only_advancing_outcomes_are_offered(coordinator, model):
    data = seed_guide(model, _all_yes_until(model, "it_board_decision"))
    preview = guide_import_preview(actor=coordinator, fileobj=io.BytesIO(data), name="g.docx",
                                   outcomes={"it_board_decision": "no"})
    [gate] = preview.plan.gates
    assert [key for key, _ in gate.outcome_choices] == ["yes"]
    assert gate.refusal is not None


def test_a_contract_done_before_the_dpa_is_refused_with_the_rules_message(coordinator, model):
    done = _all_yes_until(model, "contract_in_place")
    del done["data_processing_agreement"]
    data = seed_guide(model, done)
    outcomes = {g.key: "yes" for g in model.gates}
    preview = guide_import_preview(actor=coordinator, fileobj=io.BytesIO(data), name="g.docx",
                                   outcomes=outcomes)
    [refused] = preview.plan.refusals
    contract = model.step_by_key("contract_in_place")
    dpa = model.step_by_key("data_processing_agreement")
    assert refused.key == "contract_in_place"
    assert refused.refusal == (f"Trin {contract.number} kræver, at trin {dpa.number} "
                               f"(»{dpa.title.da}«) er gennemført eller markeret som ikke "
                               "relevant.")
    with pytest.raises(ImportRefused) as caught:
        _import(coordinator, data, outcomes=outcomes)
    assert caught.value.code == "import_refused"
    assert not Case.objects.exists()


def test_control_characters_are_replaced_by_a_space_and_shown(coordinator, model):
    # XML carries no C0 controls, but DEL, C1 controls and bidi overrides it does.
    data = seed_guide(model, {"need_reported": "Ja"},
                      {"need_reported": "Aftalt\x7fmed\x9bKaren\u202eJ."})
    preview = guide_import_preview(actor=coordinator, fileobj=io.BytesIO(data), name="g.docx")
    step = preview.plan.steps[0]
    assert step.remarks == "Aftalt med Karen J." and step.remarks_replaced
    case = _import(coordinator, data)
    assert StepState.objects.get(case=case, number=step.number).remarks == "Aftalt med Karen J."


def test_only_coordinators_and_admins_may_import(org, unit, requester, model):
    data = seed_guide(model, {})
    with pytest.raises(PermissionDenied):
        guide_import_preview(actor=requester, fileobj=io.BytesIO(data), name="g.docx")
    admin = testing.make_user(org, "adm", "admin")
    assert guide_import_preview(actor=admin, fileobj=io.BytesIO(data), name="g.docx").plan.ok


# --- the round trip ------------------------------------------------------------------------------


def test_anskafs_own_export_imports_back_to_the_same_states_and_remarks(coordinator, case):
    testing.advance(coordinator, case, through=7)
    services.step_update(actor=coordinator, case_id=case.pk, number=8, remarks="Jura er med")
    services.step_update(actor=coordinator, case_id=case.pk, number=9, status="in_progress",
                         remarks="Styregruppen\nnedsættes i maj")
    services.step_update(actor=coordinator, case_id=case.pk, number=1,
                         remarks="Første bemærkning – æøå")
    dpa = model_for(case).step_by_key("data_processing_agreement")
    security = testing.make_user(case.organisation, "isk", "security", unit=case.requesting_unit)
    services.step_mark_not_relevant(actor=security, case_id=case.pk, number=dpa.number,
                                    reason="Ingen personoplysninger")
    exported = guide_docx(build_guide(viewer=coordinator, case_id=case.pk))
    read = read_docx(exported)
    assert read.layout == "anskaf" and read.title == case.title
    preview = guide_import_preview(actor=coordinator, fileobj=io.BytesIO(exported),
                                   name="Vejledning.docx")
    assert {s.key: s.suggested_outcome for s in preview.plan.gates} == {
        "it_board_decision": "yes", "internal_decision": "yes"}
    outcomes = {s.key: s.suggested_outcome for s in preview.plan.gates}
    imported = guide_import(actor=coordinator, fileobj=io.BytesIO(exported),
                            name="Vejledning.docx", data={}, outcomes=outcomes)
    assert imported.pk != case.pk and imported.title == case.title
    original = {s.number: (s.status, s.remarks, s.not_relevant_reason)
                for s in StepState.objects.filter(case=case)}
    copied = {s.number: (s.status, s.remarks, s.not_relevant_reason)
              for s in StepState.objects.filter(case=imported)}
    assert copied == original
    assert imported.status == Case.objects.get(pk=case.pk).status
    assert imported.phase == Case.objects.get(pk=case.pk).phase


# --- bad files -----------------------------------------------------------------------------------


def _refused(actor, data: bytes, name: str, size: int | None = None) -> str:
    with pytest.raises(BadFile) as caught:
        guide_import(actor=actor, fileobj=io.BytesIO(data), name=name,
                     size=len(data) if size is None else size, data={"title": "x"})
    return caught.value.message


def test_bad_files_get_a_clear_danish_error_and_store_nothing(coordinator, store, settings):
    before = stored_names(store)
    assert "ikke et Word-dokument" in _refused(coordinator, b"%PDF-1.7\n...", "guide.pdf")
    encrypted = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
                 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64)
    assert "adgangskode" in _refused(coordinator, encrypted, "guide.docx")
    old_word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert ".doc" in _refused(coordinator, old_word, "guide.doc")
    from docx import Document as Docx

    out = io.BytesIO()
    plain = Docx()
    plain.add_paragraph("Bare et brev")
    plain.add_table(rows=2, cols=2).rows[0].cells[0].text = "Navn"
    plain.save(out)
    assert "ingen tabel med vejledningens trin" in _refused(coordinator, out.getvalue(),
                                                            "brev.docx")
    assert "for stor" in _refused(coordinator, b"PK..", "guide.docx", size=50 * 1024 * 1024 + 1)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
        archive.writestr("[Content_Types].xml", "<nope/>")
    assert _refused(coordinator, broken.getvalue(), "guide.docx")
    assert stored_names(store) == before
    assert not Case.objects.exists() and not AuditEvent.objects.exists()


def test_a_failure_half_way_leaves_nothing_behind(coordinator, model, store, monkeypatch):
    from anskaf.documents import guide_import as module

    def broken_audit(**kwargs):
        raise RuntimeError("the audit chain is locked")

    monkeypatch.setattr(module, "audit_append", broken_audit)
    before = stored_names(store)
    with pytest.raises(RuntimeError):
        _import(coordinator, seed_guide(model, {"need_reported": "Ja"}))
    assert not Case.objects.exists() and not Document.objects.exists()
    assert stored_names(store) == before
