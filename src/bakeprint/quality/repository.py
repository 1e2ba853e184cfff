"""Quality queries (alerts, QC tasks, complaints), always inside one bakery."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.quality.models import BatchAlert, Complaint, QcTask


def open_counts(session: Session, tenant_id: uuid.UUID) -> dict[str, int]:
    """For the board: open level-2 and level-3 alerts, open QC tasks,
    complaints waiting for a verdict."""

    def count(model: Any, *where: Any) -> int:
        return int(
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.tenant_id == tenant_id, *where)
            )
            or 0
        )

    return {
        "level2": count(BatchAlert, BatchAlert.status == "open", BatchAlert.level == 2),
        "level3": count(BatchAlert, BatchAlert.status == "open", BatchAlert.level == 3),
        "tasks": count(QcTask, QcTask.status == "open"),
        "complaints": count(Complaint, Complaint.status == "received"),
    }


def complaints_by_id(
    session: Session, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Complaint]:
    """id -> complaint for these complaints, in one query."""
    if not ids:
        return {}
    return {
        c.id: c
        for c in session.scalars(
            select(Complaint).where(
                Complaint.tenant_id == tenant_id, Complaint.id.in_(ids)
            )
        )
    }


def alert_of_complaint(
    session: Session, tenant_id: uuid.UUID, complaint_code: str
) -> BatchAlert | None:
    """The level-3 alert a verified complaint raised, if any."""
    return session.scalar(
        select(BatchAlert).where(
            BatchAlert.tenant_id == tenant_id,
            BatchAlert.key == f"complaint:{complaint_code}",
        )
    )
