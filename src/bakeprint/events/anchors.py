"""Daily anchors (R6.3): the Merkle root of a day's event hashes, with their
count, signed with the bakery's Ed25519 key — a small statement a bakery can
publish (a website, a newspaper notice, a partner's inbox). Later, anyone with
the statement and the database can prove that day's events unchanged; if one
was altered, ``verify_statement`` names it.

The day is the bakery's calendar day of the events' *recording* (record
time), so a day's set never changes once the day is over. Leaves are the
events' chain hashes recomputed from their content, in sequence order; the
tree is RFC 6962's (leaf 0x00, node 0x01 prefixes; the split at the largest
power of two), so a second preimage cannot pass for a leaf.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import keys
from bakeprint.db import utcnow
from bakeprint.errors import Invalid, NotFound
from bakeprint.events.models import DailyAnchor, Event
from bakeprint.identity.models import Tenant

KIND = "bakeprint.daily-anchor"


# --- the Merkle tree ----------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash of ``leaves`` (the empty tree: SHA-256 of '')."""
    if not leaves:
        return hashlib.sha256(b"").digest()

    def mth(lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 1:
            return leaf_hash(leaves[lo])
        k = 1 << ((n - 1).bit_length() - 1)  # largest power of two below n
        return node_hash(mth(lo, lo + k), mth(lo + k, hi))

    return mth(0, len(leaves))


# --- making an anchor ------------------------------------------------------------


def _bounds(tenant: Tenant, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tenant.timezone)
    return (
        datetime.combine(day, time.min, zone),
        datetime.combine(day + timedelta(days=1), time.min, zone),
    )


def _day_events(session: Session, tenant: Tenant, day: date) -> list[Event]:
    lo, hi = _bounds(tenant, day)
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.tenant_id == tenant.id,
                Event.record_time >= lo,
                Event.record_time < hi,
            )
            .order_by(Event.seq)
        )
    )


def _unsigned(statement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k != "signature"}


def today(tenant: Tenant) -> date:
    return utcnow().astimezone(ZoneInfo(tenant.timezone)).date()


def make(session: Session, tenant: Tenant, day: date) -> DailyAnchor:
    """Anchor a finished day (idempotent: an anchored day keeps its statement)."""
    existing = session.get(DailyAnchor, (tenant.id, day))
    if existing is not None:
        return existing
    if day >= today(tenant):
        raise Invalid(
            f"{day} 还没过完：只能锚定已结束的日子",
            f"{day} is not over yet: only a finished day can be anchored",
            field="day",
        )
    events = _day_events(session, tenant, day)
    from bakeprint.events.service import recomputed_hash

    root = merkle_root([bytes.fromhex(recomputed_hash(e)) for e in events]).hex()
    key = keys.key_row(session, tenant.id, create=True)
    assert key is not None
    statement: dict[str, Any] = {
        "type": KIND,
        "version": 1,
        "bakery": tenant.slug,
        "timezone": tenant.timezone,
        "day": day.isoformat(),
        "events": len(events),
        "first_seq": events[0].seq if events else None,
        "last_seq": events[-1].seq if events else None,
        "merkle_root": root,
        "tree": "RFC 6962 SHA-256 over the events' chain hashes, in sequence order",
        "key_id": key.key_id,
        "public_key": keys.public_b64(key),
        "signed_at": utcnow().isoformat(timespec="seconds"),
    }
    statement["signature"] = keys.sign(session, tenant.id, _unsigned(statement))
    row = DailyAnchor(
        tenant_id=tenant.id,
        day=day,
        events=len(events),
        first_seq=statement["first_seq"],
        last_seq=statement["last_seq"],
        root=root,
        statement=statement,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def make_missing(session: Session, tenant: Tenant) -> list[DailyAnchor]:
    """Anchor every finished day since the first event that has no anchor."""
    first = session.scalar(
        select(Event.record_time)
        .where(Event.tenant_id == tenant.id)
        .order_by(Event.seq)
        .limit(1)
    )
    if first is None:
        return []
    have = set(
        session.scalars(
            select(DailyAnchor.day).where(DailyAnchor.tenant_id == tenant.id)
        )
    )
    day = first.astimezone(ZoneInfo(tenant.timezone)).date()
    out = []
    while day < today(tenant):
        if day not in have:
            out.append(make(session, tenant, day))
        day += timedelta(days=1)
    return out


def get(session: Session, tenant: Tenant, day: date) -> DailyAnchor:
    row = session.get(DailyAnchor, (tenant.id, day))
    if row is None:
        raise NotFound(f"{day} 没有锚定记录", f"no anchor for {day}")
    return row


# --- verifying a statement ---------------------------------------------------------


@dataclass
class Finding:
    ok: bool
    day: str
    events: int
    problems: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "day": self.day,
            "events": self.events,
            "problems": self.problems,
        }


def load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("type") != KIND:
        raise Invalid(
            "这不是 bakeprint 的每日锚定声明", "this is not a bakeprint daily anchor"
        )
    missing = [
        k
        for k in ("bakery", "day", "events", "merkle_root", "public_key", "signature")
        if k not in data
    ]
    if missing:
        raise Invalid(
            f"锚定声明缺少字段：{', '.join(missing)}",
            f"the anchor statement lacks: {', '.join(missing)}",
        )
    return data


def verify_statement(session: Session, statement: dict[str, Any]) -> Finding:
    """Check the signature, then recompute the day from the database: every
    event whose content no longer matches its hash is named; a changed count
    or root without such an event means events were added, removed or
    re-hashed."""
    problems: list[str] = []
    if not keys.verify(
        str(statement["public_key"]), _unsigned(statement), str(statement["signature"])
    ):
        problems.append(
            "签名无效：声明被改动过，或不是这把密钥签的 / the signature does not "
            "match: the statement was changed or not signed by this key"
        )
    tenant = session.scalar(select(Tenant).where(Tenant.slug == statement["bakery"]))
    if tenant is None:
        raise NotFound(
            f"数据库中没有面包坊 {statement['bakery']}",
            f"bakery {statement['bakery']} is not in this database",
        )
    key = keys.key_row(session, tenant.id, create=False)
    if key is not None and keys.public_b64(key) != statement["public_key"]:
        problems.append(
            "声明的公钥不是这家面包坊的签名密钥 / the statement's public key is not "
            "this bakery's signing key"
        )
    try:
        day = date.fromisoformat(statement["day"])
    except (TypeError, ValueError):
        raise Invalid("声明中的日期无效", "the statement's day is not a date") from None
    from bakeprint.events.service import recomputed_hash

    events = _day_events(session, tenant, day)
    leaves = []
    for ev in events:
        h = recomputed_hash(ev)
        if h != ev.hash:
            problems.append(
                f"事件 #{ev.seq}（{ev.kind} {ev.subject}）记录后被改动过 / event "
                f"#{ev.seq} ({ev.kind} {ev.subject}) was altered after it was recorded"
            )
        leaves.append(bytes.fromhex(h))
    if len(events) != statement["events"]:
        problems.append(
            f"当天事件数为 {len(events)}，声明中为 {statement['events']} / the day "
            f"holds {len(events)} events, the statement {statement['events']}"
        )
    root = merkle_root(leaves).hex()
    if root != statement["merkle_root"] and not problems:
        problems.append(
            "默克尔根不一致：事件被重新计算过哈希或被替换 / the Merkle root differs: "
            "events were replaced and re-hashed"
        )
    return Finding(not problems, day.isoformat(), len(events), problems)
