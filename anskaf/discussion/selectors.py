"""Reading comments: permission first (only people who may see the case see its comments),
bounded, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch

from anskaf.cases.errors import NotFound
from anskaf.cases.models import Case
from anskaf.cases.selectors import visible_cases
from anskaf.orgs.models import User

from .models import Comment

LIMIT = 200


def comments_of(case: Case, *, limit: int = LIMIT) -> list[Comment]:
    """The comments of a case the caller already may see (the case page checked), oldest first."""
    qs = (Comment.objects.filter(case=case).select_related("author")
          .prefetch_related(Prefetch("mentions", queryset=User.objects.order_by("username"))))
    return list(qs.order_by("created_at", "pk")[:limit])


def case_comments(*, viewer: User, case_id: int, limit: int = LIMIT) -> list[Comment]:
    case = visible_cases(viewer).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return comments_of(case, limit=limit)


def people_on_case(case: Case, viewer: User) -> list[User]:
    """The picker's choices: the coordinator and the people assigned a step (they all see the
    case), without the viewer. Anyone else is mentioned by @username in the text. No query on
    the case page, which loads the coordinator and the steps' assignees already."""
    people = {p.pk: p for p in (case.coordinator, *(s.assignee for s in case.step_states.all()))
              if p is not None and p.is_active and p.pk != viewer.pk}
    return sorted(people.values(), key=lambda p: (p.display_name().casefold(), p.username))


def comment_get(*, viewer: User, case_id: int, comment_id: int) -> Comment:
    """One comment on a case the viewer may see (404 otherwise, whoever wrote it)."""
    comment = (Comment.objects.select_related("author", "case")
               .filter(pk=comment_id, case__in=visible_cases(viewer).filter(pk=case_id))
               .first())
    if comment is None:
        raise NotFound("Kommentaren findes ikke.")
    return comment
