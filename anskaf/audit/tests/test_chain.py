"""audit_append builds one hash chain per organisation; audit_verify finds a broken link."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction

from anskaf import testing
from anskaf.audit.chain import GENESIS, canonical_json, chain_hash, event_content
from anskaf.audit.context import reset_request_id, set_request_id
from anskaf.audit.models import AuditEvent, ChainHead
from anskaf.audit.services import audit_append, audit_verify

pytestmark = pytest.mark.django_db


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_appending_builds_a_chain_of_seq_1_to_n_linked_by_prev_hash(append, org):
    events = append(n=5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    for prev, event in itertools.pairwise(events):
        assert event.prev_hash == prev.hash
    assert len({e.hash for e in events}) == 5
    head = ChainHead.objects.get(organisation=org)
    assert (head.seq, head.hash) == (5, events[-1].hash)


def test_the_hash_covers_canonical_json_of_the_content_and_the_previous_hash(append):
    [event] = append(after={"b": 1, "a": [1, 2], "titel": "Økonomi"})
    event = AuditEvent.objects.get(pk=event.pk)
    content = event_content(
        organisation_id=event.organisation_id, seq=event.seq, at=event.at,
        actor_id=event.actor_id, actor_name=event.actor_name, actor_role=event.actor_role,
        event_type=event.event_type, object_type=event.object_type, object_id=event.object_id,
        case_id=event.case_id, before=event.before, after=event.after,
        request_id=event.request_id)
    assert event.hash == chain_hash(content, GENESIS)


def test_canonical_json_sorts_keys_and_uses_fixed_separators():
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "Ø"}}) == (
        '{"a":{"c":"Ø","d":[1,2]},"b":1}')


def test_an_untouched_chain_verifies(append, org):
    append(n=4)
    report = audit_verify(org.pk)
    assert report.ok
    assert report.events == 4
    assert report.broken_seq is None


def test_an_empty_chain_verifies(org):
    assert audit_verify(org.pk).ok


def test_values_that_json_cannot_hold_are_stored_as_they_were_hashed(append, org):
    append(after={"amount": Decimal("1644638.00"), "when": datetime(2025, 1, 2, 3, 4, 5),
                  "nested": {"z": None, "a": True}})
    event = AuditEvent.objects.get(organisation=org)
    assert event.after["amount"] == "1644638.00"
    assert audit_verify(org.pk).ok


def test_the_actor_its_name_role_and_the_request_id_are_recorded(append, coordinator):
    token = set_request_id("req-123")
    try:
        [event] = append(role="coordinator")
    finally:
        reset_request_id(token)
    assert event.actor == coordinator
    assert event.actor_name == "Karen Koordinator"
    assert event.actor_role == "coordinator"
    assert event.request_id == "req-123"


def test_work_outside_a_request_gets_a_cli_request_id(append, org):
    [event] = append()
    assert event.request_id.startswith("cli-")


def test_an_event_without_an_actor_is_by_the_system(org):
    with transaction.atomic():
        event = audit_append(organisation_id=org.pk, actor=None, actor_role="system",
                             event_type="model.pinned", object_id="x")
    assert event.actor_name == "system"
    assert event.actor_id is None
    assert audit_verify(org.pk).ok


@pytest.mark.parametrize("row", [1, 3, 5])
def test_altering_one_rows_after_is_named_by_its_seq(append, org, row):
    events = append(n=5)
    raw('UPDATE audit_auditevent SET "after" = %s WHERE id = %s',
        ['{"i": 99, "title": "Forfalsket"}', events[row - 1].pk])
    report = audit_verify(org.pk)
    assert not report.ok
    assert report.broken_seq == row
    assert report.broken_id == events[row - 1].pk
    assert "hash" in report.reason


@pytest.mark.parametrize("row", [1, 2, 4])
def test_altering_one_rows_hash_is_named_by_its_seq(append, org, row):
    events = append(n=4)
    raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[row - 1].pk])
    report = audit_verify(org.pk)
    assert report.broken_seq == row


def test_altering_the_actor_name_is_detected(append, org):
    events = append(n=3)
    raw("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["Mallory", events[1].pk])
    assert audit_verify(org.pk).broken_seq == 2


def test_rehashing_an_altered_row_still_breaks_the_next_link(append, org):
    events = append(n=3)
    event = AuditEvent.objects.get(pk=events[1].pk)
    forged_after = {"i": 99}
    content = event_content(
        organisation_id=event.organisation_id, seq=event.seq, at=event.at,
        actor_id=event.actor_id, actor_name=event.actor_name, actor_role=event.actor_role,
        event_type=event.event_type, object_type=event.object_type, object_id=event.object_id,
        case_id=event.case_id, before=event.before, after=forged_after,
        request_id=event.request_id)
    forged_hash = chain_hash(content, event.prev_hash)
    raw('UPDATE audit_auditevent SET "after" = %s, hash = %s WHERE id = %s',
        ['{"i": 99}', forged_hash, event.pk])
    report = audit_verify(org.pk)
    assert report.broken_seq == 3
    assert "prev_hash" in report.reason


def test_deleting_the_last_row_is_detected_by_the_chain_head(append, org):
    events = append(n=4)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    report = audit_verify(org.pk)
    assert not report.ok
    assert report.broken_seq == 4
    assert report.broken_id is None
    assert "head" in report.reason


def test_deleting_a_middle_row_is_a_sequence_gap(append, org):
    events = append(n=4)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify(org.pk)
    assert report.broken_seq == 3
    assert "gap" in report.reason


def test_each_organisation_has_its_own_chain(append, org, other_org, outsider):
    ours = append(organisation_id=org.pk, n=3)
    theirs = append(organisation_id=other_org.pk, n=2, actor=outsider)
    ours += append(organisation_id=org.pk, n=1)
    assert [e.seq for e in ours] == [1, 2, 3, 4]
    assert [e.seq for e in theirs] == [1, 2]
    assert theirs[0].prev_hash == GENESIS
    assert audit_verify(org.pk).ok and audit_verify(other_org.pk).ok
    assert audit_verify(org.pk).events == 4


def test_a_broken_chain_does_not_affect_another_organisation(append, org, other_org, outsider):
    ours = append(organisation_id=org.pk, n=2)
    append(organisation_id=other_org.pk, n=2, actor=outsider)
    raw("UPDATE audit_auditevent SET event_type = %s WHERE id = %s", ["x", ours[0].pk])
    assert audit_verify(org.pk).broken_seq == 1
    assert audit_verify(other_org.pk).ok


def test_verify_walks_long_chains_in_batches(append, org):
    append(n=12)
    assert audit_verify(org.pk, batch=5).events == 12


def test_a_whole_case_walk_leaves_a_verifiable_chain(coordinator, board_member, manager):
    case = testing.new_case(coordinator, replaces_system=True)
    testing.advance(coordinator, case, through=21)
    report = audit_verify(coordinator.organisation_id)
    assert report.ok
    # Every event of the walk is in the verified chain: the case's own, and those other apps
    # write about the case (the portfolio's systems, which name the case in their data).
    assert report.events == AuditEvent.objects.filter(
        organisation_id=coordinator.organisation_id).count()
    assert AuditEvent.objects.filter(case_id=case.pk).count() >= 22


@pytest.mark.django_db(transaction=True)
def test_audit_append_outside_a_transaction_raises(org):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_append(organisation_id=org.pk, actor=None, actor_role="cli",
                     event_type="api_token.revoked", object_id=1)
    assert AuditEvent.objects.count() == 0
    assert not ChainHead.objects.exists()


def test_deleting_the_last_row_and_the_chain_head_is_detected(append, org):
    append(n=3)
    raw("DELETE FROM audit_auditevent WHERE seq = 3 AND organisation_id = %s", [org.pk])
    raw("DELETE FROM audit_chainhead WHERE organisation_id = %s", [org.pk])
    assert not audit_verify(org.pk).ok
