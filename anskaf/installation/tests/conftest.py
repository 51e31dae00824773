"""The installation's operator for the tests of its pages, API and services."""

from __future__ import annotations

import pytest
from django.test import Client

from anskaf.installation import services


@pytest.fixture
def operator(db):
    return services.operator_add(actor=None, username="drift", via="cli")[0]


@pytest.fixture
def drift(operator):
    """A browser-less client logged in as the operator."""
    client = Client()
    client.force_login(operator)
    return client
