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

The URL is a bakery's input, so every send is checked first (``outbound.pin``:
no inside addresses, the connection goes to the address that was checked),
redirects are not followed, each attempt has a time limit, and the target's
answer is never read: only its status is kept, so ``last_error`` — which
anyone who may read the recall sees — cannot carry what an inside service
replied.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import outbound
from bakeprint.catalog.models import PointOfSale
from bakeprint.config import settings
from bakeprint.db import utcnow
from bakeprint.outbox.models import OutboxMessage

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)
NO_WEBHOOK = "no webhook configured: the notice is on the shop's page"
# connecting may take 5 s, each read or write 10 s; the answer's body is not read
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


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


def _post(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    allow: outbound.Allow,
    resolve: outbound.Resolver,
) -> tuple[bool, str]:
    """One attempt: (delivered, what went wrong — never the target's words)."""
    try:
        target = outbound.pin(url, allow=allow, resolve=resolve)
    except outbound.Refused as exc:
        return False, f"refused: {exc.en}"
    try:
        with client.stream(
            "POST",
            target.url,
            content=body,
            headers={**headers, "Host": target.host},
            extensions=target.extensions,
            follow_redirects=False,
        ) as r:  # closed unread: only the status is used
            status = r.status_code
    except httpx.HTTPError as exc:
        return False, type(exc).__name__  # ConnectError, ReadTimeout…
    if 200 <= status < 300:
        return True, ""
    if 300 <= status < 400:
        return False, f"HTTP {status} (redirects are not followed)"
    return False, f"HTTP {status}"


def shown_error(error: str) -> str:
    """``last_error`` as shown: only the status of an HTTP answer (older
    versions stored the start of the target's reply after it)."""
    if error.startswith("HTTP ") and ":" in error:
        return error.split(":", 1)[0]
    return error


def dispatch_once(
    db: Sessions,
    *,
    http: httpx.Client | None = None,
    now: datetime | None = None,
    limit: int = 50,
    resolve: outbound.Resolver = outbound.system_resolve,
) -> Stats:
    """Deliver what is due now; returns what happened."""
    now = now or utcnow()
    stats = Stats()
    allow = settings.webhook_allowed
    # no proxy from the environment: it would resolve the name again itself
    client = http or httpx.Client(timeout=TIMEOUT, trust_env=False)
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
                headers = {
                    "Content-Type": "application/json",
                    "X-Bakeprint-Event": "recall.notice",
                    "X-Bakeprint-Delivery": msg_id,
                    "X-Bakeprint-Timestamp": ts,
                    "X-Bakeprint-Signature": sign(secret, ts, body),
                }
                ok, error = _post(
                    client, url, headers, body, allow=allow, resolve=resolve
                )
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
