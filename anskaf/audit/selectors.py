"""Reading the audit trail's state without loading events."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet

from .chain import GENESIS
from .models import ChainHead


def chain_version(organisation_id: int) -> str:
    """The hash at the head of the organisation's chain: it changes with every audited write,
    so it keys caches of anything derived from the organisation's data (one indexed row)."""
    head = (ChainHead.objects.filter(organisation_id=organisation_id)
            .values_list("hash", flat=True).first())
    return head or GENESIS


def chain_head_query(organisation_id: int) -> QuerySet[ChainHead, Mapping[str, object]]:
    """The head row, for a caller that reads it inside a larger query (the navigation)."""
    return ChainHead.objects.filter(organisation_id=organisation_id).values("hash")[:1]
