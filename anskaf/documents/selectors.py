"""Reading documents for the case page and the API: per step, what there is and what is missing.

One pass over a case: its documents, their versions, journal entries and the organisation's
templates (four queries whatever the number of steps or documents).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from anskaf.cases.models import StepState
from anskaf.orgs.models import User
from anskaf.process.engine import binds
from anskaf.process.model import DocumentTypeDef, ProcessModel, StepDef

from . import permissions
from .models import Document, DocumentVersion, JournalEntry, OrgTemplate


@dataclass
class DocumentView:
    document: Document
    versions: list[DocumentVersion]
    readable: bool
    journal_entries: list[JournalEntry] = field(default_factory=list)

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None


@dataclass
class TypeView:
    definition: DocumentTypeDef
    documents: list[DocumentView]
    binds: bool = True  # required, its `when` holds and it is not declared not relevant

    @property
    def missing(self) -> bool:
        return self.binds and not any(d.versions for d in self.documents)


@dataclass
class StepDocuments:
    number: int
    types: list[TypeView]
    templates: list[OrgTemplate]
    upload_refusal: str | None
    other: list[DocumentView] = field(default_factory=list)  # types the model no longer has

    @property
    def missing(self) -> list[str]:
        return [t.definition.title.da for t in self.types if t.missing]

    @property
    def has_anything(self) -> bool:
        return bool(self.types or self.templates or self.other)

    @property
    def has_list(self) -> bool:  # as StepUploads: the step has a documents block
        return self.has_anything


def case_documents(*, viewer: User, case: Any, model: ProcessModel,
                   assignees: dict[int, int | None], only: set[int] | None = None
                   ) -> dict[int, StepDocuments]:
    """Every step's documents as the viewer may see them (case visibility already checked);
    with `only`, the documents of those steps (the case page renders the open steps' bodies
    only, so it reads no more)."""
    # Plain queries rather than prefetches: the same four queries whether or not the case has
    # documents yet (the case page's query count does not grow as the case goes on).
    steps = {} if only is None else {"step__in": sorted(only)}
    documents = list(Document.objects.filter(case=case, **steps))
    of_them = {"document__case": case, **{f"document__{k}": v for k, v in steps.items()}}
    versions: dict[int, list[DocumentVersion]] = {}
    for v in (DocumentVersion.objects.filter(**of_them).select_related("uploaded_by")
              .order_by("document_id", "-number")):
        versions.setdefault(v.document_id, []).append(v)
    entries: dict[int, list[JournalEntry]] = {}
    for e in JournalEntry.objects.filter(**of_them).select_related("journalised_by"):
        entries.setdefault(e.document_id, []).append(e)
    templates = list(OrgTemplate.objects.filter(organisation_id=case.organisation_id))
    waived = _waived(case, model, only)
    by_step: dict[int, list[Document]] = {}
    for document in documents:
        by_step.setdefault(document.step, []).append(document)
    return {
        step.number: _step_documents(viewer, case, model, step, by_step.get(step.number, []),
                                     [t for t in templates if _offered_on(t, step)],
                                     assignees.get(step.number), versions, entries,
                                     waived.get(step.number, frozenset()))
        for step in model.steps if only is None or step.number in only
    }


@dataclass(frozen=True)
class UploadType:
    """A document type the step's upload offers, and whether the step still misses it."""

    definition: DocumentTypeDef
    binds: bool
    missing: bool


@dataclass(frozen=True)
class StepUploads:
    """What the open step's upload needs (the case page's first response): its types and what
    is missing, the viewer's refusal, and whether the step has a document list to load (its
    types, any document or an offered template: the read-only list is a part, ADR 0042)."""

    number: int
    types: list[UploadType]
    upload_refusal: str | None
    has_list: bool

    @property
    def missing(self) -> list[str]:
        return [t.definition.title.da for t in self.types if t.missing]


def step_uploads(*, viewer: User, case: Any, model: ProcessModel,
                 assignees: dict[int, int | None], only: set[int]) -> dict[int, StepUploads]:
    """The upload side of these steps' documents in two queries whatever their number: which
    (step, type) have a stored version, and where the municipality's templates are offered."""
    numbers = sorted(only)
    stored: set[tuple[int, str]] = set(
        DocumentVersion.objects.filter(document__case=case, document__step__in=numbers)
        .values_list("document__step", "document__type_key").distinct())
    offered = list(OrgTemplate.objects.filter(organisation_id=case.organisation_id)
                   .values_list("step_key", "step"))
    waived = _waived(case, model, only)
    shown = {}
    for step in model.steps:
        if step.number not in only:
            continue
        n, gone = step.number, waived.get(step.number, frozenset())
        types = []
        for definition in step.documents:
            bound = binds(definition, case.replaces_system, gone)
            types.append(UploadType(definition, bound, bound and (n, definition.key) not in stored))
        has_list = bool(types or any(s == n for s, _ in stored) or any(
            (key == step.key) if key else (number == n) for key, number in offered))
        shown[n] = StepUploads(n, types, permissions.upload_refusal(
            viewer, case, model, step, assignees.get(n)), has_list)
    return shown


