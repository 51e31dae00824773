"""Anchors outside the database: the two attacks a chain alone cannot see (issue 21, item 4),
a tampered anchor log, key rotation and the restore record (ADR 0023)."""

from __future__ import annotations

import json
import stat

import pytest
from django.conf import settings
from django.db import connection

from anskaf.audit import anchors, keys
from anskaf.audit.chain import canonical_json, chain_hash, event_content
from anskaf.audit.models import AuditEvent, ChainHead
from anskaf.audit.services import audit_verify

pytestmark = pytest.mark.django_db


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def cut_back(org, seq):
    """Attack (a): delete the newest events and set the head back to seq."""
    keep = AuditEvent.objects.get(organisation=org, seq=seq)
    raw("DELETE FROM audit_auditevent WHERE organisation_id = %s AND seq > %s", [org.pk, seq])
    raw("UPDATE audit_chainhead SET seq = %s, hash = %s WHERE organisation_id = %s",
        [seq, keep.hash, org.pk])


def rewrite_from(org, seq, after):
    """Attack (b): edit the event at seq and recompute every hash after it, and the head."""
    rows = list(AuditEvent.objects.filter(organisation=org).order_by("seq"))
    prev = rows[seq - 2].hash if seq > 1 else rows[0].prev_hash
    for event in rows[seq - 1:]:
        if event.seq == seq:
            event.after = json.loads(canonical_json(after))
        content = event_content(
            organisation_id=org.pk, seq=event.seq, at=event.at, actor_id=event.actor_id,
            actor_name=event.actor_name, actor_role=event.actor_role,
            event_type=event.event_type, object_type=event.object_type,
            object_id=event.object_id, case_id=event.case_id, before=event.before,
            after=event.after, request_id=event.request_id)
        digest = chain_hash(content, prev)
        raw('UPDATE audit_auditevent SET "after" = %s, prev_hash = %s, hash = %s WHERE id = %s',
            [canonical_json(event.after), prev, digest, event.pk])
        prev = digest
    raw("UPDATE audit_chainhead SET hash = %s WHERE organisation_id = %s", [prev, org.pk])


def verdict_of(org):
    result = anchors.verify([(org.pk, org.slug)])
    [verdict] = result.verdicts
    return result, verdict


def test_anchoring_signs_each_head_and_an_untouched_chain_verifies_against_it(append, org):
    append(n=3)
    run = anchors.anchor()
    assert [(r["org"], r["seq"]) for r in run.anchored] == [(org.slug, 3)]
    append(n=2)
    assert anchors.anchor().anchored[0]["seq"] == 5
    assert anchors.anchor().anchored == []  # nothing moved: nothing written
    result, verdict = verdict_of(org)
    assert result.ok
    assert (verdict.events, verdict.anchored_seq) == (5, 5)
    lines = settings.ANSKAF_ANCHOR_LOG.read_text().splitlines()
    assert len(lines) == 2
    assert all(json.loads(line)["sig"] for line in lines)


def test_the_key_directory_is_private_and_the_private_key_too(append):
    append()
    anchors.anchor()
    directory = settings.ANSKAF_KEY_DIR
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    [private] = directory.glob("anchor-*.key")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_attack_a_cutting_off_the_newest_events_is_named(append, org):
    append(n=6)
    anchors.anchor()
    cut_back(org, 4)
    assert audit_verify(org.pk).ok  # the chain alone cannot tell
    result, verdict = verdict_of(org)
    assert not result.ok
    assert verdict.broken_seq == 5
    assert "cut off" in verdict.reason
    assert "events 5..6 are missing" in verdict.reason


def test_attack_b_rewriting_an_event_and_every_hash_after_it_is_named(append, org):
    append(n=2)
    anchors.anchor()
    append(n=4)
    anchors.anchor()
    rewrite_from(org, 4, {"i": 99, "title": "Forfalsket"})
    assert audit_verify(org.pk).ok  # the chain alone cannot tell
    result, verdict = verdict_of(org)
    assert not result.ok
    assert "rewritten" in verdict.reason
    assert verdict.broken_seq == 3  # after seq 2, which still matches its anchor
    assert "seq 3..6" in verdict.reason


def test_a_rewritten_or_cut_chain_is_not_anchored_again(append, org):
    append(n=4)
    anchors.anchor()
    append(n=1)
    rewrite_from(org, 2, {"x": 1})
    run = anchors.anchor()
    assert run.anchored == []
    assert run.refused[0][1] == org.slug
    assert "seq 4" in run.refused[0][2]


def test_a_chain_without_anchors_still_verifies(append, org):
    append(n=3)
    result, verdict = verdict_of(org)
    assert result.ok
    assert not result.log.exists
    assert verdict.anchored_seq == 0


def tamper(line_no, change):
    path = settings.ANSKAF_ANCHOR_LOG
    lines = path.read_text().splitlines()
    lines = change(lines, line_no)
    path.write_text("".join(line + "\n" for line in lines))


def test_a_changed_anchor_record_fails_its_signature(append, org):
    append(n=2)
    anchors.anchor()
    append(n=2)
    anchors.anchor()

    def lower_seq(lines, n):
        record = json.loads(lines[n - 1])
        record["seq"] = 1
        lines[n - 1] = canonical_json(record)
        return lines

    tamper(2, lower_seq)
    result, _ = verdict_of(org)
    assert not result.ok
    assert any("line 2: the signature does not verify" in p for p in result.log.problems)
    with pytest.raises(anchors.AnchorError):
        anchors.anchor()  # no anchoring on a log that does not verify


