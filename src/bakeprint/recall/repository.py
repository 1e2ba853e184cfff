"""Recall queries, always inside one bakery."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.errors import NotFound
from bakeprint.recall.models import Recall


def open_count(session: Session, tenant_id: uuid.UUID) -> int:
    """How many recalls are open."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Recall)
            .where(Recall.tenant_id == tenant_id, Recall.status == "open")
        )
        or 0
    )


def by_id(session: Session, tenant_id: uuid.UUID, recall_id: uuid.UUID) -> Recall:
    recall = session.get(Recall, (tenant_id, recall_id))
    if recall is None:
        raise NotFound("找不到该召回", "recall not found")
    return recall
