"""EPCIS error declarations: "this event was wrong" (EPCIS 2.0 §7.4.1.2).

A declaration is a new row of the log (history is append-only): the declared
event's body with its ``errorDeclaration``, kind ``error_declaration``,
``corrects_seq`` pointing at the declared event. All share one subject, so
they are found through the (tenant, subject, kind) index. Whatever counts
events as facts (trace and recall scope, announced incoming lots) leaves a
declared-erroneous event out.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from bakeprint.events.models import Event

KIND = "error_declaration"
SUBJECT = "epcis:error-declaration"


def _declarations(tenant_id: uuid.UUID) -> Select[Event]:
    return select(Event).where(
        Event.tenant_id == tenant_id, Event.subject == SUBJECT, Event.kind == KIND
    )


def latest(session: Session, tenant_id: uuid.UUID, seqs: list[int]) -> dict[int, Event]:
    """The latest error declaration of each of these events (by seq)."""
    if not seqs:
        return {}
    out: dict[int, Event] = {}
    stmt = _declarations(tenant_id).where(Event.corrects_seq.in_(seqs))
    for row in session.scalars(stmt.order_by(Event.seq)):
        if row.corrects_seq is not None:
            out[row.corrects_seq] = row
    return out


def declared_seqs_query(tenant_id: uuid.UUID) -> Select[int | None]:
    """The seqs of the events declared erroneous, as a subquery."""
    return select(Event.corrects_seq).where(
        Event.tenant_id == tenant_id,
        Event.subject == SUBJECT,
        Event.kind == KIND,
        Event.corrects_seq.is_not(None),  # NOT IN with a NULL matches nothing
    )


def declared_event_ids(session: Session, tenant_id: uuid.UUID) -> set[str]:
    """The eventIDs of the events declared erroneous."""
    declared = aliased(Event)
    return set(
        session.scalars(
            select(Event.event_id)
            .join(
                declared,
                (declared.tenant_id == Event.tenant_id)
                & (declared.corrects_seq == Event.seq),
            )
            .where(
                Event.tenant_id == tenant_id,
                declared.subject == SUBJECT,
                declared.kind == KIND,
            )
        )
    )
