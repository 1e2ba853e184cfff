"""Material-lot queries, always inside one bakery."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.errors import NotFound
from bakeprint.materials.models import MaterialLot


def by_code(session: Session, tenant_id: uuid.UUID, code: str) -> MaterialLot | None:
    return session.scalar(
        select(MaterialLot).where(
            MaterialLot.tenant_id == tenant_id, MaterialLot.code == code
        )
    )


def get(session: Session, tenant_id: uuid.UUID, lot_id: uuid.UUID) -> MaterialLot:
    lot = session.get(MaterialLot, (tenant_id, lot_id))
    if lot is None:
        raise NotFound("找不到原料批次", "material lot not found")
    return lot


def get_by_code(session: Session, tenant_id: uuid.UUID, code: str) -> MaterialLot:
    lot = by_code(session, tenant_id, code)
    if lot is None:
        raise NotFound(f"找不到原料批次 {code}", f"material lot {code} not found")
    return lot


def for_update(
    session: Session, tenant_id: uuid.UUID, lot_id: uuid.UUID
) -> MaterialLot:
    """The lot with its row locked (SQLite: the writer already holds the lock)."""
    lot = session.scalar(
        select(MaterialLot)
        .where(MaterialLot.tenant_id == tenant_id, MaterialLot.id == lot_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if lot is None:
        raise NotFound("找不到原料批次", "material lot not found")
    return lot
