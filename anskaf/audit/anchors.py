"""Anchors: each organisation's chain head, signed, in an append-only log outside the database.

The log (``settings.ANSKAF_ANCHOR_LOG``, JSON lines) holds four kinds of record, each one
line of canonical JSON, signed with the current key of the key directory (keys.py) and chained
to the line before it by ``prev`` (SHA-256 of that line):

- ``anchor``:  an organisation's chain head (org, seq, hash) at a time;
- ``restore``: the heads of a restored backup, which an older chain may end at (anskaf restore);
- ``rotate``:  a new signing key; records signed later with the retired key are refused;
- ``offboard``: a municipality's last head when it was offboarded (ADR 0030): it is gone on
  purpose, so verify does not report it missing.

``verify`` checks the log itself, then every organisation's chain against every record: an
event that an anchor covers cannot be changed, and the newest events cannot be removed, without
it being named (ADR 0023).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from . import keys
from .chain import GENESIS, canonical_json
from .models import AuditEvent, ChainHead
from .services import audit_verify, walk_chain

FORMAT = 1
_TAIL_BYTES = 65536


class AnchorError(Exception):
    """The anchor log or the key directory cannot be used; the message says which and why."""


def log_path() -> Path:
    return Path(settings.ANSKAF_ANCHOR_LOG)


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- writing ------------------------------------------------------------------------------------


def _last_line(fd: int) -> str | None:
    size = os.fstat(fd).st_size
    if not size:
        return None
    start = max(0, size - _TAIL_BYTES)
    tail = os.pread(fd, size - start, start).decode("utf-8", errors="replace")
    lines = [line for line in tail.split("\n") if line.strip()]
    return lines[-1] if lines else None


def append(records: Iterable[dict[str, Any]], signer: keys.SigningKey | None = None
           ) -> list[dict[str, Any]]:
    """Sign each record, chain it to the last line and append it (O_APPEND, under an exclusive
    lock so two workers anchoring at once still make one chain). Returns the records written."""
    records = list(records)
    if not records:
        return []
    try:
        signer = signer or keys.signing_key()
    except keys.KeyDirError as exc:
        raise AnchorError(str(exc)) from None
    assert signer is not None
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError as exc:
        raise AnchorError(f"cannot open the anchor log {path} ({exc.strerror})") from None
    written = []
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(fd)
        prev = _line_hash(last) if last is not None else GENESIS
        out = []
        for record in records:
            body = {**record, "v": FORMAT, "key": signer.key_id, "prev": prev}
            body["sig"] = signer.sign(canonical_json(body).encode("utf-8"))
            line = canonical_json(body)
            out.append(line + "\n")
            prev = _line_hash(line)
            written.append(body)
        before = _stamp(os.fstat(fd))
        os.write(fd, "".join(out).encode("utf-8"))
        os.fsync(fd)
        _update_state(before, _stamp(os.fstat(fd)), written)
    except OSError as exc:
        raise AnchorError(f"cannot write the anchor log {path} ({exc.strerror})") from None
    finally:
        os.close(fd)
    return written


# --- the state file: what anchoring needs, without reading the whole log every 5 minutes -------
# `<log>.state` holds the log's size and modification time and each organisation's last
# anchored head, written under the log's lock after each append. It is only a shortcut for
# `anchor`: when it does not match the log (a write by anything else), anchor reads and checks
# the whole log and writes it anew; `verify` never uses it.


def _stamp(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns]


def _state_path() -> Path:
    path = log_path()
    return path.with_name(path.name + ".state")


def _read_state() -> dict[str, Any] | None:
    try:
        state = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("heads"), dict) else None


def _write_state(stamp: list[int], heads: dict[int, dict[str, Any]]) -> None:
    path = _state_path()
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(json.dumps({"stamp": stamp,
                                 "heads": {str(k): v for k, v in heads.items()}}),
                     encoding="utf-8")
    os.replace(draft, path)


def _update_state(before: list[int], after: list[int], written: list[dict[str, Any]]) -> None:
    state: dict[str, Any] | None = {"stamp": before, "heads": {}} if before[0] == 0 else _read_state()
    if state is None or state.get("stamp") != before:
        _state_path().unlink(missing_ok=True)  # stale: the next anchor rebuilds it
        return
    heads = {int(k): v for k, v in state["heads"].items()}
    for org_id, record in _last_by_org(written).items():
        heads[org_id] = {"seq": record["seq"], "hash": record["hash"]}
    _write_state(after, heads)


def _anchored_heads() -> dict[int, dict[str, Any]]:
    """Each organisation's last anchored (or restored) head: from the state file when it
    matches the log, else from the whole log, checked."""
    state = _read_state()
    try:
        stamp = _stamp(log_path().stat())
    except FileNotFoundError:
        stamp = None
    if state is not None and stamp is not None and state.get("stamp") == stamp:
        return {int(k): v for k, v in state["heads"].items()}
    log = read_log()
    if log.problems:
        raise AnchorError("the anchor log does not verify: " + "; ".join(log.problems[:3]))
    heads = {org_id: {"seq": r["seq"], "hash": r["hash"]}
             for org_id, r in _last_by_org(log.records).items()}
    if log.exists and stamp is not None and log.size == stamp[0]:
        _write_state(stamp, heads)  # only when nothing was appended while we read
    return heads


# --- reading ------------------------------------------------------------------------------------


@dataclass
class LogState:
    """The log as read: the records that verify, and what is wrong with the others."""

    exists: bool
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    size: int = 0  # bytes read


def _check_line(number: int, line: str, prev: str, public: dict, retired: dict[str, int],
                signature: bool = True) -> tuple[dict[str, Any] | None, str | None]:
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("not an object")
    except ValueError:
        return None, f"line {number} is not a JSON record (damaged or cut short)"
    kid, sig = record.get("key"), record.get("sig")
    body = {k: v for k, v in record.items() if k != "sig"}
    if kid not in public:
        return None, f"line {number} is signed with key {kid}, which is not in the key directory"
    if signature and (not isinstance(sig, str) or not keys.signature_ok(
            public[kid], canonical_json(body).encode("utf-8"), sig)):
        return None, f"line {number}: the signature does not verify (the record was changed)"
    if kid in retired:
        return None, (f"line {number} is signed with key {kid}, retired at line {retired[kid]}")
    if record.get("prev") != prev:
        return record, (f"line {number} does not follow line {number - 1} (lines removed, "
                        "inserted or changed)")
    return record, None


def read_log() -> LogState:
    """The log, checked. Every line must parse, name a known key not retired before it, and
    follow the line before it (``prev``). Then only the last line's signature is checked: it
    covers its ``prev``, so by the chain it covers every line before it, and it must be the
    current key's (rotation writes a line with the new key at once). Only when something is
    wrong is every signature checked, to name the changed line. An hourly verify of a long log
    stays cheap that way (a hash per line instead of a signature check)."""
    path = log_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        state = LogState(exists=False)
        if keys.public_keys():
            state.problems.append(f"the anchor log {path} is missing, though the key directory "
                                  "holds anchor keys (deleted or moved?)")
        return state
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"cannot read the anchor log {path} ({exc})") from None
    public = keys.public_keys()
    state = _read_lines(text, public, signatures=False)
    last = state.records[-1] if state.records else None
    if last is not None and not state.problems:
        body = {k: v for k, v in last.items() if k != "sig"}
        if not keys.signature_ok(public[last["key"]], canonical_json(body).encode("utf-8"),
                                 str(last.get("sig"))):
            state.problems.append("the last line's signature does not verify")
        current = keys.current_key_id()
        if current and last["key"] != current:
            state.problems.append(f"the last line is signed with key {last['key']}, not with "
                                  f"the current key {current} (lines removed or forged?)")
    if state.problems:
        checked = _read_lines(text, public, signatures=True)
        checked.problems += [p for p in state.problems if p not in checked.problems]
        state = checked
    return state


def _read_lines(text: str, public: dict, *, signatures: bool) -> LogState:
    state = LogState(exists=True, size=len(text.encode("utf-8")))
    retired: dict[str, int] = {}
    prev = GENESIS
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record, problem = _check_line(number, line, prev, public, retired, signatures)
        prev = _line_hash(line)
        if problem:
            state.problems.append(problem)
        if record is None:
            continue
        if not problem:
            state.records.append(record)
        if record.get("kind") == "rotate" and record.get("retired"):
            retired[record["retired"]] = number
    if text and not text.endswith("\n"):
        state.problems.append("the last line is cut short (a write did not finish)")
    return state


# --- anchor, restore, rotate ------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorRun:
    anchored: list[dict[str, Any]]  # the records written
    unchanged: int  # organisations whose head was anchored already
    refused: list[tuple[int, str, str]]  # (org id, slug, reason): not anchored, does not verify


def _last_by_org(records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    last: dict[int, dict[str, Any]] = {}
    for record in records:
        if record.get("kind") in ("anchor", "restore") and record.get("org_id") is not None:
            last[record["org_id"]] = record
    return last


def anchor() -> AnchorRun:
    """Anchor every organisation whose head moved since its last anchor, after checking the
    events since then (a chain that does not verify is not anchored: that would bless it)."""
    last = _anchored_heads()
    records, unchanged, refused = [], 0, []
    heads = (ChainHead.objects.filter(seq__gt=0).order_by("organisation_id")
             .values_list("organisation_id", "organisation__slug", "seq", "hash"))
    for org_id, slug, seq, digest in heads:
        before = last.get(org_id)
        if before and before["seq"] == seq and before["hash"] == digest:
            unchanged += 1
            continue
        reason = _since_last_anchor(org_id, before, seq, digest)
        if reason:
            refused.append((org_id, slug, reason))
            continue
        records.append({"kind": "anchor", "org_id": org_id, "org": slug, "seq": seq,
                        "hash": digest, "at": _now()})
    return AnchorRun(append(records), unchanged, refused)


def _since_last_anchor(org_id: int, before: dict[str, Any] | None, seq: int, digest: str
                       ) -> str | None:
    """Why the chain from its last anchor up to the head read now does not hold, or None."""
    after_seq, after_hash = 0, GENESIS
    if before:
        after_seq, after_hash = before["seq"], before["hash"]
        if seq < after_seq:
            return f"the chain ends at seq {seq}, but seq {after_seq} was anchored"
        found = AuditEvent.objects.filter(organisation_id=org_id, seq=after_seq).values_list(
            "hash", flat=True).first()
        if found != after_hash:
            return f"the event at seq {after_seq} is not the one anchored"
    report = walk_chain(org_id, after_seq=after_seq, after_hash=after_hash, upto_seq=seq)
    if not report.ok:
        return f"seq {report.broken_seq}: {report.reason}"
    if report.last_hash != digest or after_seq + report.events != seq:
        return "the chain head does not match the last row"
    return None


def record_restore(heads: list[dict[str, Any]], backup_at: str) -> list[dict[str, Any]]:
    """One signed restore record per organisation of a restored backup: its chain may end
    exactly there, whatever was anchored after (verify reports it)."""
    return append({"kind": "restore", "org_id": h["org_id"], "org": h["org"], "seq": h["seq"],
                   "hash": h["hash"], "backup_at": backup_at, "at": _now()} for h in heads)


def record_offboard(org_id: int, slug: str, seq: int, digest: str) -> list[dict[str, Any]]:
    """A signed record that a municipality was offboarded (its rows deleted after an export,
    ADR 0030) with its chain's last head: verify no longer looks for it in the database."""
    return append([{"kind": "offboard", "org_id": org_id, "org": slug, "seq": seq,
                    "hash": digest, "at": _now()}])


