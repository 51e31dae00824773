"""The documents' panel on the case page: each open step's documents, templates and upload."""

from __future__ import annotations

from typing import Any

from anskaf.cases.panels import Panel, PanelContext, Place

from .selectors import case_documents


def documents_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The documents of the rendered steps only, in the same few queries however many."""
    assignees = {s.number: s.state.assignee_id for s in context.steps}
    documents = case_documents(viewer=context.viewer, case=context.case, model=context.model,
                               assignees=assignees, only=set(numbers))
    return {n: {"docs": documents[n]} for n in numbers if n in documents}


PANELS = [Panel("documents", Place.STEP_BODY, "documents/includes/step_documents.html",
                documents_data)]
