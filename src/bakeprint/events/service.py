"""Append to and verify the hash-chained event log.

Every recorded fact appends exactly one event in the same transaction as the
fact itself. Events are never updated or deleted; a correction is a new event
whose ``corrects_seq`` points at the event it corrects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Invalid, NotFound
from bakeprint.events import subscribers
from bakeprint.events.hashing import GENESIS, chain_hash, row_payload
from bakeprint.events.models import ChainHead, Event
from bakeprint.identity.models import Tenant

# CBV 2.0 business steps and dispositions (bare names, as EPCIS 2.0 JSON writes
# them; the same lists as the CBV JSON-LD context, checked by a test).
BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    ]
)
DISPOSITIONS = frozenset(
    [
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    ]
)
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransformationEvent",
    "TransactionEvent",
    "AssociationEvent",
)


@dataclass(frozen=True)
class Problem:
    seq: int
    event_id: str | None
    problem: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "event_id": self.event_id,
            "problem": self.problem,
            "message": self.message,
        }


def tz_offset(tz_name: str, when: datetime) -> str:
    off = when.astimezone(ZoneInfo(tz_name)).utcoffset()
    assert off is not None
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# session.info key: the (last_seq, last_hash) this session last left each
# tenant's chain head at — a hint checked by the next append, never trusted
_HEADS = "bakeprint.events.heads"


def init_chain(session: Session, tenant_id: uuid.UUID) -> None:
    session.add(ChainHead(tenant_id=tenant_id, last_seq=0, last_hash=GENESIS))
    session.flush()


def append(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    kind: str,
    subject: str,
    event_type: str,
    biz_step: str | None,
    event_time: datetime,
    action: str | None = "OBSERVE",
    disposition: str | None = None,
    fields: dict[str, Any] | None = None,
    extension: dict[str, Any] | None = None,
    actor: str | None = None,
    corrects_seq: int | None = None,
) -> Event:
    """Append one EPCIS-shaped event to the tenant's chain, run the reactions
    subscribed to its ``kind`` (``events.subscribers``), and return it.

    ``fields`` are EPCIS 2.0 JSON members (epcList, quantityList, inputQuantityList,
    readPoint, bizLocation, ilmd, sensorElementList…); ``extension`` holds
    bakeprint's own data, exported under the ``bp:`` prefix.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown EPCIS event type {event_type}")
    if biz_step is not None and biz_step not in BIZ_STEPS:
        raise ValueError(f"unknown CBV business step {biz_step}")
    if disposition is not None and disposition not in DISPOSITIONS:
        raise ValueError(f"unknown CBV disposition {disposition}")
    if event_time.tzinfo is None:
        raise ValueError("event_time needs a time zone")
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("找不到该面包坊", "bakery not found")
    if corrects_seq is not None:
        exists = session.scalar(
            select(Event.seq).where(
                Event.tenant_id == tenant_id, Event.seq == corrects_seq
            )
        )
        if exists is None:
            raise Invalid(
                f"要更正的事件 #{corrects_seq} 不存在",
                f"event #{corrects_seq} to correct does not exist",
            )

    event_tz = tz_offset(tenant.timezone, event_time)
    body: dict[str, Any] = {
        "type": event_type,
        "eventTime": event_time.astimezone(ZoneInfo(tenant.timezone)).isoformat(
            timespec="milliseconds"
        ),
        "eventTimeZoneOffset": event_tz,
    }
    if action:
        body["action"] = action
    if biz_step:
        body["bizStep"] = biz_step
    if disposition:
        body["disposition"] = disposition
    body.update(fields or {})
    for key, value in (extension or {}).items():
        body[f"bp:{key}"] = value
    if corrects_seq is not None:
        body["bp:corrects"] = corrects_seq
    ev = _insert(
        session,
        tenant_id,
        event_id=f"urn:uuid:{uuid.uuid4()}",
        event_type=event_type,
        action=action,
        biz_step=biz_step,
        event_time=event_time,
        event_tz=event_tz,
        subject=subject,
        kind=kind,
        actor=actor,
        corrects_seq=corrects_seq,
        body=body,
    )
    subscribers.dispatch(session, ev)  # the reactions commit with their cause
    return ev


def append_captured(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    event_id: str,
    body: dict[str, Any],
    event_time: datetime,
    subject: str,
    actor: str | None,
    kind: str = "captured",
    corrects_seq: int | None = None,
) -> Event:
    """Append an event received from a partner (EPCIS capture) as it came:
    its own eventID, time, offset and members, chained like any other (an
    error declaration: ``kind`` and the declared event's ``corrects_seq``)."""
    return _insert(
        session,
        tenant_id,
        event_id=event_id,
        event_type=body["type"],
        action=body.get("action"),
        biz_step=body.get("bizStep"),
        event_time=event_time,
        event_tz=body["eventTimeZoneOffset"],
        subject=subject,
        kind=kind,
        actor=actor,
        corrects_seq=corrects_seq,
        body=body,
    )