def rotate_key() -> tuple[str | None, str]:
    """A new signing key, recorded in the log (signed by the new key) with the retired one."""
    state = read_log()
    if state.problems:
        raise AnchorError("the anchor log does not verify: " + "; ".join(state.problems[:3]))
    try:
        old, new = keys.rotate()
    except keys.KeyDirError as exc:
        raise AnchorError(str(exc)) from None
    append([{"kind": "rotate", "retired": old, "at": _now()}], signer=new)
    return old, new.key_id


# --- verify -------------------------------------------------------------------------------------


@dataclass
class OrgVerdict:
    organisation_id: int
    slug: str
    events: int = 0
    reason: str = ""
    broken_seq: int | None = None
    broken_id: int | None = None
    anchored_seq: int = 0
    anchored_at: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reason


@dataclass
class Verification:
    log: LogState
    verdicts: list[OrgVerdict]
    missing: list[str]  # anchored organisations no longer in the database

    @property
    def ok(self) -> bool:
        return not self.log.problems and not self.missing and all(v.ok for v in self.verdicts)


def _hashes_at(org_id: int, seqs: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(seqs)
    for start in range(0, len(ordered), 500):
        found.update(AuditEvent.objects.filter(organisation_id=org_id,
                                               seq__in=ordered[start:start + 500])
                     .values_list("seq", "hash"))
    return found


def _check_anchors(verdict: OrgVerdict, records: list[dict[str, Any]]) -> None:
    """The chain (which verified on its own) against this organisation's records, in log order.
    After the last restore record, anchors of the lost tail (above the restored head) no
    longer bind; everything up to the restored head still does."""
    restores = [i for i, r in enumerate(records) if r["kind"] == "restore"]
    last_restore = records[restores[-1]] if restores else None
    binding = []
    superseded = 0
    for i, record in enumerate(records):
        if (last_restore is not None and i < restores[-1]
                and record["seq"] > last_restore["seq"]):
            superseded = max(superseded, record["seq"] - last_restore["seq"])
            continue
        binding.append(record)
    hashes = _hashes_at(verdict.organisation_id, {r["seq"] for r in binding if r["seq"] > 0})
    matched = 0
    for record in sorted(binding, key=lambda r: r["seq"]):
        seq = record["seq"]
        if seq == 0:
            continue
        when = record.get("at", "?")
        if seq not in hashes:
            verdict.reason = (f"cut off: the chain ends at seq {verdict.events}, but seq {seq} "
                              f"was anchored at {when}; events {verdict.events + 1}..{seq} "
                              "are missing")
            verdict.broken_seq = verdict.events + 1
            return
        if hashes[seq] != record["hash"]:
            verdict.reason = (f"rewritten: the event at seq {seq} is not the one anchored at "
                              f"{when}; the change lies in seq {matched + 1}..{seq}")
            verdict.broken_seq = matched + 1
            return
        matched = seq
        if seq >= verdict.anchored_seq:
            verdict.anchored_seq, verdict.anchored_at = seq, when
    if last_restore is not None:
        verdict.notes.append(
            f"restored from the backup of {last_restore.get('backup_at', '?')} at seq "
            f"{last_restore['seq']} on {last_restore.get('at', '?')}"
            + (f"; {superseded} anchored event(s) after it were lost by the restore"
               if superseded else ""))


def verify(organisations: list[tuple[int, str]], *, all_organisations: bool = True
           ) -> Verification:
    """Every chain on its own (audit_verify), then against every anchor and restore record."""
    log = read_log()
    by_org: dict[int, list[dict[str, Any]]] = {}
    for record in log.records:
        if record.get("kind") in ("anchor", "restore") and record.get("org_id") is not None:
            by_org.setdefault(record["org_id"], []).append(record)
    verdicts = []
    for org_id, slug in organisations:
        report = audit_verify(org_id)
        verdict = OrgVerdict(org_id, slug, report.events)
        if not report.ok:
            verdict.reason, verdict.broken_seq = report.reason, report.broken_seq
            verdict.broken_id = report.broken_id
        else:
            _check_anchors(verdict, by_org.get(org_id, []))
        verdicts.append(verdict)
    missing = []
    if all_organisations:
        known = {org_id for org_id, _ in organisations}
        last_restore_line = max((i for i, r in enumerate(log.records) if r["kind"] == "restore"),
                                default=-1)
        offboarded = {r.get("org_id") for r in log.records if r.get("kind") == "offboard"}
        for org_id, records in by_org.items():
            if org_id in known or org_id in offboarded:
                continue
            last_index = log.records.index(records[-1])
            if last_index < last_restore_line:
                continue  # anchored after the backup was taken; lost by the restore
            missing.append(f"{records[-1].get('org', org_id)} (id {org_id}) was anchored at seq "
                           f"{records[-1]['seq']} but is not in the database")
    return Verification(log, verdicts, missing)
