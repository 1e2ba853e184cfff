"""Binding material lots to a batch with the quantity used (R1.3)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import chronology
from bakeprint.catalog.models import MaterialType, Product, Supplier
from bakeprint.chronology import Moment
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.materials import repository as lots
from bakeprint.materials.models import MaterialLot
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.models import Batch, Consumption
from bakeprint.production.schemas import ConsumptionCorrect, ConsumptionCreate

UOM = {"kg": "KGM", "g": "GRM", "L": "LTR", "mL": "MLT", "pcs": "H87"}
_UNIT_FACTORS = {
    ("g", "kg"): 0.001,
    ("kg", "g"): 1000.0,
    ("mL", "L"): 0.001,
    ("L", "mL"): 1000.0,
}


def lot_uri(session: Session, tenant_slug: str, lot: MaterialLot) -> str:
    mt = session.get(MaterialType, (lot.tenant_id, lot.material_type_id))
    return ids.lot_class(
        tenant_slug,
        lot.code,
        gtin=mt.gtin if mt else None,
        supplier_lot=lot.supplier_lot,
    )


def _in_lot_unit(quantity: float, unit: str | None, lot: MaterialLot) -> float:
    if unit is None or unit == lot.unit:
        return quantity
    factor = _UNIT_FACTORS.get((unit, lot.unit))
    if factor is None:
        raise Invalid(
            f"单位 {unit} 与原料批次 {lot.code} 的单位 {lot.unit} 不一致",
            f"unit {unit} does not match lot {lot.code}'s unit {lot.unit}",
            field="unit",
        )
    return quantity * factor


def _check_lot(lot: MaterialLot, batch: Batch, quantity: float) -> str:
    """Refuse an unusable lot; return a warning for a borderline one."""
    if lot.qc_result == "fail":
        raise Conflict(
            f"原料批次 {lot.code} 质检不合格，不能使用",
            f"material lot {lot.code} failed QC and cannot be used",
            field="lot",
        )
    if lot.expires_on < batch.production_date:
        raise Conflict(
            f"原料批次 {lot.code} 已于 {lot.expires_on:%Y-%m-%d} 过期，"
            f"批次生产日期为 {batch.production_date:%Y-%m-%d}",
            f"material lot {lot.code} expired on {lot.expires_on:%Y-%m-%d}, before "
            f"the batch's production date {batch.production_date:%Y-%m-%d}",
            field="lot",
        )
    remaining = round(lot.quantity - lot.consumed, 6)
    if quantity > remaining + 1e-9:
        raise Conflict(
            f"原料批次 {lot.code} 只剩 {remaining:g} {lot.unit}，不够用 "
            f"{quantity:g} {lot.unit}",
            f"material lot {lot.code} has only {remaining:g} {lot.unit} left; "
            f"{quantity:g} {lot.unit} requested",
            field="quantity",
        )
    if lot.qc_result == "borderline":
        return (
            f"原料批次 {lot.code} 质检为边缘合格（评分 {lot.quality_score}），"
            f"请加强成品抽检 / lot {lot.code} passed QC only borderline "
            f"(score {lot.quality_score}): inspect the finished goods more"
        )
    return ""


def consume(
    session: Session, code: str, data: ConsumptionCreate, *, actor: Actor
) -> tuple[Consumption, MaterialLot]:
    """Bind a material lot to a batch with the quantity used."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    batch = batches.for_update(session, t, code)
    if batch.status not in ("in_progress", "completed"):
        raise Conflict(
            f"批次 {batch.code} 已包装，不能再登记原料",
            f"batch {batch.code} is already {batch.status}; no more "
            "materials can be bound to it",
        )
    found = lots.by_code(session, t, data.lot.strip())
    if found is None:
        raise NotFound(
            f"找不到原料批次 {data.lot}",
            f"material lot {data.lot} not found",
            field="lot",
        )
    lot = lots.for_update(session, t, found.id)
    quantity = _in_lot_unit(data.quantity, data.unit, lot)
    warning = _check_lot(lot, batch, quantity)
    recorded_at = chronology.check(
        Moment(data.recorded_at or utcnow(), "消耗时间", "the consumption time"),
        tz=tenant.timezone,
        field="recorded_at",
        not_before=[
            Moment(
                lot.received_at,
                f"原料批次 {lot.code} 的入库时间",
                f"lot {lot.code}'s intake time",
            ),
            batches.batch_time(batch, "started_at"),
        ],
    )
    row = _record(
        session, tenant.slug, batch, lot, quantity, recorded_at, warning, actor=actor
    )
    return row, lot


