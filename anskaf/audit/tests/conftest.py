from __future__ import annotations

import pytest
from django.db import transaction

from anskaf.audit.events import EventType
from anskaf.audit.services import _chain


@pytest.fixture
def append(coordinator):
    """Link events to an organisation's chain in a transaction, as audit_append does, with any
    content: the chain's mechanics hold for whatever words history holds (ADR 0038)."""

    def _append(organisation_id=None, n=1, actor=coordinator, **fields):
        org = organisation_id or coordinator.organisation_id
        events = []
        for i in range(n):
            with transaction.atomic():
                events.append(_chain(
                    organisation_id=org, actor=actor, actor_role=fields.get("role", "coordinator"),
                    declared=EventType(fields.get("event_type", "test.event"), "case",
                                       frozenset()),
                    object_id=fields.get("object_id", i),
                    case_id=fields.get("case_id"), before=fields.get("before"),
                    after=fields.get("after", {"i": i, "title": "Økonomi"}),
                ))
        return events

    return _append


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The fixtures create several users; a real password hash costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
