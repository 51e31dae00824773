"""The installation's rules (anskaf/installation/permissions.py): its operator, or the
command line."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.installation.errors import NotAnOperator
from anskaf.installation.permissions import operator_refusal, require_operator, via_refusal
from anskaf.orgs.models import User


def test_the_command_line_acts_as_the_operator_a_page_without_a_person_does_not(db):
    assert via_refusal(None, "cli") is None
    assert via_refusal(None, "web") == NotAnOperator.message


def test_an_operator_passes_an_admin_of_a_municipality_does_not(org):
    operator = User.objects.create_user(username="drift", is_operator=True)
    admin = testing.make_user(org, "chef", "admin", password=None)
    assert operator_refusal(operator) is None and via_refusal(operator, "api") is None
    assert operator_refusal(admin) == NotAnOperator.message
    with pytest.raises(NotAnOperator):
        require_operator(admin)
    operator.is_active = False
    with pytest.raises(NotAnOperator):
        require_operator(operator)
