"""`User.municipality_id`: the municipality a service acts in, refused for the operator."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from anskaf.cases.saved_filters import saved_filters
from anskaf.orgs.models import User


def test_a_person_acts_in_their_own_municipality(coordinator, org):
    assert coordinator.municipality_id == org.pk


def test_the_operator_acts_in_none_and_a_municipal_read_refuses_rather_than_reading_nulls(db):
    operator = User.objects.create(username="drift", is_operator=True)
    with pytest.raises(PermissionDenied):
        _ = operator.municipality_id
    # Before, this filtered on organisation_id IS NULL and answered an empty list.
    with pytest.raises(PermissionDenied):
        saved_filters(viewer=operator)
