"""How an event row is hashed into the chain (R6.3)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_payload(
    *,
    seq: int,
    event_id: str,
    event_type: str,
    action: str | None,
    biz_step: str | None,
    event_time: datetime,
    event_tz: str,
    record_time: datetime,
    subject: str,
    kind: str,
    actor: str | None,
    corrects_seq: int | None,
    body: dict[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "event_id": event_id,
        "event_type": event_type,
        "action": action,
        "biz_step": biz_step,
        "event_time": _iso(event_time),
        "event_tz": event_tz,
        "record_time": _iso(record_time),
        "subject": subject,
        "kind": kind,
        "actor": actor,
        "corrects_seq": corrects_seq,
        "body": body,
    }


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of this event."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()