def _insert(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    event_id: str,
    event_type: str,
    action: str | None,
    biz_step: str | None,
    event_time: datetime,
    event_tz: str,
    subject: str,
    kind: str,
    actor: str | None,
    corrects_seq: int | None,
    body: dict[str, Any],
) -> Event:
    values: dict[str, Any] = dict(
        event_id=event_id,
        event_type=event_type,
        action=action,
        biz_step=biz_step,
        event_time=event_time,
        event_tz=event_tz,
        record_time=utcnow(),
        subject=subject,
        kind=kind,
        actor=actor,
        corrects_seq=corrects_seq,
        body=body,
    )
    heads: dict[uuid.UUID, tuple[int, str]] = session.info.setdefault(_HEADS, {})
    known = heads.get(tenant_id)
    seq: int | None = None
    digest = prev_hash = ""
    if known is not None:
        # This session appended to the chain before: move the head from the
        # (seq, hash) it left only if it is still there — one statement that
        # both takes the row lock and checks nothing changed it (another
        # writer, a rolled-back savepoint); otherwise read it as below.
        seq, prev_hash = known[0] + 1, known[1]
        digest = chain_hash(prev_hash, row_payload(seq=seq, **values))
        moved = session.execute(
            update(ChainHead)
            .where(
                ChainHead.tenant_id == tenant_id,
                ChainHead.last_seq == known[0],
                ChainHead.last_hash == prev_hash,
            )
            .values(last_seq=seq, last_hash=digest)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            seq = None
    if seq is None:
        # Taking the head's row lock first serialises appends per tenant.
        head = session.execute(
            update(ChainHead)
            .where(ChainHead.tenant_id == tenant_id)
            .values(last_seq=ChainHead.last_seq + 1)
            .returning(ChainHead.last_seq, ChainHead.last_hash)
        ).one()
        seq, prev_hash = int(head[0]), str(head[1])
        digest = chain_hash(prev_hash, row_payload(seq=seq, **values))
        session.execute(
            update(ChainHead)
            .where(ChainHead.tenant_id == tenant_id)
            .values(last_hash=digest)
        )
    # one INSERT … RETURNING gives the ORM object (no read-back)
    assert seq is not None
    ev = session.scalars(
        insert(Event).returning(Event),
        [
            dict(
                tenant_id=tenant_id, seq=seq, prev_hash=prev_hash, hash=digest, **values
            )
        ],
    ).one()
    heads[tenant_id] = (seq, digest)
    return ev


def for_subject(session: Session, tenant_id: uuid.UUID, subject: str) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.tenant_id == tenant_id, Event.subject == subject)
            .order_by(Event.seq)
        )
    )


def head(session: Session, tenant_id: uuid.UUID) -> ChainHead | None:
    return session.get(ChainHead, tenant_id)


def iter_events(
    session: Session, tenant_id: uuid.UUID, *, batch: int = 2000
) -> Iterator[Event]:
    last = 0
    while True:
        rows = list(
            session.scalars(
                select(Event)
                .where(Event.tenant_id == tenant_id, Event.seq > last)
                .order_by(Event.seq)
                .limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def recomputed_hash(ev: Event) -> str:
    """The chain hash an event's stored content gives (equal to ``ev.hash``
    unless the row was changed after it was recorded)."""
    payload = row_payload(
        seq=ev.seq,
        event_id=ev.event_id,
        event_type=ev.event_type,
        action=ev.action,
        biz_step=ev.biz_step,
        event_time=ev.event_time,
        event_tz=ev.event_tz,
        record_time=ev.record_time,
        subject=ev.subject,
        kind=ev.kind,
        actor=ev.actor,
        corrects_seq=ev.corrects_seq,
        body=ev.body,
    )
    return chain_hash(ev.prev_hash, payload)


def verify(session: Session, tenant_id: uuid.UUID) -> tuple[int, list[Problem]]:
    """Walk the tenant's chain; return (events checked, problems found).

    A row edited in place fails its own hash; a row removed or re-hashed breaks
    the link of the next one — either way the exact sequence number is named.
    """
    problems: list[Problem] = []
    prev_hash = GENESIS
    expected = 1
    count = 0
    for ev in iter_events(session, tenant_id):
        count += 1
        if ev.seq != expected:
            problems.append(
                Problem(
                    expected,
                    None,
                    "missing",
                    f"事件 #{expected}–#{ev.seq - 1} 缺失 / events #{expected}–"
                    f"#{ev.seq - 1} are missing",
                )
            )
        if ev.prev_hash != prev_hash:
            problems.append(
                Problem(
                    ev.seq,
                    ev.event_id,
                    "broken_link",
                    f"事件 #{ev.seq} 与前一事件的链接断开 / event #{ev.seq} does not "
                    "link to the event before it",
                )
            )
        if recomputed_hash(ev) != ev.hash:
            problems.append(
                Problem(
                    ev.seq,
                    ev.event_id,
                    "altered",
                    f"事件 #{ev.seq} 的内容被改动过 / event #{ev.seq} was altered "
                    "after it was recorded",
                )
            )
        prev_hash = ev.hash
        expected = ev.seq + 1
    chain_head = head(session, tenant_id)
    if chain_head is not None and chain_head.last_seq != expected - 1:
        problems.append(
            Problem(
                chain_head.last_seq,
                None,
                "truncated",
                f"链尾应为 #{chain_head.last_seq}，实际为 #{expected - 1} / the chain "
                f"should end at #{chain_head.last_seq} but ends at #{expected - 1}",
            )
        )
    elif chain_head is not None and count and chain_head.last_hash != prev_hash:
        problems.append(
            Problem(
                chain_head.last_seq,
                None,
                "head_mismatch",
                "链尾哈希不一致 / the chain head hash does not match the last event",
            )
        )
    return count, problems
