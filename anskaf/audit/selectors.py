"""Reading the audit trail's state without loading events."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Subquery

from .chain import GENESIS
from .models import CaseWorkHead, ChainHead


def chain_version(organisation_id: int) -> str:
    """The hash at the head of the organisation's chain: it changes with every audited write,
    so it keys caches of anything derived from the organisation's data (one indexed row)."""
    head = (ChainHead.objects.filter(organisation_id=organisation_id)
            .values_list("hash", flat=True).first())
    return head or GENESIS


def work_version(organisation_id: int) -> str:
    """The hash of the newest event that can move anyone's work (ChainHead.work_hash): it keys
    the task counter, which a remark or a comment leaves alone (one indexed row)."""
    sql, params = work_version_sql(organisation_id)  # the one reading of it
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0] if row else None) or GENESIS


def work_version_sql(organisation_id: int) -> tuple[str, list[int]]:
    """work_version as one SQL statement and its parameters, for the navigation, which reads
    it with the unread count on every page: the ORM took 2 ms of CPU to build that query, the
    statement 0.15 ms (ADR 0044). No row: None (the caller reads GENESIS)."""
    table = ChainHead._meta.db_table
    column = ChainHead._meta.get_field("work_hash").column
    key = ChainHead._meta.get_field("organisation").column
    return f"SELECT {column} FROM {table} WHERE {key} = %s", [organisation_id]


def shared_work_version(organisation_id: int) -> str:
    """The hash of the newest work-moving event not bound to one case
    (ChainHead.shared_work_hash): with each case's own (`own_work_version`), what the per-case
    parts of the task lists are kept under (ADR 0045). One indexed row."""
    shared = (ChainHead.objects.filter(organisation_id=organisation_id)
              .values_list("shared_work_hash", flat=True).first())
    return shared or GENESIS


def own_work_version(case_id: Any) -> Subquery:
    """A case's own work version (CaseWorkHead; None when nothing has moved it since) as a
    subquery on `case_id` (an OuterRef), so a query of cases reads each one's version in the
    same statement: for a person with a part in thousands of cases, a second query with
    thousands of ids cost more than all the rest of their list."""
    return Subquery(CaseWorkHead.objects.filter(case_id=case_id).values("hash")[:1])
