"""Batch queries, always inside one bakery."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Product
from bakeprint.chronology import Moment
from bakeprint.errors import NotFound
from bakeprint.production.models import BakeRecord, Batch


def by_code(session: Session, tenant_id: uuid.UUID, code: str) -> Batch | None:
    return session.scalar(
        select(Batch).where(Batch.tenant_id == tenant_id, Batch.code == code.strip())
    )


def get(session: Session, tenant_id: uuid.UUID, code: str) -> Batch:
    batch = by_code(session, tenant_id, code)
    if batch is None:
        raise NotFound(f"找不到批次 {code}", f"batch {code} not found")
    return batch


def for_update(session: Session, tenant_id: uuid.UUID, code: str) -> Batch:
    """The batch with its row locked until the transaction ends."""
    batch = session.scalar(
        select(Batch)
        .where(Batch.tenant_id == tenant_id, Batch.code == code.strip())
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if batch is None:
        raise NotFound(f"找不到批次 {code}", f"batch {code} not found")
    return batch


def search(
    tenant_id: uuid.UUID,
    *,
    day: date | None = None,
    line: str | None = None,
    session_: str | None = None,
    status: str | None = None,
    gtin: str | None = None,
) -> Select[Any]:
    stmt = select(Batch).where(Batch.tenant_id == tenant_id)
    if day:
        stmt = stmt.where(Batch.production_date == day)
    if line:
        stmt = stmt.where(Batch.line_code == line.upper())
    if session_:
        stmt = stmt.where(Batch.session == session_.upper())
    if status:
        stmt = stmt.where(Batch.status == status)
    if gtin:
        stmt = stmt.join(
            Product,
            (Product.tenant_id == Batch.tenant_id) & (Product.id == Batch.product_id),
        ).where(Product.gtin == gtin.zfill(14))
    return stmt.order_by(Batch.production_date.desc(), Batch.code.desc())


# A batch's own times, as messages name them ("批次 … 的开始时间").
_BATCH_TIMES = {
    "started_at": ("开始时间", "start time"),
    "ended_at": ("生产结束时间", "end of production"),
    "packed_at": ("包装时间", "packing time"),
}


def batch_time(batch: Batch, attr: str) -> Moment:
    """One of the batch's recorded times, to check another time against."""
    zh, en = _BATCH_TIMES[attr]
    return Moment(
        getattr(batch, attr), f"批次 {batch.code} 的{zh}", f"batch {batch.code}'s {en}"
    )


def last_bake(session: Session, batch: Batch) -> Moment:
    """When the batch's latest oven record was taken (None: not baked yet)."""
    when = session.scalar(
        select(func.max(BakeRecord.recorded_at)).where(
            BakeRecord.tenant_id == batch.tenant_id, BakeRecord.batch_id == batch.id
        )
    )
    return Moment(when, "最后一次烘烤记录时间", "the last bake record's time")
