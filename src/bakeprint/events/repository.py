"""Event-log queries, always inside one bakery."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.errors import NotFound
from bakeprint.events.models import DailyAnchor, Event


def newest(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    subject: str | None = None,
    before: int = 0,
    limit: int = 50,
) -> list[Event]:
    """The latest events, newest first (``before``: older than that seq)."""
    stmt = select(Event).where(Event.tenant_id == tenant_id)
    if subject:
        stmt = stmt.where(Event.subject == subject)
    if before:
        stmt = stmt.where(Event.seq < before)
    return list(session.scalars(stmt.order_by(Event.seq.desc()).limit(limit)))


def in_order(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    after: int = 0,
    subject: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[Event]:
    """Events after ``after`` in chain order."""
    stmt = select(Event).where(Event.tenant_id == tenant_id, Event.seq > after)
    if subject:
        stmt = stmt.where(Event.subject == subject)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return list(session.scalars(stmt.order_by(Event.seq).limit(limit)))


def get(session: Session, tenant_id: uuid.UUID, seq: int) -> Event:
    ev = session.get(Event, (tenant_id, seq))
    if ev is None:
        raise NotFound(f"找不到事件 #{seq}", f"event #{seq} not found")
    return ev


def anchors(session: Session, tenant_id: uuid.UUID) -> list[DailyAnchor]:
    """The anchored days, newest first."""
    return list(
        session.scalars(
            select(DailyAnchor)
            .where(DailyAnchor.tenant_id == tenant_id)
            .order_by(DailyAnchor.day.desc())
        )
    )


def of_subject(
    session: Session, tenant_id: uuid.UUID, subject: str, kinds: Iterable[str]
) -> list[Event]:
    """A subject's events of these kinds, by event time."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.tenant_id == tenant_id,
                Event.subject == subject,
                Event.kind.in_(tuple(kinds)),
            )
            .order_by(Event.event_time)
        )
    )
