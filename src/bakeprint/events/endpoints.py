"""HTTP API: read the event log and verify its hash chain."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from bakeprint.deps import CanAdminUsers, CanRead, SessionDep
from bakeprint.events import repository as log
from bakeprint.events import service as events
from bakeprint.events.models import MAX_SEQ, Event
from bakeprint.events.schemas import EventPage, EventRead, VerifyReport
from bakeprint.identity import repository as tenants

router = APIRouter(prefix="/events", tags=["events"])


@router.get("", response_model=EventPage)
def list_events(
    session: SessionDep,
    actor: CanRead,
    subject: str | None = None,
    kind: str | None = None,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """Events of the caller's bakery in chain order, optionally for one subject."""
    rows = log.in_order(
        session,
        actor.tenant_id,
        after=after,
        subject=subject,
        kind=kind,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPage(
        items=[EventRead.model_validate(r) for r in rows],
        next_after=rows[-1].seq if more and rows else None,
    )


@router.get("/verify", response_model=VerifyReport)
def verify(session: SessionDep, actor: CanRead) -> VerifyReport:
    """Walk the hash chain and name every event that no longer matches."""
    count, problems = events.verify(session, actor.tenant_id)
    head = events.head(session, actor.tenant_id)
    return VerifyReport(
        ok=not problems,
        events_checked=count,
        head_seq=head.last_seq if head else 0,
        head_hash=head.last_hash if head else "",
        problems=[p.as_dict() for p in problems],
    )


@router.get("/{seq}", response_model=EventRead)
def get_event(
    seq: Annotated[int, Path(ge=1, le=MAX_SEQ)], session: SessionDep, actor: CanRead
) -> Event:
    """One event by its position in the chain."""
    return log.get(session, actor.tenant_id, seq)


anchor_router = APIRouter(prefix="/anchors", tags=["events"])


class AnchorCreate(BaseModel):
    day: date


@anchor_router.get("")
def list_anchors(session: SessionDep, actor: CanRead) -> list[dict[str, Any]]:
    """Anchored days, newest first: count, Merkle root."""
    rows = log.anchors(session, actor.tenant_id)
    return [
        {
            "day": a.day,
            "events": a.events,
            "merkle_root": a.root,
            "first_seq": a.first_seq,
            "last_seq": a.last_seq,
        }
        for a in rows
    ]


@anchor_router.get("/{day}")
def get_anchor(day: date, session: SessionDep, actor: CanRead) -> dict[str, Any]:
    """A day's signed statement, as published."""
    from bakeprint.events import anchors

    return anchors.get(session, tenants.get(session, actor.tenant_id), day).statement


@anchor_router.post("", status_code=201)
def create_anchor(
    data: AnchorCreate, session: SessionDep, actor: CanAdminUsers
) -> dict[str, Any]:
    """Anchor a finished day (again: the same statement)."""
    from bakeprint.events import anchors

    return anchors.make(
        session, tenants.get(session, actor.tenant_id), data.day
    ).statement