def documents_signature(viewer: User, case: Any, model: ProcessModel,
                        assignees: dict[int, int | None]) -> tuple[bool, ...]:
    """The viewer's answers the document list shows: per step, may they read its confidential
    documents (the other types are readable by whoever sees the case)."""
    return tuple(permissions.read_refusal(viewer, case, step, None, assignees.get(step.number))
                 is None for step in model.steps)


def _waived(case: Any, model: ProcessModel, only: set[int] | None) -> dict[int, frozenset[str]]:
    """The requirements declared not relevant, per step: from the case's prefetched step
    states when the page has them, else one query, and none when no step can have any."""
    numbers = {s.number for s in model.steps if any(d.condition.waivable for d in s.documents)
               and (only is None or s.number in only)}
    if not numbers:
        return {}
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("step_states")
    states = (prefetched if prefetched is not None else
              StepState.objects.filter(case=case, number__in=numbers).only("number", "waived"))
    return {s.number: frozenset(s.waived) for s in states if s.number in numbers and s.waived}


def _offered_on(template: OrgTemplate, step: StepDef) -> bool:
    """A template belongs to its step by key (numbers move when a model inserts a step); one
    uploaded before keys were kept goes by its number."""
    return template.step_key == step.key if template.step_key else template.step == step.number


def _step_documents(viewer: User, case: Any, model: ProcessModel, step: StepDef,
                    documents: Iterable[Document], templates: list[OrgTemplate],
                    assignee_id: int | None, versions: dict[int, list[DocumentVersion]],
                    entries: dict[int, list[JournalEntry]],
                    waived: frozenset[str] = frozenset()) -> StepDocuments:
    types = []
    known = {d.key for d in step.documents}
    for definition in step.documents:
        readable = permissions.read_refusal(viewer, case, step, definition, assignee_id) is None
        views = [DocumentView(d, versions.get(d.pk, []), readable, entries.get(d.pk, []))
                 for d in documents if d.type_key == definition.key]
        types.append(TypeView(definition, views,
                              binds(definition, case.replaces_system, waived)))
    other_readable = permissions.read_refusal(viewer, case, step, None, assignee_id) is None
    other = [DocumentView(d, versions.get(d.pk, []), other_readable) for d in documents
             if d.type_key not in known]
    return StepDocuments(step.number, types, templates,
                         permissions.upload_refusal(viewer, case, model, step, assignee_id), other)


@dataclass
class StepFile:
    document: Document
    latest: DocumentVersion | None
    type_title: str
    readable: bool


def step_files(*, viewer: User, steps: Iterable[tuple[Any, int]]) -> dict[int, list[StepFile]]:
    """One step's documents on each of several cases (`(case, step number)` pairs: the board's
    documentation step on an agenda), newest version each.

    Two queries whatever the number of cases; confidential types are listed but marked
    unreadable for those who may not open them (the download checks again on every request).
    """
    from anskaf.cases.process_models import models_for

    wanted = {case.pk: (case, number) for case, number in steps}
    condition = Q(pk__in=[])
    for pk, (_case, number) in wanted.items():
        condition |= Q(case_id=pk, step=number)
    documents = list(Document.objects.filter(condition)
                     .order_by("case_id", "type_key", "title", "id")) if wanted else []
    latest: dict[int, DocumentVersion] = {}
    for version in (DocumentVersion.objects.filter(document__in=documents)
                    .order_by("document_id", "-number")):
        latest.setdefault(version.document_id, version)
    models = models_for(case.model_version_id for case, _n in wanted.values())
    files: dict[int, list[StepFile]] = {pk: [] for pk in wanted}
    for document in documents:
        case, number = wanted[document.case_id]
        model = models[case.model_version_id]
        step_def = model.step(number) if model.has_step(number) else None
        doc_type = step_def.document_type(document.type_key) if step_def else None
        readable = permissions.read_refusal(viewer, case, step_def, doc_type) is None
        files[case.pk].append(StepFile(document, latest.get(document.pk),
                                       doc_type.title.da if doc_type else document.type_key,
                                       readable))
    return files
