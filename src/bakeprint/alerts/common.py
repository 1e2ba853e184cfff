"""What every level of alert shares: a person takes it in hand."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Conflict, NotFound
from bakeprint.identity.service import Actor


def acknowledge_row(
    session: Session,
    model: Any,
    row_id: uuid.UUID,
    *,
    note: str,
    actor: Actor,
    missing: tuple[str, str],
) -> Any:
    """A person takes an alert (any kind with status/acknowledged_*/note) in
    hand, once; who and when are kept."""
    row = session.scalar(
        select(model)
        .where(model.tenant_id == actor.tenant_id, model.id == row_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound(*missing)
    if row.status == "acknowledged":
        raise Conflict(
            f"这条告警已由 {row.acknowledged_by} 确认",
            f"this alert was already acknowledged by {row.acknowledged_by}",
        )
    row.status = "acknowledged"
    row.acknowledged_by = actor.username
    row.acknowledged_at = utcnow()
    row.note = note
    session.flush()
    return row
