"""Delivering recall notices to the shops' webhooks from the outbox.

A notice is written to the outbox in the transaction that opens the recall.
The dispatcher claims due messages (a lease: their next attempt moves into
the future and the claim commits), POSTs each one outside any transaction,
then records the outcome. A 2xx marks it delivered; anything else is retried
with exponential backoff (5 s, 10 s, 20 s … capped at an hour) up to
``MAX_ATTEMPTS``. Every attempt carries the same ``X-Bakeprint-Delivery`` id,
so if the dispatcher dies between a receiver's 2xx and recording it, the
receiver recognises the repeat; on our side a message is delivered once.

Signature: ``X-Bakeprint-Signature: sha256=HEX`` where HEX is HMAC-SHA256 of
``<timestamp>.<body>`` with the shop's webhook secret, and the timestamp is in
``X-Bakeprint-Timestamp`` (reject old ones to stop replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import PointOfSale
from bakeprint.db import utcnow
from bakeprint.sensors.models import OutboxMessage

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)
NO_WEBHOOK = "no webhook configured: the notice is on the shop's page"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass
class Stats:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    ui_only: int = 0
    errors: list[str] = field(default_factory=list)


class Sessions(Protocol):
    """Where the dispatcher gets its transactions (a Database in production)."""

    @property
    def dialect(self) -> str: ...

    def session(self, *, write: bool = True) -> AbstractContextManager[Session]: ...


def _claim(
    db: Sessions, now: datetime, limit: int
) -> list[tuple[str, str, str, dict[str, Any]]]:
    out = []
    with db.session() as s:
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.topic == "recall.notice",
                OutboxMessage.delivered_at.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                OutboxMessage.available_at <= now,
            )
            .order_by(OutboxMessage.available_at)
            .limit(limit)
        )
        if db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        for m in s.scalars(stmt):
            m.available_at = now + LEASE  # claimed: another dispatcher skips it
            out.append((str(m.tenant_id), str(m.id), m.recipient, dict(m.payload)))
    return out


def dispatch_once(
    db: Sessions,
    *,
    http: httpx.Client | None = None,
    now: datetime | None = None,
    limit: int = 50,
) -> Stats:
    """Deliver what is due now; returns what happened."""
    import uuid

    now = now or utcnow()
    stats = Stats()
    client = http or httpx.Client(timeout=10)
    try:
        for tenant_id, msg_id, recipient, payload in _claim(db, now, limit):
            t, mid = uuid.UUID(tenant_id), uuid.UUID(msg_id)
            with db.session(write=False) as s:
                pos = s.scalar(
                    select(PointOfSale).where(
                        PointOfSale.tenant_id == t,
                        PointOfSale.code == recipient.removeprefix("pos:"),
                    )
                )
                url = pos.webhook_url if pos else None
                secret = (pos.webhook_secret or "") if pos else ""
            ok, error = False, ""
            if not url:
                error = NO_WEBHOOK
            else:
                body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
                ts = str(int(now.timestamp()))
                try:
                    r = client.post(
                        url,
                        content=body,
                        headers={
                            "Content-Type": "application/json",
                            "X-Bakeprint-Event": "recall.notice",
                            "X-Bakeprint-Delivery": msg_id,
                            "X-Bakeprint-Timestamp": ts,
                            "X-Bakeprint-Signature": sign(secret, ts, body),
                        },
                    )
                    ok = 200 <= r.status_code < 300
                    error = "" if ok else f"HTTP {r.status_code}: {r.text[:200]}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"[:300]
            with db.session() as s:
                m = s.get(OutboxMessage, (t, mid))
                if m is None or m.delivered_at is not None:
                    continue
                if ok:
                    m.delivered_at = utcnow()
                    m.attempts += 1
                    m.last_error = ""
                    stats.delivered += 1
                elif error == NO_WEBHOOK:
                    m.delivered_at = utcnow()
                    m.last_error = NO_WEBHOOK
                    stats.ui_only += 1
                else:
                    m.attempts += 1
                    m.last_error = error
                    m.available_at = now + backoff(m.attempts)
                    if m.attempts >= MAX_ATTEMPTS:
                        stats.failed += 1
                    else:
                        stats.retried += 1
                    stats.errors.append(f"{recipient}: {error}")
    finally:
        if http is None:
            client.close()
    return stats
