"""Who may change a comment and who may be named in one (anskaf/discussion/permissions.py)."""

from __future__ import annotations

from anskaf import testing
from anskaf.discussion.models import Comment
from anskaf.discussion.permissions import OWN_ONLY, can_be_mentioned, change_refusal


def test_only_the_author_changes_a_comment(coordinator, requester):
    comment = Comment(author=coordinator)
    assert change_refusal(coordinator, comment) is None
    assert change_refusal(requester, comment) == OWN_ONLY
    assert change_refusal(None, comment) == OWN_ONLY


def test_only_people_who_see_the_case_can_be_mentioned(case, coordinator, org, other_unit):
    case.restricted = True
    case.save(update_fields=["restricted"])
    elsewhere = testing.make_user(org, "andet", "requester", unit=other_unit, password=None)
    assert can_be_mentioned(coordinator, case)
    assert not can_be_mentioned(elsewhere, case)