def _record(
    session: Session,
    tenant_slug: str,
    batch: Batch,
    lot: MaterialLot,
    quantity: float,
    recorded_at: object,
    warning: str,
    *,
    actor: Actor,
    corrects: Consumption | None = None,
    reason: str = "",
) -> Consumption:
    t = actor.tenant_id
    delta = quantity - (corrects.quantity if corrects else 0.0)
    lot.consumed = round(lot.consumed + delta, 6)
    row = Consumption(
        tenant_id=t,
        batch_id=batch.id,
        lot_id=lot.id,
        quantity=quantity,
        unit=lot.unit,
        recorded_at=recorded_at,
        warning=warning,
        corrects_id=corrects.id if corrects else None,
    )
    session.add(row)
    session.flush()
    product = session.get(Product, (t, batch.product_id))
    assert product is not None
    tenant = tenants.get(session, t)
    supplier = session.get(Supplier, (t, lot.supplier_id))
    ev = events.append(
        session,
        tenant_id=t,
        kind="consumption",
        subject=f"batch:{batch.code}",
        event_type="TransformationEvent",
        action=None,
        biz_step="creating_class_instance",
        disposition="in_progress",
        event_time=recorded_at,  # type: ignore[arg-type]
        actor=actor.ref,
        corrects_seq=corrects.event_seq if corrects else None,
        fields={
            "transformationID": production.transformation_id(tenant, batch.code),
            "inputQuantityList": [
                {
                    "epcClass": lot_uri(session, tenant_slug, lot),
                    "quantity": quantity,
                    "uom": UOM.get(lot.unit, "KGM"),
                }
            ],
        },
        extension={
            "batch": batch.code,
            "lot": lot.code,
            "supplier": supplier.code if supplier else None,
            "supplier_lot": lot.supplier_lot,
            "qc_result": lot.qc_result,
            "warning": warning or None,
            "reason": reason or None,
        },
    )
    row.event_seq = ev.seq
    return row


def correct(
    session: Session,
    code: str,
    consumption_id: uuid.UUID,
    data: ConsumptionCorrect,
    *,
    actor: Actor,
) -> Consumption:
    """Correct a mistyped quantity: a new row that replaces the old one."""
    t = actor.tenant_id
    batch = batches.for_update(session, t, code)
    if batch.status == "packed":
        raise Conflict(
            f"批次 {batch.code} 已包装，原料记录不能再更正",
            f"batch {batch.code} is packed; its materials can no longer be corrected",
        )
    old = session.get(Consumption, (t, consumption_id))
    if old is None or old.batch_id != batch.id:
        raise NotFound("找不到该原料记录", "material record not found")
    if is_superseded(session, old):
        raise Conflict(
            "该记录已被更正过，请更正最新的记录",
            "this record was already corrected; correct the latest one",
        )
    lot = lots.for_update(session, t, old.lot_id)
    if data.quantity > old.quantity:
        _check_lot(lot, batch, data.quantity - old.quantity)
    tenant = tenants.get(session, t)
    return _record(
        session,
        tenant.slug,
        batch,
        lot,
        data.quantity,
        utcnow(),
        old.warning,
        actor=actor,
        corrects=old,
        reason=data.reason,
    )


def is_superseded(session: Session, row: Consumption) -> bool:
    return (
        session.scalar(
            select(Consumption.id).where(
                Consumption.tenant_id == row.tenant_id,
                Consumption.corrects_id == row.id,
            )
        )
        is not None
    )


def for_batch(session: Session, batch: Batch) -> list[Consumption]:
    return list(
        session.scalars(
            select(Consumption)
            .where(
                Consumption.tenant_id == batch.tenant_id,
                Consumption.batch_id == batch.id,
            )
            .order_by(Consumption.recorded_at, Consumption.created_at)
        )
    )
