"""The discussion's panel on the case page: the comments, oldest first, and the form."""

from __future__ import annotations

from typing import Any

from anskaf.cases.panels import Panel, PanelContext, Place

from . import selectors


def discussion_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    case = context.case
    return {0: {"discussion": {
        "comments": selectors.comments_of(case),
        "people": selectors.people_on_case(case, context.viewer),
        "steps": [(s.number, s.definition.title.da) for s in context.steps],
        "viewer_id": context.viewer.pk,
    }}}


PANELS = [Panel("discussion", Place.CASE, "discussion/includes/case_comments.html",
                discussion_data)]
