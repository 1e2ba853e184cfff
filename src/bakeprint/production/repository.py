"""Batch queries, always inside one bakery."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from bakeprint.catalog.models import Product
from bakeprint.chronology import Moment
from bakeprint.db import among, slices
from bakeprint.errors import NotFound
from bakeprint.events import declarations
from bakeprint.production.models import BakeRecord, Batch, Consumption


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


def made_on(session: Session, tenant_id: uuid.UUID, day: date) -> list[Batch]:
    """The batches made that day, by code."""
    return list(
        session.scalars(
            select(Batch)
            .where(Batch.tenant_id == tenant_id, Batch.production_date == day)
            .order_by(Batch.code)
        )
    )


def latest_day(session: Session, tenant_id: uuid.UUID) -> date | None:
    """The last production day with a batch (None: no batch yet)."""
    day: date | None = session.scalar(
        select(func.max(Batch.production_date)).where(Batch.tenant_id == tenant_id)
    )
    return day


def with_status(session: Session, tenant_id: uuid.UUID, status: str) -> list[Batch]:
    return list(
        session.scalars(
            select(Batch)
            .where(Batch.tenant_id == tenant_id, Batch.status == status)
            .order_by(Batch.code)
        )
    )


def needing_attention(
    session: Session, tenant_id: uuid.UUID, *, limit: int = 20
) -> list[Batch]:
    return list(
        session.scalars(
            select(Batch)
            .where(Batch.tenant_id == tenant_id, Batch.needs_attention.is_(True))
            .limit(limit)
        )
    )


def recently_packed(
    session: Session, tenant_id: uuid.UUID, *, limit: int = 60
) -> list[Batch]:
    """Packed batches, the latest packed first."""
    return list(
        session.scalars(
            select(Batch)
            .where(Batch.tenant_id == tenant_id, Batch.status == "packed")
            .order_by(Batch.packed_at.desc())
            .limit(limit)
        )
    )


def codes_by_id(
    session: Session, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """batch id -> batch code, in one statement per slice of ids."""
    out: dict[uuid.UUID, str] = {}
    for chunk in slices(list(ids)):
        for batch_id, code in session.execute(
            select(Batch.id, Batch.code).where(
                Batch.tenant_id == tenant_id, among(session, Batch.id, chunk)
            )
        ):
            out[batch_id] = code
    return out


def by_id(session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> Batch:
    batch = session.get(Batch, (tenant_id, batch_id))
    if batch is None:
        raise NotFound("找不到批次", "batch not found")
    return batch


def with_product_names(
    session: Session, tenant_id: uuid.UUID, batch_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[Batch, str]]:
    """batch id -> (the batch, its product's Chinese name), in one statement
    per slice of ids."""
    out: dict[uuid.UUID, tuple[Batch, str]] = {}
    for chunk in slices(list(batch_ids)):
        for batch, name in session.execute(
            select(Batch, Product.name_zh)
            .outerjoin(
                Product,
                (Product.tenant_id == Batch.tenant_id)
                & (Product.id == Batch.product_id),
            )
            .where(Batch.tenant_id == tenant_id, among(session, Batch.id, chunk))
        ):
            out[batch.id] = (batch, name or "")
    return out


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


# --- what is still in force ---------------------------------------------------
# History is append-only: a wrong consumption, bake or checkpoint is corrected
# by a new row whose ``corrects_id`` points at the row it replaces. The old row
# stays, but is no longer in force. This is the one place that rule is written.


def corrected(model: Any) -> ColumnElement[bool]:
    """SQL: true for a row of ``model`` (Consumption, BakeRecord, Checkpoint)
    that another row corrects. Selects the indexed column, not *: answered from
    the (tenant, corrects) index alone. With SELECT * and ANALYZE's statistics
    (nearly every corrects_id is NULL) SQLite scanned the whole table for each
    row — 0.3 s a batch at 400 k consumptions."""
    later = aliased(model)
    return (
        select(later.tenant_id)
        .where(later.tenant_id == model.tenant_id, later.corrects_id == model.id)
        .exists()
    )


def in_force(model: Any) -> ColumnElement[bool]:
    """SQL: true for a row no other row corrects."""
    return ~corrected(model)


def live_consumption() -> ColumnElement[bool]:
    """SQL: a use of a lot still in force — not corrected, and not corrected to
    zero (a mistaken scan: the lot was not used after all)."""
    return and_(Consumption.quantity > 0, in_force(Consumption))


def _live(query: Any, tenant_id: uuid.UUID, where: Any) -> Any:
    return query.where(
        Consumption.tenant_id == tenant_id,
        where,
        live_consumption(),
        # a consumption whose event was declared erroneous (an EPCIS error
        # declaration) did not happen; declarations are few, read by index
        or_(
            Consumption.event_seq.is_(None),
            Consumption.event_seq.not_in(declarations.declared_seqs_query(tenant_id)),
        ),
    )


def live_consumptions(
    session: Session, tenant_id: uuid.UUID, where: Any
) -> list[Consumption]:
    """Consumption rows still in force (``where`` narrows them: a batch, lots).
    One statement, whatever the number of rows."""
    return list(session.scalars(_live(select(Consumption), tenant_id, where)))


def live_uses(
    session: Session, tenant_id: uuid.UUID, where: Any
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(batch_id, lot_id) of the live consumptions (as ``live_consumptions``,
    without loading the rows as objects: a wide scope has thousands)."""
    query = select(Consumption.batch_id, Consumption.lot_id)
    return [(b, lot) for b, lot in session.execute(_live(query, tenant_id, where))]


def batch_of_product(session: Session, product: Product, code: str) -> Batch | None:
    """The product's batch with this code (a Digital Link's lot)."""
    return session.scalar(
        select(Batch).where(
            Batch.tenant_id == product.tenant_id,
            Batch.product_id == product.id,
            Batch.code == code,
        )
    )


def recalled_codes(session: Session, product: Product) -> list[str]:
    """The product's recalled batches, by code."""
    return list(
        session.scalars(
            select(Batch.code)
            .where(
                Batch.tenant_id == product.tenant_id,
                Batch.product_id == product.id,
                Batch.status == "recalled",
            )
            .order_by(Batch.code)
        ).all()
    )
