"""Bring an ongoing acquisition in from its filled-in Word guide (issue 17 item 5, ADR 0033).

`guide_import_preview` reads the file and plans (stores nothing); `guide_import` does what the
plan says in one transaction: the case (`case_create`), its steps done / not relevant / in
progress by the importer today, gate decisions "registreret ved import fra Word" with the
outcome the importer named, the remarks, the .docx kept as a document of the case's first step,
and the audit event `case.imported`. A plan with a refusal imports nothing (409).
Coordinators and the municipality's admins may import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any, cast

from django.db import transaction
from django.utils import timezone

from anskaf.audit.services import audit_append
from anskaf.cases import services as case_services
from anskaf.cases.errors import PermissionDenied, ValidationFailed
from anskaf.cases.inputs import CaseData, case_values
from anskaf.cases.models import Decision, StepState
from anskaf.cases.process_models import current_version, model_for, model_of
from anskaf.cases.services import acting_role, refresh_summary
from anskaf.orgs.models import User
from anskaf.process.engine import StepStatus

from .models import Document, DocumentVersion
from .permissions import import_refusal
from .storage import discard, document_storage, new_name, save_or_clean
from .word_import import (
    DECIDE,
    DONE,
    IN_PROGRESS,
    NOT_RELEVANT,
    ImportRefused,
    Plan,
    make_plan,
    read_upload,
)

IMPORTED_RATIONALE = "Registreret ved import fra Word-vejledningen."
DOCUMENT_TYPE = "imported_guide"  # not a type of the model: shown with the step's other files
FIRST_VERSION = 1  # the kept .docx is the document's first version
DEFAULT_TEXT = "Se den importerede Word-vejledning ({name})."


@dataclass(frozen=True)
class Preview:
    plan: Plan
    name: str
    size: int
    sha256: str


def guide_import_preview(*, actor: User, fileobj: IO[bytes], name: Any, size: int | None = None,
                         replaces_system: bool | None = None,
                         outcomes: dict[str, str] | None = None) -> Preview:
    """Read and plan; nothing is stored. 403, then 400 (BadFile) for a file that is no guide."""
    if (refusal := import_refusal(actor)) is not None:
        raise PermissionDenied(refusal)
    read, checked = read_upload(fileobj, name, size)
    model = model_of(current_version(actor.organisation_id))
    plan = make_plan(model, read, replaces_system=replaces_system, outcomes=outcomes)
    return Preview(plan, checked.name, checked.size, checked.sha256)


def _case_data(preview: Preview, data: dict[str, Any]) -> CaseData:
    plan = preview.plan
    default = DEFAULT_TEXT.format(name=preview.name)
    title = data.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        title = plan.read.title or preview.name.rsplit(".", 1)[0].strip()[:200]
    clean: dict[str, Any] = {"title": title, "replaces_system": plan.replaces_system}
    for key in ("need", "strategic_fit", "user_impact"):
        value = data.get(key)
        clean[key] = default if value is None or (isinstance(value, str) and not value.strip()) \
            else value
    if data.get("unit") is not None:
        clean["unit"] = data["unit"]
    return cast(CaseData, clean)


def guide_import(*, actor: User, fileobj: IO[bytes], name: Any, size: int | None = None,
                 data: dict[str, Any] | None = None, replaces_system: bool | None = None,
                 outcomes: dict[str, str] | None = None,
                 expected_sha256: str | None = None) -> Any:
    """Create the case from the guide, or refuse and store nothing. `data`: the case's title
    (else the export's heading) and, optionally, need / strategic_fit / user_impact / unit.
    `expected_sha256`: the file the preview showed (a different file is refused)."""
    preview = guide_import_preview(actor=actor, fileobj=fileobj, name=name, size=size,
                                   replaces_system=replaces_system, outcomes=outcomes)
    if expected_sha256 and expected_sha256 != preview.sha256:
        raise ValidationFailed({"file": "Filen er ikke den samme som i forhåndsvisningen. "
                                        "Vælg den samme fil igen, eller se den nye fil først."})
    plan = preview.plan
    _refuse_unless_ok(plan)
    storage = document_storage()
    object_name = new_name(actor.organisation_id, "imports")  # type: ignore[arg-type]
    try:
        with transaction.atomic():
            case = case_services.case_create(actor=actor, data=case_values(
                _case_data(preview, data or {}), creating=True))
            # The plan again on the version the case really started on (the preview read the
            # municipality's current one; a unit's own model would differ).
            plan = make_plan(model_for(case), plan.read, replaces_system=plan.replaces_system,
                             outcomes=outcomes)
            _refuse_unless_ok(plan)
            _write(case, plan, actor)
            fileobj.seek(0)
            save_or_clean(storage, object_name, fileobj)
            first = plan.model.first_step.number
            document = Document.objects.create(
                organisation_id=case.organisation_id, case=case, step=first,
                type_key=DOCUMENT_TYPE, title=preview.name, created_by=actor)
            DocumentVersion.objects.create(
                document=document, number=FIRST_VERSION, storage_name=object_name,
                original_name=preview.name, size=preview.size, sha256=preview.sha256,
                content_type="application/vnd.openxmlformats-officedocument."
                             "wordprocessingml.document",
                uploaded_by=actor, uploaded_at=timezone.now())
            audit_append(
                organisation_id=case.organisation_id, actor=actor,
                actor_role=acting_role(actor, ("coordinator", "admin")),
                event_type="case.imported", object_id=case.pk,
                case_id=case.pk, before=None, after={
                    "name": preview.name, "sha256": preview.sha256, "size": preview.size,
                    "layout": plan.read.layout, "document": document.pk,
                    "replaces_system": plan.replaces_system, "counts": plan.counts(),
                    "steps": {s.number: s.action for s in plan.steps if s.action != "nothing"},
                    "decisions": {s.number: s.outcome for s in plan.steps if s.outcome},
                    "remarks": [s.number for s in plan.steps if s.remarks],
                    "replaced_characters": [s.number for s in plan.steps if s.remarks_replaced],
                    "notes": plan.notes})
    except BaseException:
        discard(storage, object_name)
        raise
    return case


def _refuse_unless_ok(plan: Plan) -> None:
    if not plan.ok:
        lines = "; ".join(f"trin {s.number}: {s.refusal}" for s in plan.refusals)
        raise ImportRefused(f"Sagen kan ikke importeres, før dette er rettet – {lines}")


def _write(case: Any, plan: Plan, actor: User) -> None:
    states = {s.number: s for s in StepState.objects.select_for_update().filter(case=case)}
    now = timezone.now()
    for item in plan.steps:
        state = states[item.number]
        changed = False
        if item.remarks:
            state.remarks, changed = item.remarks, True
        if item.checked:
            state.checked, changed = list(item.checked), True
        status = plan.snapshot.steps[item.number]
        if item.action in (DONE, DECIDE, NOT_RELEVANT, IN_PROGRESS) and state.status != status:
            state.status, changed = status.value, True
            if status == StepStatus.DONE:
                state.completed_by, state.completed_at = actor, now
            if status == StepStatus.NOT_RELEVANT:
                state.not_relevant_reason = item.reason
        if item.action == DECIDE and item.outcome is not None:
            step = plan.model.step(item.number)
            assert step.gate is not None
            Decision.objects.create(
                case=case, step=item.number, round=plan.snapshot.rounds.get(item.number, 1),
                outcome=item.outcome, rationale=IMPORTED_RATIONALE, decided_by=actor,
                decided_role=acting_role(actor, step.gate.deciding_roles), decided_at=now)
        if changed:
            state.version += 1
            state.save()
    case.status = plan.snapshot.status.value
    case.updated_at = now
    refresh_summary(case, plan.model, plan.snapshot)
    case.save()
