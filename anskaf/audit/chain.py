"""Hashing of audit events: canonical JSON of the content plus the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def event_content(*, organisation_id: int, seq: int, at: datetime, actor_id: int | None,
                  actor_name: str, actor_role: str, event_type: str, object_type: str,
                  object_id: str, case_id: int | None, before: Any, after: Any,
                  request_id: str) -> dict[str, Any]:
    return {
        "organisation": organisation_id,
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "event_type": event_type,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "before": before,
        "after": after,
        "request_id": request_id,
    }


def chain_hash(content: dict[str, Any], prev_hash: str) -> str:
    payload = canonical_json({"content": content, "prev": prev_hash})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
