"""Material-lot queries, always inside one bakery."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import MaterialType, Supplier
from bakeprint.errors import NotFound
from bakeprint.materials.models import MaterialLot


def by_code(session: Session, tenant_id: uuid.UUID, code: str) -> MaterialLot | None:
    return session.scalar(
        select(MaterialLot).where(
            MaterialLot.tenant_id == tenant_id, MaterialLot.code == code
        )
    )


def by_either_code(
    session: Session, tenant_id: uuid.UUID, code: str
) -> list[MaterialLot]:
    """The lot with our code, or else every intake with that supplier's lot
    number (a supplier's lot can come in several deliveries), oldest first."""
    key = code.strip()
    ours = by_code(session, tenant_id, key)
    if ours is not None:
        return [ours]
    return list(
        session.scalars(
            select(MaterialLot)
            .where(MaterialLot.tenant_id == tenant_id, MaterialLot.supplier_lot == key)
            .order_by(MaterialLot.received_at, MaterialLot.code)
        )
    )


def usable_in_stock(
    session: Session, tenant_id: uuid.UUID, *, limit: int = 40
) -> list[MaterialLot]:
    """Lots with something left that did not fail QC, newest first."""
    return list(
        session.scalars(
            select(MaterialLot)
            .where(
                MaterialLot.tenant_id == tenant_id,
                MaterialLot.consumed < MaterialLot.quantity,
                MaterialLot.qc_result != "fail",
            )
            .order_by(MaterialLot.received_at.desc())
            .limit(limit)
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


def search(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    material: str | None = None,
    supplier: str | None = None,
    qc_result: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    expiring_before: date | None = None,
    available: bool | None = None,
    limit: int = 200,
) -> list[MaterialLot]:
    stmt = select(MaterialLot).where(MaterialLot.tenant_id == tenant_id)
    if material:
        stmt = stmt.join(
            MaterialType,
            (MaterialType.tenant_id == MaterialLot.tenant_id)
            & (MaterialType.id == MaterialLot.material_type_id),
        ).where(MaterialType.code == material)
    if supplier:
        stmt = stmt.join(
            Supplier,
            (Supplier.tenant_id == MaterialLot.tenant_id)
            & (Supplier.id == MaterialLot.supplier_id),
        ).where(Supplier.code == supplier)
    if qc_result:
        stmt = stmt.where(MaterialLot.qc_result == qc_result)
    if received_from:
        stmt = stmt.where(MaterialLot.received_at >= _start(received_from))
    if received_to:
        stmt = stmt.where(MaterialLot.received_at < _start(received_to, 1))
    if expiring_before:
        stmt = stmt.where(MaterialLot.expires_on < expiring_before)
    if available is not None:
        left = MaterialLot.quantity - MaterialLot.consumed > 1e-9
        stmt = stmt.where(left if available else ~left)
    stmt = stmt.order_by(MaterialLot.received_at.desc(), MaterialLot.code.desc())
    return list(session.scalars(stmt.limit(limit)))


def _start(day: date, plus: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=plus), time(), UTC)


def with_type_and_supplier(tenant_id: uuid.UUID) -> Any:
    """Lots with their material type and supplier (callers add filters)."""
    return (
        select(MaterialLot, MaterialType, Supplier)
        .join(
            MaterialType,
            (MaterialType.tenant_id == MaterialLot.tenant_id)
            & (MaterialType.id == MaterialLot.material_type_id),
        )
        .join(
            Supplier,
            (Supplier.tenant_id == MaterialLot.tenant_id)
            & (Supplier.id == MaterialLot.supplier_id),
        )
        .where(MaterialLot.tenant_id == tenant_id)
    )


def of_ids_with_type_and_supplier(
    session: Session, tenant_id: uuid.UUID, lot_ids: set[uuid.UUID]
) -> list[Any]:
    """(lot, material type, supplier) of these lots, oldest received first."""
    return list(
        session.execute(
            with_type_and_supplier(tenant_id)
            .where(MaterialLot.id.in_(lot_ids))
            .order_by(MaterialLot.received_at)
        ).all()
    )
