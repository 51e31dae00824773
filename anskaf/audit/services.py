"""The only way to write to the audit trail: append, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils import timezone

from anskaf.observability.metrics import AUDIT_EVENTS

from . import events
from .chain import GENESIS, canonical_json, chain_hash, event_content
from .context import current_request_id
from .models import AuditEvent, CaseWorkHead, ChainHead

# An event's `before` and `after`: a JSON object (dates, decimals and UUIDs become text), or none.
Payload = Mapping[str, object] | None


class Actor(Protocol):
    """Who acted: a person (anskaf.orgs.models.User, which this layer does not import)."""

    @property
    def pk(self) -> Any: ...

    def display_name(self) -> str: ...


def _normalise(value: Payload) -> Any:
    """Round-trip through canonical JSON so what is hashed is exactly what is stored."""
    return None if value is None else json.loads(canonical_json(value))


def audit_append(*, organisation_id: int, actor: Actor | None, actor_role: str,
                 event_type: str, object_id: int | str | None, case_id: int | None = None,
                 before: Payload = None, after: Payload = None) -> AuditEvent:
    """The one way to write to the audit trail (ADR 0038): an event type declared in
    anskaf.audit.events (its object type comes from there), a payload of its declared fields,
    and actor_role as events.py defines it. Anything else is UndeclaredEvent, never written:
    the trail is append-only, so a wrong word would stay in it for good."""
    declared = events.check(event_type, actor, actor_role, before, after)
    return _chain(organisation_id=organisation_id, actor=actor, actor_role=actor_role,
                  declared=declared,
                  object_id=object_id, case_id=case_id, before=before, after=after)


def _chain(*, organisation_id: int, actor: Actor | None, actor_role: str,
           declared: events.EventType, object_id: int | str | None, case_id: int | None,
           before: Payload, after: Payload) -> AuditEvent:
    """Link one event to the organisation's chain, inside the caller's transaction."""
    event_type, object_type = declared.name, declared.object_type
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction of the change")
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        organisation_id=organisation_id, defaults={"seq": 0, "hash": GENESIS}
    )
    at = timezone.now()  # aware UTC
    actor_id = getattr(actor, "pk", None)
    actor_name = actor.display_name() if actor is not None else "system"
    before, after = _normalise(before), _normalise(after)
    content = event_content(
        organisation_id=organisation_id, seq=head.seq + 1, at=at, actor_id=actor_id,
        actor_name=actor_name, actor_role=actor_role, event_type=event_type,
        object_type=object_type, object_id=str(object_id), case_id=case_id, before=before,
        after=after, request_id=current_request_id(),
    )
    digest = chain_hash(content, head.hash)
    event = AuditEvent.objects.create(
        organisation_id=organisation_id, seq=head.seq + 1, at=at, actor_id=actor_id,
        actor_name=actor_name, actor_role=actor_role, event_type=event_type,
        object_type=object_type, object_id=str(object_id), case_id=case_id, before=before,
        after=after, request_id=content["request_id"], prev_hash=head.hash, hash=digest,
    )
    moved = _work_moved(declared, organisation_id, case_id, digest, before, after)
    ChainHead.objects.filter(pk=head.pk).update(seq=head.seq + 1, hash=digest, **moved)
    # Counted once written for good: a rolled-back change wrote no event.
    transaction.on_commit(AUDIT_EVENTS.labels(event_type=event_type).inc)
    return event


def _work_moved(declared: events.EventType, organisation_id: int, case_id: int | None,
                digest: str, before: Payload, after: Payload) -> dict[str, str]:
    """The work versions an event moves (ADR 0044, 0045): none for a quiet event; for one bound
    to its case, the municipality's and that case's (one upsert); else the municipality's and
    every case's (the shared one)."""
    if not declared.may_move_work(before, after):
        return {}
    if declared.case_local and case_id is not None:
        table = CaseWorkHead._meta.db_table
        with connection.cursor() as cursor:  # one statement on SQLite and PostgreSQL alike
            cursor.execute(f"INSERT INTO {table} (case_id, organisation_id, hash) "
                           "VALUES (%s, %s, %s) ON CONFLICT (case_id) "
                           "DO UPDATE SET hash = excluded.hash",
                           [case_id, organisation_id, digest])
        return {"work_hash": digest}
    return {"work_hash": digest, "shared_work_hash": digest}


@dataclass(frozen=True)
class ChainReport:
    organisation_id: int
    events: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    last_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.reason


_VERIFY_FIELDS = ("pk", "seq", "prev_hash", "hash", "at", "actor_id", "actor_name", "actor_role",
                  "event_type", "object_type", "object_id", "case_id", "before", "after",
                  "request_id")


def walk_chain(organisation_id: int, *, after_seq: int = 0, after_hash: str = GENESIS,
               upto_seq: int | None = None, batch: int = 5000) -> ChainReport:
    """Walk the chain from the event after ``after_seq`` (whose hash is ``after_hash``) in order,
    up to ``upto_seq`` (default: the end); report the first link that does not hold. ``events``
    counts the rows walked; the report's ``last_hash`` is the hash of the last one.

    Reads plain tuples, not model instances: building a model per row was half the time of a
    million-event check.
    """
    prev, expected_seq, count = after_hash, after_seq + 1, 0
    events = AuditEvent.objects.filter(organisation_id=organisation_id, seq__gt=after_seq)
    if upto_seq is not None:
        events = events.filter(seq__lte=upto_seq)
    rows = events.order_by("seq").values_list(*_VERIFY_FIELDS)
    for (pk, seq, prev_hash, digest, at, actor_id, actor_name, actor_role, event_type,
         object_type, object_id, case_id, before, after, request_id) in rows.iterator(
            chunk_size=batch):
        count += 1
        if seq != expected_seq:
            return ChainReport(organisation_id, count, seq, pk,
                               f"sequence gap: expected {expected_seq}")
        if prev_hash != prev:
            return ChainReport(organisation_id, count, seq, pk,
                               "prev_hash does not match the previous row")
        content = event_content(
            organisation_id=organisation_id, seq=seq, at=at, actor_id=actor_id,
            actor_name=actor_name, actor_role=actor_role, event_type=event_type,
            object_type=object_type, object_id=object_id, case_id=case_id, before=before,
            after=after, request_id=request_id,
        )
        if chain_hash(content, prev) != digest:
            return ChainReport(organisation_id, count, seq, pk, "content does not match its hash")
        prev, expected_seq = digest, expected_seq + 1
    return ChainReport(organisation_id, count, last_hash=prev)


def audit_verify(organisation_id: int, batch: int = 5000) -> ChainReport:
    """Walk one organisation's whole chain in order and check its head row against the last
    event; report the first link that does not hold."""
    report = walk_chain(organisation_id, batch=batch)
    if not report.ok:
        return report
    count, prev = report.events, report.last_hash
    head = ChainHead.objects.filter(organisation_id=organisation_id).first()
    if head is None and count:
        return ChainReport(organisation_id, count, count, None,
                           "the chain head is missing (rows or the head removed?)")
    if head is not None and (head.seq != count or head.hash != prev):
        return ChainReport(organisation_id, count, head.seq, None,
                           "the chain head does not match the last row (rows removed?)")
    return report
