"""The documents' panels on the case page. On each open step, where the user acts: what is
missing and the upload (joined to the step's form). The documents themselves, their versions,
journal entries and the templates, are a read-only part loaded after the first response
(`/sager/<pk>/dele/dokumenter/?trin=N`, ADR 0042), placed by the upload's panel."""

from __future__ import annotations

from typing import Any

from anskaf.audit.selectors import chain_version
from anskaf.cases.models import StepState
from anskaf.cases.panels import Lazy, Panel, PanelContext, Place
from anskaf.orgs.permissions import memo

from .selectors import case_documents, documents_signature, step_uploads


def _assignees(context: PanelContext) -> dict[int, int | None]:
    """Who each step is assigned to: from the page's step views, else one query."""
    if context.steps and all(hasattr(s, "state") for s in context.steps):
        return {s.number: s.state.assignee_id for s in context.steps}
    case = context.case  # a part reads them for its signature and, on a miss, its data: once
    return memo("step_assignees", case.pk, lambda: dict(
        StepState.objects.filter(case=case).values_list("number", "assignee_id")))


def uploads_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The open steps' upload side, in two queries however many; the list is a placeholder.
    A page that renders parts in place (the step's own page) gets the list with it, in the
    list's four queries (the upload reads what it needs from them)."""
    if context.inline_parts:
        documents = case_documents(viewer=context.viewer, case=context.case,
                                   model=context.model, assignees=_assignees(context),
                                   only=set(numbers))
        return {n: {"uploads": documents[n], "docs": documents[n]} for n in numbers
                if n in documents and documents[n].has_list}
    uploads = step_uploads(viewer=context.viewer, case=context.case, model=context.model,
                           assignees=_assignees(context), only=set(numbers))
    return {n: {"uploads": uploads[n], "list_part": DOCUMENT_LIST.lazy, "list_query": f"trin={n}"}
            for n in numbers if n in uploads and uploads[n].has_list}


def document_list_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The documents of the part's steps (four queries however many), steps with none left out."""
    documents = case_documents(viewer=context.viewer, case=context.case, model=context.model,
                               assignees=_assignees(context), only=set(numbers))
    return {n: {"docs": documents[n]} for n in numbers
            if n in documents and documents[n].has_anything}


def document_list_version(context: PanelContext) -> Any:
    """The documents, versions and journal entries (audited with the case) and the
    municipality's templates (audited in its chain): the organisation's chain head."""
    return chain_version(context.case.organisation_id)


def document_list_signature(context: PanelContext) -> Any:
    return documents_signature(context.viewer, context.case, context.model, _assignees(context))


DOCUMENT_LIST = Panel(
    "document_list", Place.STEP_PART, "documents/includes/step_document_list.html",
    document_list_data,
    lazy=Lazy("dokumenter", "Vis trinnets dokumenter", document_list_version,
              document_list_signature, title="Dokumenter", needs_steps=False))

PANELS = [Panel("documents", Place.STEP_BODY, "documents/includes/step_documents.html",
                uploads_data),
          DOCUMENT_LIST]