def test_a_removed_anchor_line_breaks_the_log_chain(append, org):
    for _ in range(3):
        append(n=1)
        anchors.anchor()
    tamper(2, lambda lines, n: lines[:n - 1] + lines[n:])
    result, _ = verdict_of(org)
    assert any("line 2 does not follow line 1" in p for p in result.log.problems)


def test_a_record_signed_by_a_foreign_key_is_refused(append, org, tmp_path):
    append(n=1)
    anchors.anchor()
    foreign = keys.SigningKey("f" * 16, keys.Ed25519PrivateKey.generate())
    append(n=1)
    anchors.append([{"kind": "anchor", "org_id": org.pk, "org": org.slug, "seq": 2,
                     "hash": "0" * 64, "at": "x"}], signer=foreign)
    result, _ = verdict_of(org)
    assert any("not in the key directory" in p for p in result.log.problems)


def test_rotation_keeps_old_anchors_valid_and_refuses_the_retired_key_afterwards(append, org):
    append(n=2)
    anchors.anchor()
    old = keys.signing_key()
    retired, new = anchors.rotate_key()
    assert retired == old.key_id != new
    assert not (settings.ANSKAF_KEY_DIR / f"anchor-{old.key_id}.key").exists()
    assert (settings.ANSKAF_KEY_DIR / f"anchor-{old.key_id}.pub").exists()
    append(n=1)
    assert anchors.anchor().anchored[0]["key"] == new
    result, verdict = verdict_of(org)
    assert result.ok and verdict.anchored_seq == 3
    # The retired key (say it leaked) cannot add records any more.
    anchors.append([{"kind": "restore", "org_id": org.pk, "org": org.slug, "seq": 1,
                     "hash": "0" * 64, "at": "x"}], signer=old)
    result, _ = verdict_of(org)
    assert any(f"key {old.key_id}, retired at line 2" in p for p in result.log.problems)


def test_a_restore_record_accepts_a_chain_ending_exactly_there_and_reports_it(append, org):
    append(n=4)
    heads = [{"org_id": org.pk, "org": org.slug, "seq": 4,
              "hash": ChainHead.objects.get(organisation=org).hash}]
    append(n=2)
    anchors.anchor()
    cut_back(org, 4)  # what restoring the backup taken at seq 4 looks like
    anchors.record_restore(heads, backup_at="2026-12-01T02:00:00+00:00")
    result, verdict = verdict_of(org)
    assert result.ok, verdict.reason
    assert "restored from the backup of 2026-12-01T02:00:00+00:00 at seq 4" in verdict.notes[0]
    assert "2 anchored event(s) after it were lost" in verdict.notes[0]
    append(n=1)  # life goes on after the restore
    assert anchors.anchor().anchored[0]["seq"] == 5
    assert anchors.verify([(org.pk, org.slug)]).ok


def test_a_restore_record_does_not_excuse_a_chain_cut_shorter_still(append, org):
    append(n=4)
    heads = [{"org_id": org.pk, "org": org.slug, "seq": 4,
              "hash": ChainHead.objects.get(organisation=org).hash}]
    anchors.record_restore(heads, backup_at="2026-12-01T02:00:00+00:00")
    cut_back(org, 3)
    result, verdict = verdict_of(org)
    assert not result.ok
    assert verdict.broken_seq == 4


def test_anchoring_keeps_a_state_file_and_rebuilds_it_from_the_log_when_stale(append, org):
    append(n=2)
    anchors.anchor()
    state = settings.ANSKAF_ANCHOR_LOG.with_name("audit-anchors.jsonl.state")
    assert json.loads(state.read_text())["heads"][str(org.pk)]["seq"] == 2
    state.unlink()
    assert anchors.anchor().anchored == []  # rebuilt from the log: seq 2 is anchored already
    assert state.exists()
    append(n=1)
    assert [r["seq"] for r in anchors.anchor().anchored] == [3]
    assert json.loads(state.read_text())["heads"][str(org.pk)]["seq"] == 3


def test_a_whole_log_forged_with_a_retired_key_is_refused(append, org):
    append(n=2)
    anchors.anchor()
    old = keys.signing_key()
    anchors.rotate_key()
    settings.ANSKAF_ANCHOR_LOG.unlink()  # a new log, without the rotation, signed with the old key
    head = ChainHead.objects.get(organisation=org)
    anchors.append([{"kind": "anchor", "org_id": org.pk, "org": org.slug, "seq": head.seq,
                     "hash": head.hash, "at": "x"}], signer=old)
    result, _ = verdict_of(org)
    assert any(f"signed with key {old.key_id}, not with the current key" in p
               for p in result.log.problems)


def test_lines_changed_with_every_prev_recomputed_are_named_by_their_signature(append, org):
    for _ in range(3):
        append(n=1)
        anchors.anchor()
    path = settings.ANSKAF_ANCHOR_LOG
    records = [json.loads(line) for line in path.read_text().splitlines()]
    records[1]["seq"] = 1  # changed, and every later prev made to follow (no key to re-sign)
    prev = records[0]["prev"]
    lines = []
    for record in records:
        record["prev"] = prev
        line = canonical_json(record)
        lines.append(line)
        prev = anchors._line_hash(line)
    path.write_text("".join(line + "\n" for line in lines))
    result, _ = verdict_of(org)
    assert "the last line's signature does not verify" in result.log.problems
    assert any(p.startswith("line 2: the signature does not verify") for p in result.log.problems)
    assert any(p.startswith("line 3: the signature does not verify") for p in result.log.problems)
